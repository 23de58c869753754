from django.urls import path

from anmian.web.diary import views

app_name = "diary"
urlpatterns = [
    path("", views.diary, name="list"),
    path("new/", views.entry, name="new"),
    path("night/<str:night>/", views.entry, name="edit"),
    path("export.<str:fmt>", views.export, name="export"),
    path("import/", views.import_csv, name="import"),
]
