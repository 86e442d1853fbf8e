"""What caches may keep. Every page a signed-in user is shown and every generated file is marked
`Cache-Control: private, no-store` (checked for every URL × role in tests/test_access_matrix.py);
what a visitor reads in public (the home page, the published list, static files) stays cacheable,
so a proxy or CDN can serve it on the night the list comes out."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal.http_headers import NoStoreMiddleware
from tests.test_access_matrix import cache_directives

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_batch(batch):
    batch.published_at = timezone.now()
    batch.save(update_fields=["published_at"])
    return batch


def test_public_pages_and_static_files_stay_cacheable_for_visitors(client, published_batch):
    for url in (reverse("home"), reverse("public_list"), reverse("public_list_batch", args=[published_batch.pk]), "/static/css/portal.css"):
        response = client.get(url)

        assert response.status_code == 200, url
        assert "no-store" not in cache_directives(response), (url, response.get("Cache-Control"))


def test_the_same_public_page_is_not_stored_for_a_signed_in_user(client, user_a, published_batch):
    # The header carries the user's name and links: a cache must not hand it to the next visitor.
    client.force_login(user_a)

    response = client.get(reverse("public_list"))

    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


@pytest.mark.parametrize(
    ("content_type", "disposition"),
    [
        ("application/pdf", ""),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ""),
        ("text/csv; charset=utf-8", ""),
        ("application/zip", ""),
        ("application/octet-stream", 'attachment; filename="x.bin"'),
    ],
)
def test_a_file_is_not_stored_even_for_a_visitor(content_type, disposition):
    # No view sends a file to a visitor today; one that does later is covered all the same.
    request = RequestFactory().get("/any/")
    request.user = AnonymousUser()

    def view(_request):
        response = HttpResponse(b"data", content_type=content_type)
        if disposition:
            response["Content-Disposition"] = disposition
        return response

    response = NoStoreMiddleware(view)(request)

    assert {"private", "no-store"} <= cache_directives(response)
