from django.urls import path

from anmian.web.records import audit_views, views

app_name = "records"
urlpatterns = [
    path("patients/", views.patients, name="patients"),
    path("patients/invite/", views.invite, name="invite"),
    path("patients/<uuid:uid>/", views.patient, name="patient"),
    path("patients/<uuid:uid>/appointments/", views.appointments, name="appointments"),
    path("patients/<uuid:uid>/notes/new/", views.new_note, name="new_note"),
    path("assessments/<uuid:uid>/adopt/", views.adopt, name="adopt"),
    path("plans/<uuid:uid>/", views.plan, name="plan"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("audit.csv", audit_views.audit_csv, name="audit_csv"),
]
