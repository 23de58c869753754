from django.urls import path

from anmian.web.exports import erasure_views
from anmian.web.exports import views as data_views

app_name = "exports"
urlpatterns = [
    path("", erasure_views.erasures, name="erasures"),
    path("<uuid:uid>/process/", erasure_views.erasure_process, name="erasure_process"),
]

# Served under /accounts/ with accounts' namespace (anmian/web/urls.py): accounts:my_data ...
mine_patterns = [
    path("mine/data/", data_views.my_data, name="my_data"),
    path("mine/data/import/", data_views.record_import, name="record_import"),
    path(
        "mine/data/import/confirm/", data_views.record_import_confirm, name="record_import_confirm"
    ),
    path("mine/data/delete/", data_views.erasure_request, name="erasure_request"),
    path("mine/data/delete/cancel/", data_views.erasure_cancel, name="erasure_cancel"),
    path("mine/data/delete/<str:token>/", data_views.erasure_confirm, name="erasure_confirm"),
]
