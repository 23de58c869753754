from django.contrib import admin
from django.urls import include, path

from anmian.web.api import api
from anmian.web.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("self-check/", include("anmian.web.selfcheck.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
