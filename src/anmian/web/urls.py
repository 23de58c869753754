from django.contrib import admin
from django.urls import include, path

from anmian.web import health
from anmian.web.accounts import urls as accounts_urls
from anmian.web.accounts.language import set_language
from anmian.web.api import api
from anmian.web.core import views
from anmian.web.exports.urls import mine_patterns

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("library/", views.library, name="library"),
    path("library/points/", views.points, name="points"),
    path("library/points/<slug:point_id>/", views.point, name="point"),
    path("library/herbs/", views.herbs, name="herbs"),
    path("library/herbs/<slug:herb_id>/", views.herb, name="herb"),
    path("library/patterns/", views.patterns, name="patterns"),
    path("library/patterns/<slug:pattern_id>/", views.pattern, name="pattern"),
    path("library/evidence/", views.evidence, name="evidence"),
    path("library/references/", views.references, name="references"),
    path("self-check/", include("anmian.web.selfcheck.urls")),
    path("accounts/", include((accounts_urls.urlpatterns + mine_patterns, "accounts"))),
    path("clinic/", include("anmian.web.records.urls")),
    path("clinic/erasures/", include("anmian.web.exports.urls")),  # account deletion requests
    path("diary/", include("anmian.web.diary.urls")),
    path("booking/", include("anmian.web.booking.urls")),
    path("shop/", include("anmian.web.shop.urls")),
    # The switch on every page: Django's set_language, saving the choice on the account too.
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

# Styled error pages with a way home (core/views.py); the 500 needs no database.
handler404 = "anmian.web.core.views.page_not_found"
handler500 = "anmian.web.core.views.server_error"
