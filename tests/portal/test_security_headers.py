"""Every page of the portal is served with a Content-Security-Policy that allows scripts and styles
from the portal only (no 'unsafe-inline', no 'unsafe-eval'), refuses framing, keeps the referrer
on the site and stops content-type sniffing; and no page carries the inline script or style that
such a policy would block (a browser would silently drop it, so the page would break unnoticed).

The pages are found the way a user finds them: by following the links of the demo data's pages
(seed_demo has applications at every step) as each role, plus the pages that only a refused form
or an error shows."""
import io
import json
import os
import re
import secrets
import subprocess
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from portal.models import User
from tests.conftest import PASSWORD, png_bytes, upload

pytestmark = pytest.mark.usefixtures("private_media")  # seed_demo and uploads store scans

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
# Browser features the portal never uses, which Permissions-Policy must turn off.
FEATURES_OFF = ("camera", "microphone", "geolocation", "payment", "usb")


# --- what a page must and must not carry ---------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    """"default-src 'self'; img-src 'self' data:" → {"default-src": ["'self'"], "img-src": [...]}."""
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def permissions_policy(header: str) -> dict[str, str]:
    """"camera=(), fullscreen=(self)" → {"camera": "()", "fullscreen": "(self)"}."""
    features = {}
    for part in header.split(","):
        feature, _, allowed = part.strip().partition("=")
        if feature:
            features[feature] = allowed.strip()
    return features


def header_problems(response) -> list[str]:
    problems = []
    for name, expected in SECURITY_HEADERS.items():
        if response.get(name) != expected:
            problems.append(f"{name}: {response.get(name)!r}, expected {expected!r}")
    features = permissions_policy(response.get("Permissions-Policy", ""))
    for feature in FEATURES_OFF:
        if features.get(feature) != "()":
            problems.append(f"Permissions-Policy does not turn off {feature}: {response.get('Permissions-Policy')!r}")
    policy = response.get("Content-Security-Policy")
    if not policy:
        return [*problems, "no Content-Security-Policy"]
    directives = csp_directives(policy)
    for directive in ("script-src", "style-src"):
        if directives.get(directive) != ["'self'"]:
            problems.append(f"CSP {directive}: {directives.get(directive)!r}, expected only 'self'")
    if "'unsafe-inline'" in policy or "'unsafe-eval'" in policy:
        problems.append(f"CSP allows unsafe sources: {policy}")
    if directives.get("frame-ancestors") != ["'none'"] or directives.get("object-src") != ["'none'"]:
        problems.append(f"CSP frame-ancestors/object-src not 'none': {policy}")
    return problems


class _InlineFinder(HTMLParser):
    """Everything a policy without 'unsafe-inline' blocks: <script> without src, <style>, style=
    attributes, on…= event handlers and javascript: links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'style="{value}" on <{tag}> at line {self.getpos()[0]}')
            if name.startswith("on"):
                self.found.append(f"event handler {name}= on <{tag}> at line {self.getpos()[0]}")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL on <{tag}> at line {self.getpos()[0]}")

    handle_startendtag = handle_starttag


def markup_problems(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def page_problems(response) -> list[str]:
    problems = header_problems(response)
    if "text/html" in response.get("Content-Type", ""):
        problems += markup_problems(response.content.decode())
    return problems


def test_the_markup_check_finds_each_kind_of_inline_code():
    # The check itself must be able to fail: each of these would be blocked by the policy.
    html = (
        '<script>alert(1)</script><script src="/static/js/team.js"></script><style>p{}</style>'
        '<p style="color:red">x</p><button onclick="go()">x</button><a href="JavaScript:go()">x</a><br style="">'
    )
    found = markup_problems(html)
    assert [problem.split(" at line")[0] for problem in found] == [
        "inline <script>", "<style> element", 'style="color:red" on <p>', "event handler onclick= on <button>",
        "javascript: URL on <a>", 'style="" on <br>',
    ]  # fmt: skip


# --- every page reachable by links, as each role -------------------------------------------------

# Not pages: generated files, downloads, JSON progress, and Django admin (its own policy:
# test_django_admin_has_a_policy_of_its_own_and_the_portal_keeps_its_strict_one).
NOT_A_PAGE = re.compile(r"\.(pdf|xlsx|csv|zip)$|/pdf/|/download/|/scan/\d+/$|/status/$|^/admin/|^/static/|^/accounts/logout/")
VARIANTS_PER_PATH = 3  # filters, sorting and page numbers repeat the same template


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def crawl(client, starts: list[str], limit: int = 200) -> dict[str, object]:
    """GET `starts` and every same-site page linked from them (breadth first), redirects followed;
    return {url: response} of the HTML pages."""
    queue, seen, per_path, pages = deque(starts), set(), {}, {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if url in seen or NOT_A_PAGE.search(parts.path):
            continue
        seen.add(url)
        per_path[parts.path] = per_path.get(parts.path, 0) + 1
        if per_path[parts.path] > VARIANTS_PER_PATH:
            continue
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.appendleft(urljoin(url, response["Location"]))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        pages[url] = response
        queue.extend(urljoin(url, href.split("#")[0]) for href in links_of(response.content.decode()) if not href.startswith(("#", "mailto:", "tel:")))
    return pages


def url_names(urls) -> set[str]:
    names = set()
    for url in urls:
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        names.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    return names


# The pages each role works in, which the crawl must have reached (so a crawl that went nowhere
# cannot pass).
ROLES = {
    None: {"home", "login", "register", "public_list", "password_reset"},
    "demo-school": {"dashboard", "applications:edit", "applications:detail", "applications:profile", "password_change"},
    "demo-province": {"review:province_queue", "review:province_application", "otp_setup"},
    "demo-staff": {"review:national_home", "review:national_list", "review:national_application", "review:ranking", "review:progress", "review:assignment", "review:exports"},
    "demo-expert": {"review:expert_home", "review:expert_score", "otp_setup"},
}


def test_every_page_of_every_role_carries_the_headers_and_no_inline_code(client, db):
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())
    problems, reached = {}, {}

    for username in ROLES:
        client.logout()
        if username:
            client.force_login(User.objects.get(username=username))
        pages = crawl(client, [reverse("home"), reverse("dashboard") if username else reverse("login"), reverse("public_list")])
        reached[username] = url_names(pages)
        for url, response in pages.items():
            found = page_problems(response)
            if found:
                problems[f"{username or 'anonymous'} {url}"] = found

    assert problems == {}
    for username, required in ROLES.items():
        assert required <= reached[username], (username, required - reached[username])


# --- pages that only a refused form, a lockout or an error shows ----------------------------------


def assert_hardened(response, status):
    assert response.status_code == status
    assert page_problems(response) == []


def test_a_refused_login_and_a_refused_registration(client, user_a):
    assert_hardened(client.post(reverse("login"), {"username": "school-a", "password": "wrong"}), 200)
    assert_hardened(client.post(reverse("register"), {"name": "", "contact_email": "not-an-address"}), 200)


def test_the_edit_page_with_a_value_it_cannot_store(client, user_a, complete_application_a):
    client.force_login(user_a)

    response = client.post(reverse("applications:edit", args=[complete_application_a.pk]), {"lead_name": "王" * 51})

    assert "确保该变量包含不超过 50 字符" in response.content.decode()  # arrange check: the error page
    assert_hardened(response, 200)


def test_a_refused_scan_upload(client, user_a, complete_application_a):
    client.force_login(user_a)

    response = client.post(reverse("applications:scan_upload", args=[complete_application_a.pk]), {"scan": upload("x.pdf", b"%PDF-1.4 broken")})

    assert_hardened(response, 400)


def test_the_submit_page_and_the_submitted_application(client, user_a, complete_application_a):
    from applications.services import scan_upload

    scan_upload(application=complete_application_a, uploaded_file=upload("s.png", png_bytes()), actor=user_a)
    client.force_login(user_a)

    assert_hardened(client.get(reverse("applications:submit", args=[complete_application_a.pk])), 200)
    assert_hardened(client.post(reverse("applications:submit", args=[complete_application_a.pk]), follow=True), 200)


def test_two_factor_set_up_shows_its_qr_code_within_the_policy(client, staff_user):
    client.force_login(staff_user)

    response = client.post(reverse("otp_setup"), {"action": "start"})

    # The QR code is a data: image, which img-src allows (and nothing else inline is needed).
    assert 'src="data:image/svg+xml;base64,' in response.content.decode()
    assert "data:" in csp_directives(response["Content-Security-Policy"])["img-src"]
    assert_hardened(response, 200)
    assert_hardened(client.get(reverse("otp_verify")), 200)


def test_the_lockout_page(client, user_a, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "school-a", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")

    response = client.post(reverse("login"), {"username": "school-a", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")

    assert "登录失败次数过多" in response.content.decode()
    assert_hardened(response, 429)


def test_static_files_and_downloads_carry_the_permissions_policy(client, user_a, complete_application_a):
    # Not pages, so outside the crawl above; a browser applies the policy to whatever it renders.
    client.force_login(user_a)
    for url in ("/static/css/portal.css", reverse("applications:pdf", args=[complete_application_a.pk]), reverse("healthz")):
        response = client.get(url)

        assert response.status_code == 200, url
        assert {feature: permissions_policy(response["Permissions-Policy"])[feature] for feature in FEATURES_OFF} == dict.fromkeys(FEATURES_OFF, "()"), url


def test_error_pages(client, user_a):
    # Not found, and forbidden (a school on the two-factor page): still under the policy.
    assert_hardened(client.get("/no-such-page/"), 404)
    client.force_login(user_a)
    assert_hardened(client.get(reverse("otp_setup")), 403)


def test_django_admin_has_a_policy_of_its_own_and_the_portal_keeps_its_strict_one(client, admin_user, complete_application_a):
    client.force_login(admin_user)
    pk = complete_application_a.pk
    admin_pages = [reverse("admin:applications_application_changelist"), reverse("admin:applications_application_change", args=[pk]),
                   reverse("admin:applications_application_history", args=[pk]), reverse("admin:index")]  # fmt: skip

    for path in admin_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        directives = csp_directives(response["Content-Security-Policy"])
        # Scripts only from the portal, never inline or eval'd; framing and plugins refused.
        assert (directives["script-src"], directives["style-src"], directives["object-src"], directives["frame-ancestors"]) == (
            ["'self'"], ["'self'"], ["'none'"], ["'none'"]), path  # fmt: skip
        # The one inline style admin shows (the history's paginator) by its hash, no other.
        assert directives["style-src-attr"][0] == "'unsafe-hashes'" and len(directives["style-src-attr"]) == 2, path
        assert all(word.startswith("'sha256-") for word in directives["style-src-attr"][1:]), path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], path
    # Admin's allowance stays in admin: the project group's pages and the home page have none of it.
    for path in (reverse("review:national_home"), reverse("review:national_list"), reverse("home")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert header_problems(response) == [], path
        assert "style-src-attr" not in response["Content-Security-Policy"] and "unsafe" not in response["Content-Security-Policy"], path


# --- production settings, in a process of their own ------------------------------------------------
# The test settings are imported once per test process; what production gets is seen only by
# starting Django afresh with production's environment (and nothing of this shell's, nor of a
# developer's .env: DEBUG is given explicitly and wins over it).

REPO = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **changes) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONIOENCODING": "utf-8",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "portal.example.cn",
        # Nothing may touch the repository's database or uploads.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "uploads"),
    }
    env.update(changes)
    return {name: value for name, value in env.items() if value is not None}


def run_python(tmp_path, *args, **env_changes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=production_env(tmp_path, **env_changes),
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip


def test_the_deployment_check_reports_nothing_in_production(tmp_path):
    result = run_python(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "OTP_REQUIRED_FOR_STAFF", "AXES_ENABLED",
)}))
"""


def test_production_turns_on_https_only_cookies_hsts_and_redirects(tmp_path):
    result = run_python(tmp_path, "-c", PRINT_SETTINGS)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert (values["SECURE_SSL_REDIRECT"], values["SESSION_COOKIE_SECURE"], values["CSRF_COOKIE_SECURE"]) == (True, True, True)
    assert (values["SESSION_COOKIE_HTTPONLY"], values["X_FRAME_OPTIONS"], values["SECURE_REFERRER_POLICY"]) == (True, "DENY", "same-origin")
    # Production requires the second factor of the project group and of everyone in Django admin,
    # and throttles logins.
    assert (values["OTP_REQUIRED_FOR_STAFF"], values["AXES_ENABLED"]) == (True, True)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_python(tmp_path, "manage.py", "check", SECRET_KEY=None)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: SECRET_KEY 未设置：生产环境必须在环境变量或 .env 中提供 SECRET_KEY。" in result.stderr


def test_an_empty_secret_key_counts_as_none(tmp_path):
    result = run_python(tmp_path, "manage.py", "check", SECRET_KEY="")

    assert result.returncode != 0
    assert "SECRET_KEY 未设置" in result.stderr


def test_the_old_name_of_the_second_factor_setting_is_refused_not_ignored(tmp_path):
    # OTP_REQUIRED_FOR_ADMINS became OTP_REQUIRED_FOR_STAFF when the requirement reached the project
    # group: a deployment still setting the old name is told, rather than silently given the default.
    result = run_python(tmp_path, "manage.py", "check", OTP_REQUIRED_FOR_ADMINS="false")

    assert result.returncode != 0
    assert "OTP_REQUIRED_FOR_ADMINS 已改名为 OTP_REQUIRED_FOR_STAFF" in result.stderr


def test_development_starts_without_a_secret_key(tmp_path):
    # The refusal is production's: with DEBUG on, the built-in development key is used.
    result = run_python(tmp_path, "manage.py", "check", SECRET_KEY=None, DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_nginx_sends_the_same_permissions_policy_with_the_files_it_serves():
    # Scans and bundles handed to nginx (X-Accel-Redirect) lose the app's headers; its config sets them again.
    from django.conf import settings

    from portal.http_headers import permissions_policy_header

    config = (REPO / "deploy" / "nginx" / "portal.conf").read_text(encoding="utf-8")

    assert f'add_header Permissions-Policy "{permissions_policy_header(settings.PERMISSIONS_POLICY)}" always;' in config
