"""Response headers the portal sets on whole classes of responses rather than view by view.

PermissionsPolicyMiddleware: every response (pages, files, static files, errors) tells the browser
that no page of the portal, nor anything framed in one, may use the camera, microphone, location,
payment, USB and the like: the portal needs none of them, so markup that slipped in could not ask.

NoStoreMiddleware: what a signed-in user is shown (their application, a province's queue, the
ranked table, a score sheet) and every generated file (PDF, XLSX, CSV, ZIP) is personal or not yet
public. Neither a shared cache (a school's proxy, a CDN in front of the portal) nor the browser's
disk cache may keep it: the next person at a shared computer, or behind the same proxy, would be
shown it. Public pages seen by a visitor (the home page, /list/) and static files stay cacheable;
static files never reach this middleware (WhiteNoise answers them earlier).

ContentSecurityPolicyMiddleware: django-csp's, giving Django admin's pages
settings.ADMIN_CONTENT_SECURITY_POLICY instead of the portal's CONTENT_SECURITY_POLICY. Admin is
where a single request changes anyone's record, so it is not left without a policy; and the
portal's own pages keep theirs, never loosened for admin's sake.
"""
from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.utils.cache import patch_cache_control

# The generated files' types, without parameters such as "; charset=utf-8". Scans and stored
# 推荐汇总表 leave through portal.protected, which marks them itself.
GENERATED_FILE_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/csv",
        "application/zip",
    }
)


def must_not_be_stored(request, response) -> bool:
    """A response to a signed-in user, or a file (by its type, or because it is sent as one)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return content_type in GENERATED_FILE_TYPES or response.has_header("Content-Disposition")


class NoStoreMiddleware:
    """Marks `Cache-Control: private, no-store` on what must_not_be_stored names. Sits after the
    authentication middleware, which sets request.user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if must_not_be_stored(request, response):
            patch_cache_control(response, private=True, no_store=True)
        return response


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} → "camera=(), fullscreen=(self)"."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy (settings.PERMISSIONS_POLICY) to every response. Sits before
    WhiteNoise, so static files carry it too."""

    def __init__(self, get_response):
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware; under ADMIN_CONTENT_SECURITY_POLICY["URL_PREFIX"] the enforced
    policy is that setting's directives (a view's own @csp decorator still wins)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        admin_policy = settings.ADMIN_CONTENT_SECURITY_POLICY
        if not report_only and parts.config is None and request.path_info.startswith(admin_policy["URL_PREFIX"]):
            parts.config = default_config(admin_policy["DIRECTIVES"])
        return parts
