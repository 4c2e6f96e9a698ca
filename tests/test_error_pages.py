"""Errors are pages of the site, not bare server text."""

import pytest
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as site_urls


def boom(request):
    raise RuntimeError("kaboom")


urlpatterns = [*site_urls, path("boom/", boom)]


def test_404_wears_the_site_frame(teacher_client):
    response = teacher_client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We can’t find that page" in body and 'class="site-header"' in body


def test_403_explains_itself(client, teacher, colleague):
    client.force_login(colleague)
    response = client.get("/people/amira/edit/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You can’t do that here" in body and "only edit your own profile" in body


@pytest.mark.urls("tests.test_error_pages")
def test_500_is_a_calm_page_without_a_traceback(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "kaboom" not in body and "Traceback" not in body
