"""Server time and database queries of the key pages, in-process (Django's test client against the
database named by DATABASE_URL), beside a trivial view of the same portal.

    python bench/pages.py --out pages.json [--requests 30] [--warmup 3]
    python bench/pages.py --urls urls.json      # only write the pages' URLs and session cookies
                                                 # (for the same measurement over HTTP: bench/http_pages.py)

Each page: a few warm-up requests, one request under CaptureQueriesContext for the query count, then
--requests timed requests (time.perf_counter around client.get: URL resolving, middleware, view,
queries and template rendering, as a WSGI server would run them).
"""
import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_setup, scale_batch, summary_ms, write_json  # noqa: E402

# Which pages count as list pages (held to the same query count at 100 and at 10,000 applications).
LIST_PAGES = ("province_queue", "ranking", "expert_home", "public_list", "admin_changelist", "national_list", "progress")


def targets():
    """Each page's URL and the user who opens it, chosen the same way at any size: the biggest
    provincial queue, the busiest expert, the school draft with the longest plan."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.db.models.functions import Length
    from django.urls import reverse

    from applications.models import EDITABLE_STATUSES, Application, ProvincialWindow, Status
    from review.models import Assignment
    from review.selectors import window_applications

    User = get_user_model()
    batch = scale_batch()
    staff = User.objects.get(username="scale-staff")
    windows = list(ProvincialWindow.objects.filter(batch=batch).select_related("association__province", "batch"))
    window = max(windows, key=lambda w: (window_applications(w).count(), -w.pk))
    reviewer = User.objects.get(username=f"scale-province-{window.association.province_id}")
    busiest = (
        Assignment.objects.filter(application__batch=batch, is_active=True).values("expert").annotate(n=Count("pk")).order_by("-n", "expert")[0]
    )
    expert = User.objects.get(pk=busiest["expert"])
    draft = (
        Application.objects.filter(batch=batch, status__in=EDITABLE_STATUSES, correction_deadline__isnull=True)
        .annotate(size=Length("plan_content")).order_by("-size", "pk").first()
    )  # fmt: skip
    scored = Application.objects.filter(batch=batch, status=Status.SCORED).order_by("pk").first()

    def school_user(application):
        return User.objects.filter(school_id=application.school_id, username__startswith="scale-school-").first()

    q = f"?batch={batch.pk}"
    pages = {
        "school_edit": (reverse("applications:edit", args=[draft.pk]), school_user(draft)),
        "school_detail": (reverse("applications:detail", args=[scored.pk]), school_user(scored)),
        "province_queue": (reverse("review:province_queue", args=[window.pk]), reviewer),
        "ranking": (reverse("review:ranking") + q, staff),
        "expert_home": (reverse("review:expert_home"), expert),
        "public_list": (reverse("public_list_batch", args=[batch.pk]), None),
        "admin_changelist": (reverse("admin:applications_application_changelist"), staff),
        "national_list": (reverse("review:national_list") + q, staff),
        "progress": (reverse("review:progress") + q, staff),
    }
    info = {
        "batch": batch.pk,
        "applications": Application.objects.filter(batch=batch).count(),
        "province_queue_size": window_applications(window).count(),
        "province": window.association.province.name,
        "expert_assignments": busiest["n"],
        "draft_plan_chars": len(draft.plan_content),
        "ranked_rows": Application.objects.filter(batch=batch, status__in=("in_expert_review", "scored", "selected", "not_selected")).count(),
    }
    return pages, info


def signed_in(user):
    """A test client signed in as `user` as a real sign-in leaves the session: Django's login and,
    for an account that needs a second factor (the project group under the production settings),
    a TOTP device verified in that session (as bin/lib/lighthouse_sessions.py does)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.policy import may_use_second_factor

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="portal.auth_backends.UsernameOrEmailBackend")
    if may_use_second_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def trivial_url() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("healthz")
    except NoReverseMatch:
        return reverse("login")


def warm_and_freeze(requests) -> None:
    """Each of `requests` (callables) once, then everything loaded so far frozen out of the
    garbage collector, as deploy/gunicorn.conf.py's workers freeze theirs once warm: a full
    collection walks all of Django (and made the p95 of the bigger pages twice their p50
    in-process), which a warm worker in production never pays."""
    import gc

    for request in requests:
        request()
    gc.collect()
    gc.freeze()


# The pages whose CPU time has a budget (bench/run.py): measured in CPU_ROUNDS rounds of the
# requests, their CPU figure the median of the quietest round. On a shared virtual machine a
# neighbour's load comes and goes over seconds and only ever adds to a round's time, as timeit's
# documentation says of its repeats; each round's median is kept beside it (cpu_p50_rounds), and
# the latency figures are taken over every request of every round.
CPU_BUDGETED = ("school_edit", "school_save")
CPU_ROUNDS = 3


def cpu_figures(rounds: list[list[float]]) -> dict:
    """cpu_p50 (the lowest of the rounds' medians), and each round's median when there are several."""
    medians = [summary_ms(cpu)["p50"] for cpu in rounds]
    return {"cpu_p50": min(medians), **({"cpu_p50_rounds": medians} if len(medians) > 1 else {})}


def measure(client, url, *, requests, warmup, rounds=1):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    reset_queries()  # the log holds at most 9,000 queries (DEBUG)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured.captured_queries)  # now: the next request empties the log
    times, cpu_rounds = [], []
    for _ in range(rounds):
        cpu = []
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
        cpu_rounds.append(cpu)
    # cpu: this process's CPU time (Django's own work, without the database server's): a figure
    # that a busy machine disturbs less than the wall-clock time.
    return {"url": url, "queries": queries, "bytes": len(response.content), **summary_ms(times), **cpu_figures(cpu_rounds)}


def form_fields(html: str) -> tuple[str, list[list[str]]]:
    """The application form's autosave URL and its fields, as the page's FormData sends them
    (bench/rush.py's reader), without the CSRF token."""
    from rush import FormReader

    reader = FormReader()
    reader.feed(html)
    return reader.autosave_url, [f for f in reader.fields if f[0] != "csrfmiddlewaretoken"]


def as_post_data(fields) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


WRITES = ("INSERT", "UPDATE", "DELETE")


def autosaver(client, edit_url):
    """(autosave URL, save): save(k) posts the whole form as the page's autosave.js sends it
    (JSON, portal/autosave_body.py), 单位意见 carrying the counter k, and keeps the revision each answer gives;
    save(k, changed=False) posts it again as it is. save.timed(k) does the same and returns the
    seconds and CPU seconds of the request alone: the body is encoded before, the answer read
    after, so the figures are the server's work (URL, middleware, view, queries), not the test
    client's."""
    page = client.get(edit_url)
    if page.status_code != 200:
        raise SystemExit(f"{edit_url}: HTTP {page.status_code}")
    url, fields = form_fields(page.content.decode())
    data = as_post_data(fields)
    base_opinion = data["unit_opinion"][0][:1000]

    def timed(k, *, changed=True):
        if changed:
            data["unit_opinion"] = [f"{base_opinion}（第{k}次保存）"]
        body = json.dumps(data, ensure_ascii=False).encode()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(url, body, content_type="application/json", HTTP_X_REQUESTED_WITH="fetch")
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        if response.status_code != 200 or not response.json().get("saved"):
            raise SystemExit(f"{url}: HTTP {response.status_code} {response.content[:300]!r}")
        data["revision"] = [str(response.json()["revision"])]
        return response, seconds, cpu

    def save(k, *, changed=True):
        return timed(k, changed=changed)[0]

    save.timed, save.data, save.fields = timed, data, fields
    return url, save


def measure_save(client, edit_url, *, requests, warmup, rounds=1):
    """A school's autosave, in-process (autosaver): server time, this process's CPU, the queries
    of one save and how many of them write; then the same form posted again unchanged, whose
    queries must write nothing and whose revision must stay."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    url, save = autosaver(client, edit_url)
    data, fields = save.data, save.fields
    k = 0
    for _ in range(warmup):
        k += 1
        save(k)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        k += 1
        response = save(k)
    queries = [q["sql"] for q in captured.captured_queries]
    times, cpu_rounds = [], []
    for _ in range(rounds):
        cpu = []
        for _ in range(requests):
            k += 1
            response, seconds, cpu_seconds = save.timed(k)
            times.append(seconds)
            cpu.append(cpu_seconds)
        cpu_rounds.append(cpu)
    revision = int(data["revision"][0])
    with CaptureQueriesContext(connection) as unchanged:
        unchanged_answer = save(k, changed=False).json()
    unchanged_writes = [q["sql"] for q in unchanged.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    return {
        "url": url, "queries": len(queries), "writes": sum(q.lstrip().upper().startswith(WRITES) for q in queries),
        "bytes": len(response.content), **summary_ms(times), **cpu_figures(cpu_rounds),
        "unchanged_queries": len(unchanged.captured_queries), "unchanged_writes": len(unchanged_writes),
        "unchanged_revision_kept": unchanged_answer["revision"] == revision,
        "fields": len(fields),
    }  # fmt: skip


def script_arguments(*, requests: int, urls: bool = False):
    """The options every page script takes (bench/pages.py, showcase_pages.py, programme_pages.py)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    if urls:
        parser.add_argument("--urls")
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", help="comma-separated page names")
    return parser.parse_args()


def measure_pages(results, urls: dict, client_for, *, requests, warmup, width=17) -> None:
    """measure() each page of `urls` (name → URL) with client_for(name), into results["pages"],
    printing each figure as it comes."""
    for name, url in urls.items():
        rounds = CPU_ROUNDS if name in CPU_BUDGETED else 1
        row = results["pages"][name] = measure(client_for(name), url, requests=requests, warmup=warmup, rounds=rounds)
        rounds_note = f", rounds {row['cpu_p50_rounds']}" if "cpu_p50_rounds" in row else ""
        print(f"    {name:{width}} {row['queries']:3d} queries  p50 {row['p50']:8.1f} ms  p95 {row['p95']:8.1f} ms  (CPU p50 {row['cpu_p50']:.1f} ms{rounds_note}, "
              f"{row['bytes'] // 1024} KB)", flush=True)  # fmt: skip


def main():
    args = script_arguments(requests=30, urls=True)
    django_setup()
    from django.test import Client

    pages, info = targets()
    if args.only:
        pages = {k: v for k, v in pages.items() if k in args.only.split(",")}
    if args.urls:
        from django.conf import settings

        out = {"trivial": {"url": trivial_url(), "cookie": None}}
        for name, (url, user) in pages.items():
            client = signed_in(user) if user is not None else Client(HTTP_HOST="127.0.0.1")
            out[name] = {"url": url, "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value if user is not None else None}
        write_json(args.urls, out)
        return
    results = {"info": info, "pages": {}}
    anonymous = Client(HTTP_HOST="127.0.0.1")
    clients = {name: signed_in(user) if user is not None else Client(HTTP_HOST="127.0.0.1") for name, (_url, user) in pages.items()}
    warm_and_freeze([lambda: anonymous.get(trivial_url())] + [lambda c=clients[n], u=url: c.get(u) for n, (url, _user) in pages.items()])
    results["pages"]["trivial"] = measure(anonymous, trivial_url(), requests=args.requests, warmup=args.warmup)
    measure_pages(results, {name: url for name, (url, _user) in pages.items()}, clients.get, requests=args.requests, warmup=args.warmup)
    if "school_edit" in pages:
        # The autosave of the same draft (the longest plan), measured after its page.
        url, user = pages["school_edit"]
        client = signed_in(user)
        row = results["pages"]["school_save"] = measure_save(client, url, requests=args.requests, warmup=args.warmup, rounds=CPU_ROUNDS)
        print(f"    {'school_save':17} {row['queries']:3d} queries ({row['writes']} writing)  p50 {row['p50']:8.1f} ms  p95 {row['p95']:8.1f} ms  "
              f"(CPU p50 {row['cpu_p50']:.1f} ms, rounds {row.get('cpu_p50_rounds')}); unchanged: {row['unchanged_queries']} queries, {row['unchanged_writes']} writing", flush=True)  # fmt: skip
    results["pages"]["trivial"] = measure(anonymous, trivial_url(), requests=args.requests, warmup=1) | {
        "before": results["pages"]["trivial"]
    }
    row = results["pages"]["trivial"]
    print(f"    {'trivial':17} {row['queries']:3d} queries  p50 {row['p50']:8.1f} ms  p95 {row['p95']:8.1f} ms", flush=True)
    if args.out:
        write_json(args.out, results)


if __name__ == "__main__":
    main()
