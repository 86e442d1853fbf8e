"""The address of the browser behind a request, as the portal's own proxies saw it.

Behind nginx every request reaches gunicorn from nginx's address; nginx passes the browser's in
X-Forwarded-For, appending the address it saw to whatever the browser itself sent
(`proxy_add_x_forwarded_for`). Only the entries appended by the portal's own proxies can be
believed: the left-most ones are the client's to write. With TRUSTED_PROXY_COUNT proxies in a row
(1: nginx; 2: a load balancer, then nginx), the browser's address is the TRUSTED_PROXY_COUNT-th
entry from the right. Login throttling (django-axes, AXES_CLIENT_IP_CALLABLE), the mail limits and
/healthz's loopback check all ask this one function.
"""
import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The browser's address: REMOTE_ADDR when no proxy is trusted (TRUSTED_PROXY_COUNT = 0),
    else the entry of X-Forwarded-For that the farthest trusted proxy appended. A header with
    fewer entries than trusted proxies, or an entry that is no IP address, did not come through
    them: then REMOTE_ADDR, the address of whoever connected."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(entries) < trusted:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-trusted]))
    except ValueError:
        return remote


def is_loopback(request) -> bool:
    """Whether the request comes from this machine itself (not through a proxy from outside)."""
    try:
        return ipaddress.ip_address(client_address(request)).is_loopback
    except ValueError:
        return False
