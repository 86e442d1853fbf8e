"""bin/smoke's HTTP half: drives a running portal (gunicorn, production settings, demo data) the way
a person would, with the standard library only. Prints one line per check; on the first failure it
says what was expected and what came, and exits 1.

    python bin/lib/smoke_http.py --base http://127.0.0.1:8765 --password PW --log gunicorn.log --mail-log worker.log

--mail-log is where the job worker prints the mails it sends (EMAIL_URL=consolemail://): demo-staff's
two-factor set-up code is read from it, as its owner would read the mail.
"""
import argparse
import base64
import gzip
import hashlib
import hmac
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


def totp(secret_base32, steps_ahead=0):
    """The code an authenticator app shows (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits)."""
    key = base64.b32decode(secret_base32)
    counter = int(time.time() // 30) + steps_ahead
    digest = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(int.from_bytes(digest[offset:offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def csrf_token(page):
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    check(token, f"{page.url} has no CSRF token")
    return token.group(1)


def mailed_set_up_code(mail_log, seconds):
    """The set-up code of the last two-factor set-up mail the worker printed."""
    deadline = time.monotonic() + seconds
    while True:
        with open(mail_log, encoding="utf-8", errors="replace") as log:
            codes = re.findall(r"设置码：\s+(\d{8})\s", log.read())
        if codes:
            return codes[-1]
        check(time.monotonic() < deadline, f"no two-factor set-up mail in {mail_log} within {seconds} s (is db_worker running?)")
        time.sleep(0.5)


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


def run(base, password, log_path, mail_log):
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

    step("demo-staff must set up two-factor sign-in: the mailed set-up code and the app's code")
    staff = Browser(base)
    landed = staff.login("demo-staff", password)
    check(landed.url.endswith("/accounts/otp/"), f"demo-staff's password alone led to {landed.url}, not the two-factor set-up")
    held = staff.get("/review/national/")
    check(held.url.endswith("/accounts/otp/"), f"/review/national/ opened before the second factor ({held.url})")
    started = staff.request("/accounts/otp/", data={"csrfmiddlewaretoken": csrf_token(landed), "action": "start"})
    secret = re.search(r'<code class="user-select-all">([A-Z2-7]+)</code>', started.text)
    check(started.status == 200 and secret, f"starting the set-up answered {started.status} without a key")
    enrolled = staff.request("/accounts/otp/", data={
        "csrfmiddlewaretoken": csrf_token(started), "action": "confirm",
        "enrolment_code": mailed_set_up_code(mail_log, 30), "token": totp(secret.group(1)),
    })  # fmt: skip
    check("两步验证已开启" in enrolled.text, f"confirming the set-up failed: {enrolled.url}")
    national = staff.get("/review/national/")
    check(national.status == 200 and national.url.endswith("/review/national/"), f"/review/national/ answered {national.status} at {national.url}")

    step("demo-staff signs in again: the password, then the app's code")
    again = Browser(base)
    asked = again.login("demo-staff", password)
    check("/accounts/otp/verify/" in asked.url, f"the second sign-in led to {asked.url}, not the code")
    # The code of the next 30 s step (the device takes one step of drift): the set-up used this one.
    verified = again.request("/accounts/otp/verify/", data={"csrfmiddlewaretoken": csrf_token(asked), "token": totp(secret.group(1), 1), "next": "/admin/"})
    check(verified.status == 200 and verified.url.endswith("/admin/"), f"the code led to {verified.url} ({verified.status})")
    admin_policy = verified.headers.get("Content-Security-Policy") or ""
    check("script-src 'self'" in admin_policy and "unsafe-inline" not in admin_policy, f"Django admin's Content-Security-Policy is {admin_policy!r}")

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
    parser.add_argument("--mail-log", required=True)
    args = parser.parse_args()
    try:
        run(args.base, args.password, args.log, args.mail_log)
    except SmokeFailure as failure:
        print(f"bin/smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
