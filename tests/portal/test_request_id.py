"""Request ids and structured logs (portal/request_id.py): every response carries an id, every log
line written while handling it carries the same id, and LOG_FORMAT=json writes one JSON object per
line."""
import io
import json
import logging
import re

import pytest
from django.conf import settings as django_settings

from portal.request_id import JsonFormatter, RequestIdFilter, get_request_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """The lines written by the 'django.request' logger through the portal's filter and formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


def test_a_response_carries_a_fresh_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_the_proxys_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "5f2b9c0e7d1a4b3c8e6f0a1b2c3d4e5f"})
    assert response["X-Request-ID"] == "5f2b9c0e7d1a4b3c8e6f0a1b2c3d4e5f"


@pytest.mark.parametrize("sent", ["has spaces", 'quote"s', "x" * 129, "换行\n", ""])
def test_an_unusable_request_id_is_replaced(client, sent):
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_redirects_carry_the_id_too(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", headers={"X-Request-ID": "redirected-1"})
    assert response.status_code == 301
    assert response["X-Request-ID"] == "redirected-1"


def test_log_lines_of_a_request_carry_its_id(client, json_log):
    # Django writes "Not Found" after the middleware chain has returned: the id must still be set.
    client.get("/no-such-page/", headers={"X-Request-ID": "req-404"})
    (entry,) = [e for e in json_log() if e["message"].startswith("Not Found")]
    assert entry["request_id"] == "req-404"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "django.request"
    assert entry["status_code"] == 404
    assert (entry["method"], entry["path"]) == ("GET", "/no-such-page/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])


def test_outside_a_request_the_id_is_a_dash(client):
    client.get("/healthz", headers={"X-Request-ID": "finished-1"})
    assert get_request_id() == "-"
    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "hello", (), None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_the_json_formatter_keeps_extras_chinese_and_tracebacks():
    try:
        raise ValueError("坏了")
    except ValueError:
        import sys

        record = logging.LogRecord("portal.mail", logging.ERROR, __file__, 1, "邮件 %s 发送失败", ("#12",), sys.exc_info())
    record.mail_id = 12
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "邮件 #12 发送失败"
    assert "邮件" in line  # not \\u-escaped: readable in a terminal too
    assert entry["mail_id"] == 12
    assert entry["request_id"] == "-"
    assert "ValueError: 坏了" in entry["exception"]


def test_gunicorns_access_lines_become_json_fields():
    from gunicorn.glogging import SafeAtoms

    atoms = SafeAtoms(
        {"h": "10.0.0.7", "m": "GET", "U": "/list/", "q": "", "s": "200", "B": 5120, "M": 35,
         "f": "-", "a": 'curl/8 "quoted"', "{x-request-id}o": "abc123", "r": "GET /list/ HTTP/1.1", "t": "[x]"}
    )  # fmt: skip
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s', (), None)
    record.args = atoms  # as gunicorn logs it: the atoms are the format's mapping
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "abc123"
    assert (entry["method"], entry["path"], entry["status"], entry["bytes"], entry["duration_ms"]) == ("GET", "/list/", "200", 5120, 35)
    assert entry["user_agent"] == 'curl/8 "quoted"'
    assert entry["message"] == '10.0.0.7 "GET /list/ HTTP/1.1" 200'


def test_the_plain_format_shows_the_id():
    formatter = logging.Formatter(django_settings.LOGGING["formatters"]["plain"]["format"])
    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "hello", (), None)
    record.request_id = "abc"
    assert formatter.format(record).endswith("INFO portal [abc] hello")


def test_the_console_handler_uses_the_filter_and_the_chosen_format():
    console = django_settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["request_id"]
    assert console["formatter"] == django_settings.LOG_FORMAT
    assert django_settings.MIDDLEWARE[0] == "portal.request_id.RequestIdMiddleware"
