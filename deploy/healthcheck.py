"""The container's health check: GET /healthz on gunicorn, with a Host header the portal accepts
(the first of ALLOWED_HOSTS), so it passes host validation like a real request."""
import os
import sys
import urllib.request

hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",")]
host = next((h for h in hosts if h and h != "*"), "localhost")
port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").split(",")[0].rsplit(":", 1)[-1]
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:  # noqa: BLE001 - any failure is "unhealthy"
    print(f"healthz: {error}", file=sys.stderr)
    sys.exit(1)
