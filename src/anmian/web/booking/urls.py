from django.urls import path

from anmian.web.booking import views

app_name = "booking"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("book/", views.book, name="book"),
    path("course/", views.course, name="course"),
    path("calendar/", views.staff_calendar, name="calendar"),
    path("appointments/<uuid:uid>/cancel/", views.cancel, name="cancel"),
    path("appointments/<uuid:uid>/<slug:status>/", views.mark, name="mark"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("feed/new/", views.new_feed, name="new_feed"),
    path("waitlist/join/", views.join_waitlist, name="join_waitlist"),
    path("waitlist/<str:token>/", views.waitlist_offer, name="waitlist_offer"),
    path("waitlist/<str:token>/new-link/", views.new_offer_link, name="new_offer_link"),
]
