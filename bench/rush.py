"""Deadline rush: many schools loading and saving their drafts at once, over HTTP.

    python bench/rush.py prepare --count 200 --out schools.json     (Django: pick drafts, log their schools in)
    python bench/rush.py run --url http://127.0.0.1:8100 --schools schools.json --concurrency 50 \\
                             --duration 60 --think 1,5 --label pg-50 --out run.json   (no Django)
    python bench/rush.py verify --schools schools.json --run run.json               (Django: did every save land?)

The load comes from one thread per simulated school with its own keep-alive connection (Python's
http.client; no extra dependency, little CPU per request, so the generator takes little from the
server it measures on the same two cores). Schools arrive --spawn-rate a second (5 by default, as
locust spawns its users) and stay to the end. Each behaves as a person at the form does on
deadline day, with the page's own JavaScript (static/js/autosave.js):

    GET its edit page (the whole 实验校资格申请表 with its 2,000–6,000 字 plan)
    loop until the time is up:
        type for a while: a random --think seconds (3–10 by default: autosave fires 3 s after
        the last keystroke, so a busy typist saves at every pause)
        autosave: POST the whole form to the autosave endpoint as autosave.js does (JSON), with
        one field changed (单位意见 carries a unique marker), the CSRF token and the revision
                                                → expects 200 {"saved": true, "revision": …}
        every --full-every-th save instead the "保存草稿" button: POST the form to the edit page
                                                → expects 302, then GET the page it names → 200

Every request's latency and outcome is kept; anything but the expected status (or a timeout, or a
refused connection) is an error. `verify` then reads each application from the database: its
单位意见 must be the last save the client saw acknowledged (or a later one whose answer was lost),
and its revision must have grown by at least the number of acknowledged saves.
"""
import argparse
import http.client
import json
import random
import re
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import read_json, summary_ms, write_json  # noqa: E402

MARKER_FIELD = "unit_opinion"


# ---- prepare and verify (Django) --------------------------------------------------------------

def prepare(args):
    from common import django_setup, scale_batch

    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from applications.models import EDITABLE_STATUSES, Application

    User = get_user_model()
    batch = scale_batch()
    drafts = list(
        Application.objects.filter(batch=batch, status__in=EDITABLE_STATUSES, correction_deadline__isnull=True)
        .exclude(plan_content="").order_by("pk").values("pk", "school_id", "revision")[: args.count]
    )
    users = {u.school_id: u for u in User.objects.filter(school_id__in=[d["school_id"] for d in drafts], username__startswith="scale-school-")}
    schools = []
    for d in drafts:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(users[d["school_id"]])
        schools.append({"application": d["pk"], "url": reverse("applications:edit", args=[d["pk"]]),
                        "session": client.cookies[settings.SESSION_COOKIE_NAME].value, "cookie_name": settings.SESSION_COOKIE_NAME})  # fmt: skip
    write_json(args.out, schools)
    print(f"{len(schools)} schools with a draft, logged in")


def snapshot(application_ids):
    from applications.models import Application

    return {a["pk"]: a for a in Application.objects.filter(pk__in=application_ids).values("pk", "revision", MARKER_FIELD)}


def verify(args):
    from common import django_setup

    django_setup()
    run = read_json(args.run)
    ids = [int(k) for k in run["schools"]]
    now = snapshot(ids)
    before = {int(k): v for k, v in run["before"].items()}
    lost, revision_short, acked_total = [], [], 0
    for key, record in run["schools"].items():
        pk = int(key)
        acked, unacked_after = record["acked"], record["unacked_after_last_ack"]
        acked_total += len(acked)
        stored = now[pk][MARKER_FIELD]
        if acked and stored != acked[-1] and stored not in unacked_after:
            lost.append(pk)
        if now[pk]["revision"] - before[pk]["revision"] < len(acked):
            revision_short.append(pk)
    result = {"schools": len(ids), "acknowledged_saves": acked_total, "lost": len(lost), "lost_ids": lost[:20],
              "revision_short": len(revision_short), "revision_short_ids": revision_short[:20]}  # fmt: skip
    write_json(args.out, result)
    print(f"    verify: {acked_total} acknowledged saves by {len(ids)} schools; last value missing for {len(lost)}, revision short for {len(revision_short)}")


def before(args):
    from common import django_setup

    django_setup()
    schools = read_json(args.schools)[: args.concurrency]
    write_json(args.out, {str(k): v for k, v in snapshot([s["application"] for s in schools]).items()})


# ---- the load (no Django) ----------------------------------------------------------------------

class FormReader(HTMLParser):
    """The fields of the form with id application-form, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.fields: list[list] = []
        self.textarea = None
        self.select = None
        self.autosave_url = None
        self.template = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":  # inert markup (the team table's empty row) a browser never submits
            self.template += 1
            return
        if self.template:
            return
        if tag == "form":
            self.inside = a.get("id") == "application-form"
            if self.inside:
                self.autosave_url = a.get("data-autosave-url")
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("disabled") is not None:
                return
            self.fields.append([name, a.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
            self.fields.append(self.textarea)
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append([self.select, a.get("value", "")])

    def handle_data(self, data):
        if self.textarea is not None and not self.template:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.template = max(0, self.template - 1)
            return
        if self.template:
            return
        if tag == "textarea":
            if self.textarea is not None and self.textarea[1].startswith("\n"):
                self.textarea[1] = self.textarea[1][1:]  # the newline after <textarea> is not content
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.inside:
            self.inside = False


def as_json(fields) -> bytes:
    """The form as static/js/autosave.js sends it: {name: [values]}, JSON."""
    values = {}
    for name, value in fields:
        values.setdefault(name, []).append(value)
    return json.dumps(values, ensure_ascii=False).encode()


REVISION_RE = re.compile(rb'name="revision" value="(\d+)"')
CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class School(threading.Thread):
    def __init__(self, n, school, base, deadline, think, full_every, label, samples, lock):
        super().__init__(daemon=True)
        self.n, self.school, self.deadline, self.think, self.label = n, school, deadline, think, label
        self.full_every = max(1, full_every)
        split = urlsplit(base)
        self.host, self.port, self.origin = split.hostname, split.port, f"{split.scheme}://{split.netloc}"
        self.cookies = {school["cookie_name"]: school["session"]}
        self.samples, self.lock = samples, lock
        self.acked, self.unacked = [], []
        self.rnd = random.Random(n)
        self.conn = None

    def request(self, method, path, body=None, ajax=False, content_type="application/x-www-form-urlencoded", csrf_token=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept": "application/json" if ajax else "text/html",
                   "Accept-Encoding": "identity", "User-Agent": "portal-bench-rush"}  # fmt: skip
        if ajax:
            headers["X-Requested-With"] = "fetch"
        if csrf_token:
            headers["X-CSRFToken"] = csrf_token
        if body is not None:
            headers["Content-Type"] = content_type
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        started = time.perf_counter()
        status, data, location, error = None, b"", None, None
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                status, location = response.status, response.getheader("Location")
                for value in response.headers.get_all("Set-Cookie") or []:
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
                if response.will_close:
                    self.conn.close()
                    self.conn = None
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                # A kept-alive connection the server closed meanwhile: a browser retries once.
                self.conn = None
                if attempt == 2 or body is not None:
                    error = type(exc).__name__
                    break
            except OSError as exc:
                self.conn = None
                error = type(exc).__name__
                break
        elapsed = time.perf_counter() - started
        return status, data, location, error, started, elapsed

    def record(self, kind, status, expected, error, started, elapsed):
        ok = error is None and status == expected
        with self.lock:
            self.samples.append((kind, started, elapsed, ok, error or status))
        return ok

    def run(self):
        url = self.school["url"]
        status, page, _loc, error, started, elapsed = self.request("GET", url)
        if not self.record("get", status, 200, error, started, elapsed):
            return
        reader = FormReader()
        reader.feed(page.decode("utf-8"))
        fields = [f for f in reader.fields if f[0] not in ("csrfmiddlewaretoken", "revision")]
        token, revision = CSRF_RE.search(page), REVISION_RE.search(page)
        if token is None or revision is None:
            self.record("get", None, 200, "no form on the page", time.perf_counter(), 0)
            return
        token, revision = token.group(1).decode(), revision.group(1).decode()
        k = 0
        while True:
            pause = self.rnd.uniform(*self.think)
            if time.perf_counter() + pause >= self.deadline:
                break
            time.sleep(pause)
            k += 1
            marker = f"同意申报，学校将在人员、经费、场地等方面给予保障。（{self.label} 第{k}次保存）"
            body = [(name, marker if name == MARKER_FIELD else value) for name, value in fields]
            body += [("csrfmiddlewaretoken", token), ("revision", revision)]
            if reader.autosave_url and k % self.full_every:
                # As the page's autosave.js sends it: JSON, the CSRF token in its header too.
                status, data, _loc, error, started, elapsed = self.request(
                    "POST", reader.autosave_url, as_json(body), ajax=True, content_type="application/json", csrf_token=token
                )  # fmt: skip
                ok = self.record("autosave", status, 200, error, started, elapsed)
                answer = json.loads(data) if ok else {}
                if ok and answer.get("saved"):
                    self.acked.append(marker)
                    self.unacked = []
                    revision = str(answer["revision"])
                else:
                    self.unacked.append(marker)
                continue
            body.append(("section", ""))
            status, data, location, error, started, elapsed = self.request("POST", url, urlencode(body).encode())
            if not self.record("save", status, 302, error, started, elapsed):
                self.unacked.append(marker)
                continue
            self.acked.append(marker)
            self.unacked = []
            status, page, _loc, error, started, elapsed = self.request("GET", location or url)
            if self.record("get", status, 200, error, started, elapsed):
                found_token, found_revision = CSRF_RE.search(page), REVISION_RE.search(page)
                if found_token and found_revision:
                    token, revision = found_token.group(1).decode(), found_revision.group(1).decode()


def run(args):
    schools = read_json(args.schools)[: args.concurrency]
    if len(schools) < args.concurrency:
        raise SystemExit(f"only {len(schools)} schools prepared, {args.concurrency} asked")
    think = tuple(float(x) for x in args.think.split(","))
    # Warm the server up (each worker process compiles its templates on first use) with page
    # loads that are not counted and change nothing.
    for n in range(args.warmup):
        school = schools[n % len(schools)]
        School(n, school, args.url, 0, think, 1, "warm-up", [], threading.Lock()).request("GET", school["url"])
    samples, lock = [], threading.Lock()
    started = time.perf_counter()
    # --duration of work once every school has arrived (the last arrives after the ramp).
    deadline = started + len(schools) / args.spawn_rate + args.duration
    threads = [School(n, s, args.url, deadline, think, args.full_every, args.label, samples, lock) for n, s in enumerate(schools)]
    for t in threads:
        t.start()
        time.sleep(1.0 / args.spawn_rate)  # schools arrive at --spawn-rate a second, as locust spawns users
    for t in threads:
        t.join(args.duration + 120)
    wall = time.perf_counter() - started
    ok = [s for s in samples if s[3]]
    errors = [s for s in samples if not s[3]]
    kinds = {}
    for kind in ("get", "autosave", "save"):
        times = [s[2] for s in samples if s[0] == kind]
        kinds[kind] = summary_ms(times) if times else None
    error_kinds = {}
    for s in errors:
        error_kinds[str(s[4])] = error_kinds.get(str(s[4]), 0) + 1
    result = {
        "label": args.label, "concurrency": args.concurrency, "duration": args.duration, "think": think, "full_every": args.full_every, "spawn_rate": args.spawn_rate,
        "wall": round(wall, 1),
        "requests": len(samples), "ok": len(ok), "errors": len(errors), "error_kinds": error_kinds,
        "throughput": round(len(ok) / wall, 2), "saves": sum(len(t.acked) for t in threads),
        "latency": summary_ms([s[2] for s in samples]) if samples else None, "by_kind": kinds,
        "schools": {str(t.school["application"]): {"acked": t.acked, "unacked_after_last_ack": t.unacked} for t in threads},
        "before": read_json(args.before) if args.before else {},
    }  # fmt: skip
    write_json(args.out, result)
    lat = result["latency"] or {}
    print(f"    {args.label}: {args.concurrency} schools, {result['requests']} requests in {wall:.0f} s = {result['throughput']} req/s, "
          f"{result['saves']} saves; p50 {lat.get('p50')} ms, p95 {lat.get('p95')} ms, p99 {lat.get('p99')} ms; errors {len(errors)} {error_kinds or ''}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--out", required=True)
    p = sub.add_parser("before")
    p.add_argument("--schools", required=True)
    p.add_argument("--concurrency", type=int, required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("run")
    p.add_argument("--url", required=True)
    p.add_argument("--schools", required=True)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--duration", type=float, default=60)
    p.add_argument("--think", default="3,10", help="seconds between saves: min,max (uniform)")
    p.add_argument("--full-every", type=int, default=5, help="every Nth save is the 保存草稿 button (POST, redirect, page); the others autosave")
    p.add_argument("--label", default="rush")
    p.add_argument("--before", help="snapshot written by the before command")
    p.add_argument("--warmup", type=int, default=0, help="uncounted page loads first")
    p.add_argument("--spawn-rate", type=float, default=5, help="schools starting per second (5: 50 schools are all at work after 10 s)")
    p.add_argument("--out", required=True)
    p = sub.add_parser("verify")
    p.add_argument("--run", required=True)
    p.add_argument("--out", required=True)
    args = parser.parse_args()
    {"prepare": prepare, "before": before, "run": run, "verify": verify}[args.command](args)


if __name__ == "__main__":
    main()
