from django.urls import path

from anmian.web.selfcheck import views

app_name = "selfcheck"
urlpatterns = [
    path("", views.start, name="start"),
    path("step/<slug:identifier>/", views.step, name="step"),
    path("questions/", views.questions, name="questions"),
    path("questions/again/", views.recheck, name="recheck"),
    path("questions/<slug:finding>/", views.question, name="question"),
    path("questions/choice/<slug:group>/", views.choice, name="choice"),
    path("questions/list/<slug:checklist>/", views.checklist_question, name="checklist"),
    path("mode/", views.mode, name="mode"),
    path("results/", views.results, name="results"),
    path("results/confirm/", views.confirm, name="confirm"),
    path("restart/", views.restart, name="restart"),
]
