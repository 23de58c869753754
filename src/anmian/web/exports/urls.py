from django.urls import path

from anmian.web.exports import erasure_views

app_name = "exports"
urlpatterns = [
    path("", erasure_views.erasures, name="erasures"),
    path("<uuid:uid>/process/", erasure_views.erasure_process, name="erasure_process"),
]
