"""The national-scale benchmark: data, pages, PDFs, the ZIP job and the deadline rush, measured on
this machine, with the figures printed and written to bench/results.json. Run it with bin/bench
(which sets up the machine and a throwaway PostgreSQL server); see bench/README.md.

    python bench/run.py --pg-url postgres://postgres@127.0.0.1:54350 [--quick] [--only pages,rush]

Everything runs with the production settings (DEBUG off, the manifest static storage, database
sessions) against databases made for the run under var/bench/ and on the PostgreSQL server given,
each filled by `manage.py seed_scale`. Each measurement is a child process, so each database gets
its own settings and each peak memory is that process's own (os.wait4).
"""
import argparse
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, read_json, summary_ms, write_json  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PHASES = ("seed", "pages", "http", "pdf", "zip", "rush", "showcase", "programme")
LIST_PAGES = ("province_queue", "ranking", "expert_home", "public_list", "admin_changelist", "national_list", "progress")
PAGE_LABELS = {
    "school_edit": "the school's application (edit page)",
    "school_detail": "the school's application (read-only page)",
    "province_queue": "provincial queue",
    "ranking": "ranked national table",
    "expert_home": "expert queue",
    "public_list": "public list",
    "admin_changelist": "admin change list (applications)",
    "national_list": "national application list",
    "progress": "review progress",
}
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
BUDGET_PAGE_P95_MS = 150
BUDGET_SEED_SECONDS = 180
BUDGET_PDF_SECONDS = 1.0
BUDGET_ZIP_SECONDS = 180
BUDGET_ZIP_MB = 500
BUDGET_RUSH_P95_MS = 500
# Issue 18: a save's and the edit page's server CPU (in-process, the draft with the longest plan).
BUDGET_SAVE_CPU_MS = 20
BUDGET_EDIT_CPU_MS = 40
# The budgeted rush runs (a save every 3–10 s, 60 s once all arrived): 200 schools on PostgreSQL
# (about 2,000 schools saving once a minute), 100 on SQLite; the others show the headroom.
RUSH_BUDGETED = {"postgresql": 200, "sqlite": 100}
RUSH_LEVELS = {"postgresql": (50, 100, 200, 400), "sqlite": (10, 25, 50, 100, 200)}
# The 项目展示推广网络平台's public pages (bench/showcase_pages.py): 1,000 实验校, 20,000 posts.
SHOWCASE_SCALE = {"schools": 1000, "posts": 20_000}
SHOWCASE_SMALL = {"schools": 10, "posts": 200}
SHOWCASE_LABELS = {
    "showcase_list": "showcase: the 实验校 list",
    "showcase_list_filtered": "showcase: the 实验校 list, by province and project",
    "showcase_search": "showcase: the 实验校 list, a search",
    "showcase_school": "showcase: the busiest 实验校's page",
    "showcase_school_last_page": "showcase: the busiest 实验校's last page of posts",
    "showcase_post": "showcase: a post with its photos",
    "home": "showcase: the home page (news and 成果展示)",
}
# The 实验周期's signed-in pages (bench/programme_pages.py), on the showcase's databases (the same
# batch: 1,000 实验校 in year 2 of their cycle with two years of activities, reports, certificates).
PROGRAMME_LABELS = {
    "staff_schools": "programme: the 实验校 list (project group)",
    "staff_schools_province": "programme: the 实验校 list, the heaviest province",
    "staff_school": "programme: the page of the 实验校 with the most invitations",
    "staff_activities": "programme: the activity list",
    "staff_activity": "programme: the busiest closed activity's page",
    "staff_activity_upcoming": "programme: the busiest activity to come (invite form, leave requests)",
    "staff_attendance": "programme: the attendance sheet of the activity being marked",
    "staff_attendance_search": "programme: the attendance sheet, a search by name",
    "staff_exits": "programme: the exit queue (七.7)",
    "report_staff_list": "programme: the 年度工作报告 list (project group)",
    "report_totals": "programme: the totals of people reached",
    "school_workspace": "programme: the 实验校's workspace (/dashboard/)",
    "school_team": "programme: the 实验校's team page",
    "report_expert_list": "programme: the busiest expert's 年度工作报告",
    "evaluation_ranking": "programme: the 优质校评估's ranked table (project group)",
    "evaluation_expert_home": "programme: the busiest expert's 优质校评估 to score",
}
BUDGET_PROGRAMME_SEED_SECONDS = 90
THINK = "3,10"  # seconds between one school's saves (bench/rush.py)


def tree_memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in kB of a process and all its descendants, summed. PSS shares each page among
    the processes that map it (forked helpers share most of their parent's pages), so its sum is
    the memory the tree really takes; RSS counts a shared page in every process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    pss = rss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        stack += children.get(current, [])
        try:
            with open(f"/proc/{current}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
        except OSError:
            continue
    return pss, rss


class Bench:
    def __init__(self, args):
        self.args = args
        self.n = args.applications or (1000 if args.quick else 10_000)
        self.small = 100
        self.work = ROOT / "var" / "bench"
        self.work.mkdir(parents=True, exist_ok=True)
        self.results: list[dict] = []
        self.phase = None
        self.notes: dict = {"applications": self.n, "quick": args.quick, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        self.env = self.base_env()
        self.dbs = {"sqlite": {}, "postgresql": {}}
        for size in (self.small, self.n):
            self.dbs["sqlite"][size] = f"sqlite:///{self.work / f'bench-{size}.sqlite3'}"
            if args.pg_url:
                self.dbs["postgresql"][size] = f"{args.pg_url.rstrip('/')}/bench_{size}"
        if not args.pg_url:
            del self.dbs["postgresql"]

    # ---- plumbing ---------------------------------------------------------------------------

    def base_env(self) -> dict:
        """The production settings, from the environment only (as bin/smoke sets them), with the
        three TLS settings a plain-HTTP loopback needs turned off."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "AWS_", "SECURE_", "SESSION_COOKIE", "CSRF_COOKIE"))}
        env.update({
            "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_ROOT": str(self.work / "static"), "PRIVATE_MEDIA_ROOT": str(self.work / "uploads"),
            "EMAIL_URL": "consolemail://", "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING", "BEHIND_PROXY": "false", "PROTECTED_FILES_SERVER": "django",
            "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0", "PYTHONUNBUFFERED": "1",
        })  # fmt: skip
        return env

    def run(self, cmd, *, db=None, log=None, check=True, extra_env=None):
        """Run a child to the end; returns (seconds, peak RSS in MB of the child)."""
        env = dict(self.env, **(extra_env or {}))
        if db:
            env["DATABASE_URL"] = db
        out = open(log, "ab") if log else None
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out or None, stderr=subprocess.STDOUT if out else None)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if out:
            out.close()
        if check and process.returncode != 0:
            if log:
                sys.stderr.write(Path(log).read_text(errors="replace")[-4000:])
            raise SystemExit(f"failed ({process.returncode}): {' '.join(map(str, cmd))}")
        return seconds, usage.ru_maxrss / 1024

    def manage(self, *args, db=None, log=None):
        return self.run([PY, "manage.py", *args], db=db, log=log)

    def add(self, name, value, unit, budget=None, met=None, *, below=True):
        """One figure of results.json. With a budget, met says whether the value keeps to it."""
        row = {"name": name, "value": value, "unit": unit, "phase": self.phase}
        if budget is not None:
            row["budget"] = budget
            row["met"] = bool(met) if met is not None else (value < budget if below else value >= budget)
        else:
            row["met"] = True if met is None else bool(met)
        self.results.append(row)
        return row

    def say(self, text):
        print(f"\033[1m==> [{time.strftime('%H:%M:%S')}] {text}\033[0m", flush=True)

    # ---- databases ---------------------------------------------------------------------------

    def create_database(self, engine, size):
        url = self.dbs[engine][size]
        if engine == "sqlite":
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            import psycopg

            name = url.rsplit("/", 1)[1]
            with psycopg.connect(f"{self.args.pg_url.rstrip('/')}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')

    def seed(self):
        self.say(f"Databases: migrate and seed_scale ({self.small} and {self.n} applications, SQLite and PostgreSQL)")
        for engine in self.dbs:
            for size in (self.small, self.n):
                db = self.dbs[engine][size]
                log = self.work / f"seed-{engine}-{size}.log"
                log.unlink(missing_ok=True)
                self.create_database(engine, size)
                self.manage("migrate", "--noinput", "-v0", db=db, log=log)
                seconds, rss = self.manage("seed_scale", "--applications", str(size), "--published", "--password", "bench-pass-2023", db=db, log=log)
                print(f"    {ENGINES[engine]}, {size} applications: seed_scale {seconds:.0f} s, peak RSS {rss:.0f} MB", flush=True)
                if size == self.n:
                    self.add(f"seed_scale {size} applications, {ENGINES[engine]}: time", round(seconds, 1), "s",
                             BUDGET_SEED_SECONDS if engine == "sqlite" else None)  # fmt: skip
                    self.add(f"seed_scale {size} applications, {ENGINES[engine]}: peak memory", round(rss), "MB")

    # ---- pages in-process --------------------------------------------------------------------

    def pages(self):
        self.say(f"Server time and queries of the key pages, in-process (test client, {self.args.requests} timed requests each)")
        measured = {}
        for engine in self.dbs:
            for size in (self.small, self.n):
                print(f"  {ENGINES[engine]}, {size} applications:", flush=True)
                out = self.work / f"pages-{engine}-{size}.json"
                self.run([PY, "bench/pages.py", "--out", str(out), "--requests", str(self.args.requests)], db=self.dbs[engine][size],
                         log=None)  # fmt: skip
                measured[engine, size] = read_json(out)
        self.notes["pages"] = {f"{e}-{s}": m["info"] for (e, s), m in measured.items()}
        for engine in self.dbs:
            big, small = measured[engine, self.n]["pages"], measured[engine, self.small]["pages"]
            trivial = big["trivial"]
            self.add(f"trivial view ({trivial['url']}), {ENGINES[engine]}, {self.n} applications: server time p50", trivial["p50"], "ms")
            for page, label in PAGE_LABELS.items():
                row = big[page]
                budget = BUDGET_PAGE_P95_MS if engine == "postgresql" else None
                self.add(f"{label}, {ENGINES[engine]}, {self.n} applications: server time p50", row["p50"], "ms")
                self.add(f"{label}, {ENGINES[engine]}, {self.n} applications: server time p95", row["p95"], "ms", budget)
                self.add(f"{label}, {ENGINES[engine]}, {self.n} applications: server time p50 / trivial view p50",
                         round(row["p50"] / max(trivial["p50"], 0.1), 1), "×")  # fmt: skip
                self.add(f"{label}, {ENGINES[engine]}, {self.n} applications: Django's CPU time p50 (without the database server's)",
                         row["cpu_p50"], "ms", BUDGET_EDIT_CPU_MS if page == "school_edit" else None)  # fmt: skip
                self.cpu_rounds(f"{label}, {ENGINES[engine]}, {self.n} applications", row)
                self.add(f"{label}, {ENGINES[engine]}, {self.n} applications: database queries", row["queries"], "queries")
                same = small[page]["queries"] == row["queries"]
                if page in LIST_PAGES:
                    self.add(f"{label}, {ENGINES[engine]}: queries at {self.small} vs {self.n} applications (difference)",
                             row["queries"] - small[page]["queries"], "queries", 0, same)  # fmt: skip
            self.save_results(engine, big["school_save"], small["school_save"])

    def cpu_rounds(self, what, row):
        """Each round's CPU median of a page measured in rounds (bench/pages.py CPU_ROUNDS: the
        budgeted figure is the quietest round's)."""
        for number, median in enumerate(row.get("cpu_p50_rounds", []), 1):
            self.add(f"{what}: Django's CPU time p50, round {number} of {len(row['cpu_p50_rounds'])}", median, "ms")

    def save_results(self, engine, row, small):
        """The autosave of the edit page's draft (bench/pages.py measure_save): its CPU held to
        BUDGET_SAVE_CPU_MS, what it writes, and that the same form posted unchanged writes nothing."""
        what = f"the school's autosave (the longest plan, one field changed), {ENGINES[engine]}, {self.n} applications"
        self.add(f"{what}: server time p50", row["p50"], "ms")
        self.add(f"{what}: server time p95", row["p95"], "ms")
        self.add(f"{what}: Django's CPU time p50 (without the database server's)", row["cpu_p50"], "ms", BUDGET_SAVE_CPU_MS)
        self.cpu_rounds(what, row)
        self.add(f"{what}: database queries", row["queries"], "queries")
        self.add(f"{what}: queries that write", row["writes"], "queries")
        self.add(f"{what}: answer size", round(row["bytes"] / 1024, 1), "KB")
        self.add(f"{what}: queries at {self.small} vs {self.n} applications (difference)", row["queries"] - small["queries"], "queries", 0,
                 row["queries"] == small["queries"])  # fmt: skip
        unchanged = f"the same autosave posted again unchanged, {ENGINES[engine]}, {self.n} applications"
        self.add(f"{unchanged}: queries that write", row["unchanged_writes"], "queries", 0, row["unchanged_writes"] == 0)
        self.add(f"{unchanged}: revision kept", int(row["unchanged_revision_kept"]), "boolean", 1, row["unchanged_revision_kept"])

    # ---- the showcase's public pages ------------------------------------------------------------

    def showcase(self):
        """The 项目展示推广网络平台's public pages on SQLite (and PostgreSQL when given): databases of
        their own (seed_showcase_scale), in-process like `pages`; p95 held to the page budget, and
        the queries at 10 实验校 / 200 posts to those at 1,000 / 20,000."""
        scale, small = SHOWCASE_SCALE, SHOWCASE_SMALL
        self.say(f"The showcase's public pages: {scale['schools']} 实验校 and {scale['posts']} published posts, in-process")
        measured = {}
        for engine in self.dbs:
            for label, size in (("small", small), ("big", scale)):
                key = f"showcase-{label}"
                seconds = self.seed_showcase_database(engine, key, size)
                print(f"  {ENGINES[engine]}, {size['schools']} 实验校 / {size['posts']} posts (seeded in {seconds:.0f} s):", flush=True)
                out = self.work / f"{key}-{engine}.json"
                self.run([PY, "bench/showcase_pages.py", "--out", str(out), "--requests", str(self.args.requests)], db=self.dbs[engine][key])
                measured[engine, label] = read_json(out)
        self.notes["showcase"] = {f"{e}-{label}": m["info"] for (e, label), m in measured.items()}
        self.scaled_page_figures(measured, SHOWCASE_LABELS, f"{scale['schools']} 实验校, {scale['posts']} posts")

    def scaled_page_figures(self, measured, labels, size):
        """The figures of pages measured at SHOWCASE_SMALL and SHOWCASE_SCALE (`measured`: by engine
        and "small"/"big"): p50, p95 held to the page budget, CPU, queries, and the queries' difference."""
        small, scale = SHOWCASE_SMALL, SHOWCASE_SCALE
        for engine in self.dbs:
            big, few = measured[engine, "big"]["pages"], measured[engine, "small"]["pages"]
            for page, label in labels.items():
                row = big[page]
                self.add(f"{label}, {ENGINES[engine]}, {size}: server time p50", row["p50"], "ms")
                self.add(f"{label}, {ENGINES[engine]}, {size}: server time p95", row["p95"], "ms", BUDGET_PAGE_P95_MS)
                self.add(f"{label}, {ENGINES[engine]}, {size}: Django's CPU time p50 (without the database server's)", row["cpu_p50"], "ms")
                self.add(f"{label}, {ENGINES[engine]}, {size}: database queries", row["queries"], "queries")
                self.add(f"{label}, {ENGINES[engine]}: queries at {small['schools']} vs {scale['schools']} 实验校 (difference)",
                         row["queries"] - few[page]["queries"], "queries", 0, row["queries"] == few[page]["queries"])  # fmt: skip

    # ---- the 实验周期's signed-in pages -----------------------------------------------------------

    def programme(self):
        """The programme/ pages as the project group, a 实验校 and an expert open them, on the
        showcase's databases (seed_showcase_scale seeds the 实验周期 of the same batch): those the
        showcase phase made in this run, else seeded here (timed: budget on SQLite). p95 held to the
        page budget, the queries at 10 实验校 to those at 1,000."""
        scale, small = SHOWCASE_SCALE, SHOWCASE_SMALL
        self.say(f"The 实验周期's signed-in pages: {scale['schools']} 实验校 in year 2 of their cycle, in-process")
        measured = {}
        for engine in self.dbs:
            for label, size in (("small", small), ("big", scale)):
                key = f"showcase-{label}"
                if f"{engine}-{label}" in self.notes.get("showcase", {}):
                    print(f"  {ENGINES[engine]}, {size['schools']} 实验校 (the showcase phase's database):", flush=True)
                else:
                    seconds = self.seed_showcase_database(engine, key, size)
                    print(f"  {ENGINES[engine]}, {size['schools']} 实验校 (seeded in {seconds:.0f} s):", flush=True)
                    if label == "big":
                        self.add(f"seed_showcase_scale {size['schools']} 实验校 with their 实验周期 and {size['posts']} posts, {ENGINES[engine]}: time",
                                 round(seconds, 1), "s", BUDGET_PROGRAMME_SEED_SECONDS if engine == "sqlite" else None)  # fmt: skip
                out = self.work / f"programme-{label}-{engine}.json"
                self.run([PY, "bench/programme_pages.py", "--out", str(out), "--requests", str(self.args.requests)], db=self.dbs[engine][key])
                measured[engine, label] = read_json(out)
        self.notes["programme"] = {f"{e}-{label}": m["info"] for (e, label), m in measured.items()}
        self.scaled_page_figures(measured, PROGRAMME_LABELS, f"{scale['schools']} 实验校")

    def seed_showcase_database(self, engine, key, size) -> float:
        """A database of its own for `key` (as the showcase phase makes them), migrated and filled by
        seed_showcase_scale; returns the seed's seconds."""
        if engine == "sqlite":
            self.dbs["sqlite"][key] = f"sqlite:///{self.work / f'bench-{key}.sqlite3'}"
        else:
            self.dbs["postgresql"][key] = f"{self.args.pg_url.rstrip('/')}/bench_{key.replace('-', '_')}"
        db, log = self.dbs[engine][key], self.work / f"seed-{engine}-{key}.log"
        log.unlink(missing_ok=True)
        self.create_database(engine, key)
        self.manage("migrate", "--noinput", "-v0", db=db, log=log)
        seconds, _rss = self.manage("seed_showcase_scale", "--schools", str(size["schools"]), "--posts", str(size["posts"]), db=db, log=log)
        return seconds

    # ---- gunicorn ---------------------------------------------------------------------------

    def free_port(self) -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def start_gunicorn(self, db, label):
        port = self.free_port()
        conf = ROOT / "deploy" / "gunicorn.conf.py"
        log = self.work / f"gunicorn-{label}.log"
        log.unlink(missing_ok=True)
        env = dict(self.env, DATABASE_URL=db, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_ACCESSLOG=str(self.work / f"access-{label}.log"))
        if conf.exists():
            cmd = [GUNICORN, "-c", str(conf)]
        else:  # before deploy/gunicorn.conf.py existed: the same choices as flags
            cmd = [GUNICORN, "portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(2 * os.cpu_count() + 1)]
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    self.notes.setdefault("gunicorn", {})[label] = {"command": " ".join(cmd), "workers": self.env.get("WEB_CONCURRENCY", "2 × cores + 1")}
                    return process, f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.3)
        process.terminate()
        raise SystemExit(f"gunicorn did not answer /healthz; see {log}")

    def gunicorn_workers(self) -> int:
        return int(self.env.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)

    def stop(self, process):
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    # ---- pages over HTTP -------------------------------------------------------------------

    def http_pages(self):
        if "postgresql" not in self.dbs:
            return
        self.say(f"The same pages over HTTP: gunicorn (deploy/gunicorn.conf.py) + PostgreSQL, {self.n} applications, one client")
        db = self.dbs["postgresql"][self.n]
        urls_file = self.work / "http-urls.json"
        self.run([PY, "bench/pages.py", "--urls", str(urls_file)], db=db)
        urls = read_json(urls_file)
        server, base = self.start_gunicorn(db, "pages")
        try:
            port = int(base.rsplit(":", 1)[1])
            timings = {}
            for name, spec in [("trivial", urls["trivial"])] + [(k, v) for k, v in urls.items() if k != "trivial"]:
                headers = {"Cookie": f"sessionid={spec['cookie']}"} if spec["cookie"] else {}
                times = []
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                warmup = 3 * self.gunicorn_workers()  # every worker compiles its templates once
                for i in range(warmup + self.args.requests):
                    started = time.perf_counter()
                    conn.request("GET", spec["url"], headers=headers)
                    response = conn.getresponse()
                    response.read()
                    if response.status != 200:
                        raise SystemExit(f"{spec['url']}: HTTP {response.status} over HTTP")
                    if i >= warmup:
                        times.append(time.perf_counter() - started)
                    if response.will_close:
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                timings[name] = summary_ms(times)
                print(f"    {name:17} p50 {timings[name]['p50']:8.1f} ms  p95 {timings[name]['p95']:8.1f} ms", flush=True)
        finally:
            self.stop(server)
        trivial = timings["trivial"]
        self.add(f"trivial view over HTTP (gunicorn + PostgreSQL, {self.n} applications): p50", trivial["p50"], "ms")
        for page, label in PAGE_LABELS.items():
            row = timings[page]
            self.add(f"{label} over HTTP (gunicorn + PostgreSQL, {self.n} applications): p50", row["p50"], "ms")
            self.add(f"{label} over HTTP (gunicorn + PostgreSQL, {self.n} applications): p95", row["p95"], "ms", BUDGET_PAGE_P95_MS)
            self.add(f"{label} over HTTP (gunicorn + PostgreSQL, {self.n} applications): p50 / trivial view p50",
                     round(row["p50"] / max(trivial["p50"], 0.1), 1), "×")  # fmt: skip

    # ---- PDF and ZIP --------------------------------------------------------------------------

    def main_db(self):
        return self.dbs["postgresql"][self.n] if "postgresql" in self.dbs else self.dbs["sqlite"][self.n]

    def main_engine(self):
        return "PostgreSQL" if "postgresql" in self.dbs else "SQLite"

    def pdf(self):
        self.say("One application PDF: 20 renders after a cold one")
        out = self.work / "pdf.json"
        _seconds, rss = self.run([PY, "bench/pdf.py", "--count", "20", "--out", str(out)], db=self.main_db())
        r = read_json(out)
        print(f"    peak RSS of the rendering process {rss:.0f} MB", flush=True)
        self.add("application PDF: median render time", round(r["median_ms"] / 1000, 3), "s", BUDGET_PDF_SECONDS)
        self.add("application PDF: worst render time (of 20, longest plans included)", round(r["renders"]["max"] / 1000, 3), "s", BUDGET_PDF_SECONDS)
        self.add("application PDF: first render in a fresh process (fonts loaded)", r["cold_seconds"], "s")
        self.add("application PDF: peak memory of the rendering process (RSS)", round(rss), "MB")
        self.add("application PDF: Python heap peak of one render (tracemalloc)", r["python_heap_peak_mb"], "MB")
        self.add("application PDF: most pages", r["pages_max"], "pages")
        self.add("application PDF: median layout time as a plain PDF (same HTML)", round(r["plain_layout"]["p50"] / 1000, 3), "s")
        self.add("application PDF: median layout time as PDF/A-2b (the archived copy)", round(r["pdfa_layout"]["p50"] / 1000, 3), "s")
        self.add("application PDF: median extra time PDF/A-2b takes over a plain PDF", round(r["pdfa_extra_median_ms"] / 1000, 3), "s")

    def zip(self):
        self.say("ZIP of 320 application PDFs through the background job (manage.py db_worker)")
        db = self.main_db()
        job_file, done_file = self.work / "zip-job.json", self.work / "zip-done.json"
        self.run([PY, "bench/zipjob.py", "enqueue", "--count", "320", "--out", str(job_file)], db=db)
        log = self.work / "db_worker.log"
        log.unlink(missing_ok=True)
        # As deploy/systemd/portal-worker.service runs it, plus --batch: exit once the queue is empty.
        cmd = [PY, "manage.py", "db_worker", "--queue-name", "*", "--no-reload", "--batch", "--no-startup-delay"]
        processes = int(self.env.get("PDF_EXPORT_PROCESSES") or min(2, os.cpu_count() or 1))
        started = time.perf_counter()
        out = open(log, "ab")
        worker = subprocess.Popen(cmd, cwd=ROOT, env=dict(self.env, DATABASE_URL=db), stdout=out, stderr=subprocess.STDOUT)
        peak_pss = peak_rss_sum = 0
        while worker.poll() is None:
            pss, rss = tree_memory(worker.pid)
            peak_pss, peak_rss_sum = max(peak_pss, pss), max(peak_rss_sum, rss)
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        out.close()
        if worker.returncode != 0:
            raise SystemExit(f"db_worker failed; see {log}")
        self.run([PY, "bench/zipjob.py", "check", "--job", str(job_file), "--out", str(done_file)], db=db)
        done = read_json(done_file)
        ok = done["state"] == "done" and done["done"] == done["total"] == read_json(job_file)["count"]
        print(f"    {done['done']}/{done['total']} PDFs, state {done['state']}, {done['bytes'] / 2**20:.1f} MB ZIP; worker {seconds:.0f} s "
              f"(job {done['queued_to_finished_seconds']:.0f} s) with {processes} PDF processes; peak memory {peak_pss / 1024:.0f} MB PSS "
              f"({peak_rss_sum / 1024:.0f} MB RSS summed)", flush=True)  # fmt: skip
        what = f"ZIP of 320 application PDFs ({self.main_engine()}, db_worker with {processes} PDF processes)"
        self.add(f"{what}: job finished with every PDF", int(ok), "boolean", 1, ok)
        self.add(f"{what}: worker wall time (start to exit)", round(seconds, 1), "s", BUDGET_ZIP_SECONDS)
        self.add(f"{what}: peak memory, worker and its PDF processes together (PSS)", round(peak_pss / 1024), "MB", BUDGET_ZIP_MB)
        self.add(f"{what}: peak memory, RSS summed over the processes (shared pages counted in each)", round(peak_rss_sum / 1024), "MB")
        self.add(f"{what}: size", round(done["bytes"] / 2**20, 1), "MB")

    # ---- deadline rush ----------------------------------------------------------------------

    def rush_one(self, base, db, schools, label, concurrency, duration, think):
        before = self.work / f"rush-{label}-before.json"
        out, checked = self.work / f"rush-{label}.json", self.work / f"rush-{label}-verify.json"
        self.run([PY, "bench/rush.py", "before", "--schools", str(schools), "--concurrency", str(concurrency), "--out", str(before)], db=db)
        self.run([PY, "bench/rush.py", "run", "--url", base, "--schools", str(schools), "--concurrency", str(concurrency), "--duration", str(duration),
                  "--think", think, "--label", label, "--before", str(before), "--out", str(out),
                  "--warmup", str(4 * self.gunicorn_workers())])  # fmt: skip
        self.run([PY, "bench/rush.py", "verify", "--run", str(out), "--out", str(checked)], db=db)
        result, verified = read_json(out), read_json(checked)
        result.pop("schools", None)
        result.pop("before", None)
        result["verify"] = verified
        return result

    def rush(self):
        self.say("Deadline rush: simulated schools loading and saving their drafts over HTTP (gunicorn)")
        duration, short = self.args.rush_seconds, max(10, self.args.rush_seconds // 3)
        self.notes["rush"] = {}
        for engine in self.dbs:
            db = self.dbs[engine][self.n]
            budgeted = min(RUSH_BUDGETED[engine], self.args.rush_max)
            levels = sorted({c for c in RUSH_LEVELS[engine] if c <= self.args.rush_max} | {budgeted})
            schools = self.work / f"rush-schools-{engine}.json"
            self.run([PY, "bench/rush.py", "prepare", "--count", str(max(levels + [50])), "--out", str(schools)], db=db)
            available = len(read_json(schools))
            server, base = self.start_gunicorn(db, f"rush-{engine}")
            try:
                prefix = "pg" if engine == "postgresql" else "sqlite"
                # The budgeted level runs the full length; the others a third of it.
                runs = [(f"{prefix}-{c}", c, duration if c == budgeted else short, THINK, c == budgeted) for c in levels]
                runs.append((f"{prefix}-50-no-pause", 50, short, "0,0", False))
                for label, concurrency, seconds, think, budgeted in runs:
                    if concurrency > available:
                        print(f"    {label}: skipped, only {available} drafts in the data", flush=True)
                        continue
                    result = self.rush_one(base, db, schools, label, concurrency, seconds, think)
                    self.notes["rush"][label] = result
                    self.rush_results(engine, label, result, budgeted)
            finally:
                self.stop(server)

    def rush_results(self, engine, label, r, budgeted):
        think = "no pause between saves" if r["think"] == [0, 0] else f"a save every {r['think'][0]:g}–{r['think'][1]:g} s"
        what = f"deadline rush, {ENGINES[engine]}, {r['concurrency']} schools arriving {r.get('spawn_rate', 5):g}/s, {think}, {r['duration']:g} s once all arrived"
        lat = r["latency"] or {"p50": None, "p95": None, "p99": None}
        budget = budgeted
        self.add(f"{what}: throughput", r["throughput"], "requests/s")
        self.add(f"{what}: saves", r["saves"], "saves")
        self.add(f"{what}: latency p50", lat["p50"], "ms")
        self.add(f"{what}: latency p95", lat["p95"], "ms", BUDGET_RUSH_P95_MS if budget else None)
        self.add(f"{what}: latency p99", lat["p99"], "ms")
        for kind, kind_label in (("autosave", "autosaves"), ("save", "保存草稿 (POST and redirect)"), ("get", "edit page loads")):
            if (r.get("by_kind") or {}).get(kind):
                self.add(f"{what}: latency p95 of the {kind_label} alone", r["by_kind"][kind]["p95"], "ms")
        self.add(f"{what}: errors", r["errors"], "requests", 0 if budget else None, r["errors"] == 0 if budget else None)
        lost = r["verify"]["lost"] + r["verify"]["revision_short"]
        self.add(f"{what}: saves not found in the database afterwards", lost, "saves", 0 if budget else None, lost == 0 if budget else None)
        if not budgeted:
            kept = r["errors"] == 0 and lost == 0 and lat["p95"] is not None and lat["p95"] < BUDGET_RUSH_P95_MS
            self.add(f"{what}: keeps to the rush budget (no error, no lost save, p95 < {BUDGET_RUSH_P95_MS} ms)", int(kept), "boolean")

    # ---- the run -----------------------------------------------------------------------------

    def main(self):
        phases = self.args.only.split(",") if self.args.only else list(PHASES)
        started = time.perf_counter()
        self.say(f"Benchmark with {self.n} applications ({'quick' if self.args.quick else 'full'}); work files in {self.work}")
        self.notes["machine"] = {"cores": os.cpu_count(), "load_average_at_start": os.getloadavg()}
        self.manage("collectstatic", "--noinput", "-v0")
        for phase in phases:
            self.phase = phase
            {"seed": self.seed, "pages": self.pages, "http": self.http_pages, "pdf": self.pdf, "zip": self.zip, "rush": self.rush,
             "showcase": self.showcase, "programme": self.programme}[phase]()
        self.notes["machine"]["load_average_at_end"] = os.getloadavg()
        self.notes["minutes"] = round((time.perf_counter() - started) / 60, 1)
        out = Path(self.args.out)
        if self.args.only and out.exists():
            # Only some phases ran: their figures replace the same figures of the earlier run, the
            # others stay as they were.
            # A phase that ran replaces all its figures (also those whose names it no longer gives).
            fresh = {r["name"] for r in self.results}
            self.results = [r for r in read_json(out) if r["name"] not in fresh and r.get("phase") not in phases] + self.results
        write_json(out, self.results)
        write_json(self.work / "notes.json", self.notes)
        self.report(out)

    def report(self, out):
        missed = [r for r in self.results if "budget" in r and not r["met"]]
        budgeted = [r for r in self.results if "budget" in r]
        print()
        print(f"{'figure':<120} {'value':>10} {'unit':<11} budget")
        for r in self.results:
            mark = "" if "budget" not in r else ("met" if r["met"] else "MISSED")
            budget = f"< {r['budget']}" if "budget" in r and r["unit"] not in ("boolean", "queries", "requests", "saves") else (f"= {r['budget']}" if "budget" in r else "")
            print(f"{r['name']:<120} {r['value']!s:>10} {r['unit']:<11} {budget} {mark}")
        print()
        print(f"{len(budgeted) - len(missed)} of {len(budgeted)} budgets met; figures in {out}, details in {self.work / 'notes.json'} "
              f"({self.notes['minutes']} minutes)")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", help="a PostgreSQL server (postgres://user@host:port) on which the run may create databases")
    parser.add_argument("--quick", action="store_true", help="1,000 applications instead of 10,000, shorter rush")
    parser.add_argument("--applications", type=int, help="size of the big data set (default 10,000; 1,000 with --quick)")
    parser.add_argument("--only", help=f"comma-separated phases of {','.join(PHASES)} (the databases of an earlier run are reused)")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page (default 60: a p95 of 30 would be the second-slowest)")
    parser.add_argument("--rush-seconds", type=int, default=60, help="length of the budgeted rush run (default 60; others a third)")
    parser.add_argument("--rush-max", type=int, default=400, help="most simulated schools in the rush ramp (default 400)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    if args.quick and args.rush_seconds == 60:
        args.rush_seconds = 30
    Bench(args).main()


if __name__ == "__main__":
    main()
