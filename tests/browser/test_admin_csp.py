"""Django admin under its own Content-Security-Policy, in a real browser: an application's change
list and change form (and the other admin pages staff use) load, run their scripts and are styled
with no violation of the policy, which Chromium reports in the console and as
securitypolicyviolation events. A violation would mean a piece of admin silently broken (a
filter, a date picker, the actions bar) or the policy loosened to hide it."""
import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data", "private_media")]

# Collects every violation the page reports, from the first byte of each page on.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def test_admin_pages_load_with_no_violation_of_their_policy(page, live_server, admin_user, batch, complete_application_a):
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}{reverse('admin:index')}")

    pk = complete_application_a.pk
    pages = {
        "application change list": reverse("admin:applications_application_changelist"),
        "application change form": reverse("admin:applications_application_change", args=[pk]),
        "application history": reverse("admin:applications_application_history", args=[pk]),
        "batch change form": reverse("admin:applications_batch_change", args=[batch.pk]),
        "user change list": reverse("admin:portal_user_changelist"),
        "user change form": reverse("admin:portal_user_change", args=[admin_user.pk]),
        "user add form": reverse("admin:portal_user_add"),
        "admin index": reverse("admin:index"),
    }
    found = {}
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, name
        policy = response.headers["content-security-policy"]
        assert "'unsafe-eval'" not in policy, name
        # Admin's scripts ran: the change list's actions bar counts the selection; on the batch's
        # form the date widgets got their shortcuts and the provinces' inline its add-row link.
        if name == "application change list":
            page.locator("#action-toggle").check()
            assert page.locator(".action-counter").inner_text() == "选中了 1 个中的 1 个"
        if name == "batch change form":
            assert page.locator(".datetimeshortcuts").count() > 0
            assert page.locator(".add-row a").count() > 0
        problems = violations(page) + [text for text in page.console_errors if "Content Security Policy" in text]
        page.console_errors.clear()
        if problems:
            found[name] = problems
    assert found == {}


def test_the_portals_pages_keep_their_strict_policy(page, live_server, admin_user):
    # Admin's policy is its own: the portal's home page still refuses inline styles and scripts.
    response = page.goto(f"{live_server.url}/")
    policy = response.headers["content-security-policy"]

    assert "script-src 'self';" in policy + ";" and "style-src 'self';" in policy + ";"
    assert "unsafe" not in policy
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] == ["'self'"]
