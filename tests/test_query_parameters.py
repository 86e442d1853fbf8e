"""Junk in the address never breaks a page: every GET URL of the portal (walked from the access
matrix, which walks the URL configuration), opened by a role that may open it, with every query
parameter the portal reads set to junk — letters, a number past the database's 64-bit ids,
negative numbers, superscript, full-width and Arabic-Indic digits, a NUL character, a very long
string — answers what it answers without them, or 404 (no such batch), never a server error. The
same junk in a POSTed `batch`, and an id in the path past the database's range, get a 404.

The scene is the access matrix's (tests/test_access_matrix.py)."""
from contextlib import contextmanager

import pytest
from django.db import connection
from django.urls import reverse

from programme.showcase_public import ShowcaseFilterForm
from review.forms import PublicListFilterForm, QueueFilterForm, RankFilterForm
from tests.test_access_matrix import EXPECTATIONS, METHODS, ROLES, as_role, case_id, portal_patterns, scene  # noqa: F401 (scene: the fixture)

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# Each junk value, made from the scene: the batch's own id spelled in other digits must not name it.
JUNK = {
    "letters": lambda s: "abc",
    "past 2**63": lambda s: "9223372036854775808",
    "negative": lambda s: "-1",
    "superscript two": lambda s: "²",
    "batch id in full-width digits": lambda s: str(s.batch.pk).translate(FULL_WIDTH),
    "batch id in arabic-indic digits": lambda s: str(s.batch.pk).translate(ARABIC_INDIC),
    "nul": lambda s: f"{s.batch.pk}\x00",
    "very long text": lambda s: "九" * 5000,
    # Python refuses to read a number of more than 4,300 digits (ValueError, not a number at all).
    "very long number": lambda s: "9" * 5000,
}

# Every query parameter a page reads: the list filters' forms (the public list's ?q, ?province and
# ?school_type among them; the showcase's public list's too, its ?batch left to the batch's own test
# below) and the ones views read themselves (?batch, ?page, the national list's ?status and ?q, the
# PDF's ?download, the edit form's ?check and ?add_row, the second factor's ?next, /healthz?strict).
PARAMETERS = sorted(
    {*QueueFilterForm.base_fields, *RankFilterForm.base_fields, *PublicListFilterForm.base_fields,
     *(ShowcaseFilterForm.base_fields.keys() - {"batch"}), "page", "status", "q", "download", "check", "add_row", "next", "strict"}
)  # fmt: skip


def reader(c) -> str | None:
    """The first role that opens the page (GET 200), if any."""
    return next((role for role in ROLES if c.expect[role][0] == 200), None)


def poster(c) -> str | None:
    """The first signed-in role whose POST is taken in (not refused, not a redirect to log in)."""
    return next((role for role in ROLES[1:] if c.expect[role][1] not in (403, 404, 405, "L")), None)


READABLE = [c for c in EXPECTATIONS if reader(c)]
POSTABLE = [c for c in EXPECTATIONS if poster(c)]
# The pages with a database id in their path (<int:...>).
WITH_PATH_IDS = [c for c in READABLE if c.name in {name for name, route, _pattern in portal_patterns() if "<int:" in route}]
NO_SUCH_BATCH = str(2**62)  # a well-formed id that no batch has


@contextmanager
def nul_parameters():
    """The SQL statements sent inside the block with a NUL character in a parameter: PostgreSQL
    refuses those (a server error there); SQLite cuts the text at the NUL without a word."""
    found = []

    def texts(params):
        if isinstance(params, str):
            yield params
        elif isinstance(params, dict):
            for value in params.values():
                yield from texts(value)
        elif isinstance(params, (list, tuple)):
            for value in params:
                yield from texts(value)

    def wrapper(execute, sql, params, many, context):
        if any("\x00" in text for text in texts(params)):
            found.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield found


_answers_to_no_such_batch = {}


def answer_to_no_such_batch(client, scene, c, role, method) -> int:
    """What the page answers for a well-formed id that no batch has (asked once per page and method)."""
    key = (case_id(c), role, method)
    if key not in _answers_to_no_such_batch:
        _url, response = request_as(client, scene, c, role, method, {"batch": NO_SUCH_BATCH})
        _answers_to_no_such_batch[key] = response.status_code
    return _answers_to_no_such_batch[key]


def request_as(client, scene, c, role, method, data):
    url = reverse(c.name, kwargs=c.kwargs(scene))
    as_role(client, scene, role)
    with nul_parameters() as nul_sql:
        response = getattr(client, method)(url, data)
    assert response.status_code != 500, f"{method.upper()} {url} as {role}"
    assert not nul_sql, f"{method.upper()} {url} as {role} sent a NUL character to the database: {nul_sql}"
    return url, response


@pytest.mark.django_db
@pytest.mark.parametrize("junk", JUNK.values(), ids=JUNK.keys())
@pytest.mark.parametrize("c", READABLE, ids=case_id)
def test_junk_filters_give_the_page_its_default(client, scene, c, junk):
    role = reader(c)

    url, response = request_as(client, scene, c, role, "get", {name: junk(scene) for name in PARAMETERS})

    assert response.status_code == 200, f"GET {url} with junk parameters as {role}: {response.status_code}"


# ?batch on every page that opens, and a posted batch on every view that takes a POST.
BATCH_CASES = [pytest.param(c, "get", id=f"{case_id(c)}-get") for c in READABLE] + [
    pytest.param(c, "post", id=f"{case_id(c)}-post") for c in POSTABLE
]


@pytest.mark.django_db
@pytest.mark.parametrize("junk", JUNK.values(), ids=JUNK.keys())
@pytest.mark.parametrize(("c", "method"), BATCH_CASES)
def test_a_junk_batch_is_answered_like_a_batch_that_does_not_exist(client, scene, c, method, junk):
    # Views that read the batch answer 404 for an id no batch has; the others ignore it.
    role = reader(c) if method == "get" else poster(c)
    unknown = answer_to_no_such_batch(client, scene, c, role, method)
    assert unknown in (c.expect[role][METHODS.index(method)], 404)  # arrange

    url, response = request_as(client, scene, c, role, method, {"batch": junk(scene)})

    assert response.status_code == unknown, f"{method.upper()} {url} batch={junk(scene)[:20]!r} as {role}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("c", WITH_PATH_IDS, ids=case_id)
def test_an_id_past_the_database_range_in_the_path_is_not_found(client, scene, c):
    role = reader(c)
    kwargs = {name: (2**63 if isinstance(value, int) else value) for name, value in c.kwargs(scene).items()}
    url = reverse(c.name, kwargs=kwargs)
    as_role(client, scene, role)

    response = client.get(url)

    assert response.status_code == 404, f"GET {url} as {role}: {response.status_code}"


@pytest.mark.django_db
def test_the_national_list_ignores_a_status_or_search_it_cannot_have_offered(client, scene):
    # Before, ?status=junk filtered on it (an empty list) and ?q= with a NUL reached the database.
    as_role(client, scene, "staff")
    url = reverse("review:national_list")

    for params in ({"status": "selected'--"}, {"q": "江苏\x00"}, {"q": "江" * 101}):
        response = client.get(url, {"batch": scene.batch.pk, **params})

        assert response.status_code == 200
        assert scene.app_js.number in response.content.decode(), params
