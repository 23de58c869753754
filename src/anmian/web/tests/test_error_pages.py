"""Error pages a person can use: styled like the site, with a way home; the 500 page needs
neither the database nor the request (core.views.server_error)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client, RequestFactory

from anmian.web.core import views


@pytest.mark.django_db
def test_a_missing_page_is_a_styled_404_with_a_way_home(client: Client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'class="button" href="/"' in html  # the way home, as a button
    assert "anmian/site.css" in html and '<header class="site">' in html  # the site's frame
    main = html[html.index("<main") : html.index("</main>")]
    assert "/no/such/page/" not in main  # not shown back: some paths carry a secret


@pytest.mark.django_db
def test_a_missing_library_entry_is_the_same_404(client: Client):
    response = client.get("/library/points/no-such-point/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_the_500_page_renders_without_the_database():
    # No django_db mark: any query here raises, so the page proves it needs none.
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and 'href="/"' in html
    assert "anmian/site.css" in html


def test_the_500_page_still_shows_when_its_template_fails():
    with mock.patch.object(views.loader, "get_template", side_effect=RuntimeError("broken")):
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


@pytest.mark.django_db
def test_a_view_that_fails_gives_the_styled_500(client: Client):
    failing = Client(raise_request_exception=False)
    with mock.patch.object(views, "get_kb", side_effect=RuntimeError("the base is gone")):
        response = failing.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/password-reset/", "/accounts/password-reset/sent/", "/accounts/reset/done/"]
)
def test_the_password_reset_pages_are_the_site_s_not_the_admin_s(client: Client, path):
    # django.contrib.admin ships pages of the same names, with its own look and breadcrumbs
    # to /admin/; a patient resetting a password must not land there.
    html = client.get(path).content.decode()
    assert '<header class="site">' in html
    assert "breadcrumbs" not in html and "/admin/" not in html
