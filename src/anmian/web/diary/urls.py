from django.urls import path

from anmian.web.diary import views

app_name = "diary"
urlpatterns = [
    path("", views.diary, name="list"),
    path("new/", views.entry, name="new"),
    path("quick/", views.entry, {"quick": True}, name="quick"),
    path("night/<str:night>/", views.entry, name="edit"),
    path("night/<str:night>/quick/", views.entry, {"quick": True}, name="edit_quick"),
    path("export.<str:fmt>", views.export, name="export"),
    path("import/", views.import_csv, name="import"),
    path("score/", views.score, name="score"),
    path("progress/", views.my_progress, name="progress"),
    path("report.pdf", views.my_report, name="report"),
    path("patients/<uuid:uid>/report.pdf", views.patient_report, name="patient_report"),
    path("reports/<uuid:uid>/", views.prepared_report, name="prepared"),
    path("reports/<uuid:uid>/report.pdf", views.prepared_file, name="prepared_file"),
    path("patients/<uuid:uid>/progress/", views.patient_progress, name="patient_progress"),
]
