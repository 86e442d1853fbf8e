"""bin/smoke's HTTP half: drives a running portal (gunicorn, production settings, demo data) the way
a person would, with the standard library only. Prints one line per check; on the first failure it
says what was expected and what came, and exits 1.

    python bin/lib/smoke_http.py --base http://127.0.0.1:8765 --password PW --log gunicorn.log
"""
import argparse
import gzip
import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


class SmokeFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise SmokeFailure(message)


class Response:
    def __init__(self, status, url, headers, body):
        self.status, self.url, self.headers, self.body = status, url, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class Browser:
    """A cookie jar and redirects followed, like a browser without JavaScript."""

    def __init__(self, base):
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path, *, data=None, headers=None, timeout=30):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        if body is not None:
            req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=timeout) as answer:
                return Response(answer.status, answer.url, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.url, error.headers, error.read())

    def get(self, path, **kwargs):
        return self.request(path, **kwargs)

    def login(self, username, password):
        form = self.get("/accounts/login/")
        check(form.status == 200, f"GET /accounts/login/ answered {form.status}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        check(token, "the login page has no CSRF token")
        done = self.request(
            "/accounts/login/", data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        )
        check(done.status == 200, f"logging in as {username} answered {done.status}")
        check("/accounts/login/" not in done.url, f"logging in as {username} failed: still on {done.url}")
        return done


def wait_until_up(base, seconds):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            if error.code not in (502, 503, 504):  # a proxy in front whose upstream is not up yet
                return error.code
            last = error
            time.sleep(0.5)
        except OSError as error:
            last = error
            time.sleep(0.5)
    raise SmokeFailure(f"gunicorn did not answer on {base} within {seconds} s ({last})")


def run(base, password, log_path):
    timings = {}

    def step(name):
        print(f"  - {name}", flush=True)

    started = time.monotonic()
    wait_until_up(base, 60)
    timings["up"] = time.monotonic() - started
    anonymous = Browser(base)

    step("/healthz answers 200, database and queue fine, request id echoed")
    request_id = f"smoke-{uuid.uuid4().hex[:12]}"
    health = anonymous.get("/healthz", headers={"X-Request-ID": request_id})
    check(health.status == 200, f"/healthz answered {health.status}: {health.text[:300]}")
    data = json.loads(health.body)
    check(data["status"] == "ok", f"/healthz says {data}")
    check(data["database"]["vendor"] == "postgresql", f"/healthz ran on {data['database']['vendor']}, not PostgreSQL")
    check(health.headers.get("X-Request-ID") == request_id, f"X-Request-ID came back as {health.headers.get('X-Request-ID')!r}")

    step("home page 200 with the call's number, security headers")
    home = anonymous.get("/")
    check(home.status == 200, f"/ answered {home.status}")
    check("中成协〔2023〕010号" in home.text, "the home page does not show 中成协〔2023〕010号")
    check(home.headers.get("Content-Security-Policy"), "the home page has no Content-Security-Policy header")
    check(home.headers.get("X-Content-Type-Options") == "nosniff", "the home page lacks X-Content-Type-Options: nosniff")

    step("static files under hashed names, cached for ever, compressed")
    hashed = re.findall(r'(/static/[^"\']+\.[0-9a-f]{12}\.(?:css|js))', home.text)
    check(hashed, "the home page links no static file with a hashed name (collectstatic / manifest storage?)")
    for path in sorted(set(hashed)):
        asset = anonymous.get(path, headers={"Accept-Encoding": "gzip"})
        check(asset.status == 200, f"{path} answered {asset.status}")
        check("immutable" in asset.headers.get("Cache-Control", ""), f"{path} is not cached for ever: {asset.headers.get('Cache-Control')}")
        check(asset.headers.get("Content-Encoding") == "gzip", f"{path} was not served compressed")
        check(len(gzip.decompress(asset.body)) > 0, f"{path} is empty")

    step("demo-school logs in and downloads its application PDF")
    school = Browser(base)
    school.login("demo-school", password)
    dashboard = school.get("/dashboard/")
    check(dashboard.status == 200, f"demo-school's dashboard answered {dashboard.status}")
    ids = re.findall(r'href="/applications/(\d+)/', dashboard.text)
    check(ids, "demo-school's dashboard links no application")
    t0 = time.monotonic()
    pdf = school.get(f"/applications/{ids[0]}/pdf/", timeout=60)
    timings["pdf"] = time.monotonic() - t0
    check(pdf.status == 200, f"the application PDF answered {pdf.status}")
    check(pdf.headers.get("Content-Type") == "application/pdf", f"the PDF came as {pdf.headers.get('Content-Type')}")
    check(pdf.body.startswith(b"%PDF"), f"the PDF does not start with %PDF: {pdf.body[:20]!r}")
    other = school.get("/review/province/")
    check(other.status in (403, 404), f"demo-school reached the provincial queue ({other.status})")

    step("demo-province logs in and sees its queue")
    province = Browser(base)
    province.login("demo-province", password)
    queue = province.get("/review/province/")
    check(queue.status == 200, f"the provincial queue answered {queue.status}")
    check(re.search(r"/review/province/windows/\d+/", queue.url), f"/review/province/ led to {queue.url}")

    step("the public list")
    public = anonymous.get("/list/")
    check(public.status == 200, f"/list/ answered {public.status}")

    step("the job worker empties the queue")
    deadline = time.monotonic() + 30
    while True:
        queue_state = json.loads(anonymous.get("/healthz").body)["queue"]
        if queue_state["ready"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    check(queue_state["ready"] == 0, f"jobs still wait after 30 s: {queue_state} (is db_worker running?)")

    step("gunicorn's access log is JSON and carries the request id")
    found = False
    with open(log_path, encoding="utf-8") as log:
        for line in log:
            if not line.startswith("{"):
                continue
            entry = json.loads(line)
            if entry.get("logger") == "gunicorn.access" and entry.get("request_id") == request_id:
                found = entry.get("path") == "/healthz" and str(entry.get("status")) == "200"
    check(found, f"no JSON access line with request_id {request_id} for /healthz in {log_path}")

    print(f"  gunicorn up after {timings['up']:.1f} s; application PDF in {timings['pdf']:.2f} s", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    try:
        run(args.base, args.password, args.log)
    except SmokeFailure as failure:
        print(f"bin/smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
