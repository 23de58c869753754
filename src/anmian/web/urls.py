from django.contrib import admin
from django.urls import path

from anmian.web.api import api
from anmian.web.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
