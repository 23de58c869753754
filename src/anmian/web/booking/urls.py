from django.urls import path, register_converter

from anmian.web.booking import views


class LinkToken:
    """A link token as `secrets.token_urlsafe` writes it. Anything else cannot be one, so it is
    a 404 before any query (a NUL byte would otherwise reach PostgreSQL as a 500)."""

    regex = r"[A-Za-z0-9_-]{1,100}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LinkToken, "linktoken")

app_name = "booking"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("book/", views.book, name="book"),
    path("book/confirm/", views.confirm, name="confirm"),
    path("course/", views.course, name="course"),
    path("calendar/", views.staff_calendar, name="calendar"),
    path("appointments/<uuid:uid>/cancel/", views.cancel, name="cancel"),
    path("appointments/<uuid:uid>/<slug:status>/", views.mark, name="mark"),
    path("feed/<linktoken:token>.ics", views.feed, name="feed"),
    path("feed/new/", views.new_feed, name="new_feed"),
    path("waitlist/join/", views.join_waitlist, name="join_waitlist"),
    path("waitlist/<linktoken:token>/", views.waitlist_offer, name="waitlist_offer"),
    path("waitlist/<linktoken:token>/new-link/", views.new_offer_link, name="new_offer_link"),
]
