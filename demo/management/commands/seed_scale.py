"""A batch at national scale, for benchmarks: `python manage.py seed_scale --applications 10000`.

Schools from all 32 provincial units (weighted like the real spread of vocational schools), one
account per school, provincial windows and their reviewers, 200 experts in 13 provinces, and a
batch as it stands in the middle of the national review: drafts still being written, submissions
waiting in provincial queues, forwarded sets, formal checks, conflict-free assignments
(review.assignment.plan_assignments), submitted and draft expert reviews with their criterion
scores and stored weighted totals, the top 3.2 % selected (320 of 10,000, the real second batch's
size), some not selected. Plans run 2,000–6,000 字 for every application past the draft, made
from a pool of sentences; version codes come from Application.content_fingerprint, so uploaded
scans are current.

Rows are written with bulk_create in one transaction, so the services' side effects are skipped on
purpose: no mail is queued and django-simple-history records no history for generated rows (it
records on save(), which bulk_create does not call). Scans share one small stored file. Where an
application stands is its status (applications.models.Status); its timeline is a chain of moves
(Timeline.move), each starting where the one before ended, and the run stops if one ends anywhere
but in the status the application is stored with.

Each run adds a new batch (schools, experts and accounts are reused); --reset first deletes the
batches earlier runs made (and only those).
"""
import io
import random
import secrets
import time
from collections import namedtuple
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Count
from django.utils import timezone

from applications.models import (
    Application, Batch, ProjectCategory, ProvincialWindow, Route, SignedScan, Status, TeamMember, TimelineEntry,
)  # fmt: skip
from applications.services import application_number
from applications.workflow import find_move
from applications.wordcount import count_zi
from portal.models import Association, Province, Role, School, SchoolType
from review import expert_assignment, rubric
from review.assignment import Candidate, plan_assignments
from demo.management.commands import _scale_data as data
from review.models import (
    Assignment, AssignmentRun, ConflictDeclaration, Criterion, CriterionScore, DeadlineReminder, ExpertProfile, ExpertReview,
    ExpertTally, ExportJob, FormalCheck, Forwarding, ProvincialReview, ReviewTally, Rubric,
)  # fmt: skip
from review.roles import sync_staff_group
from review.scoring import weighted_total
from review.tallies import rebuild_tallies

User = get_user_model()

DOCUMENT_PREFIX = "规模测试"
EMAIL_DOMAIN = "scale.example.cn"
SELECTED_SHARE = 0.032  # 320 of 10,000
BULK = 2000
# Where a generated application ends up is its status (applications.models.Status), except for one
# state the status does not tell apart: returned by the project group for 补正 (status returned,
# with a correction deadline), not by the province.
CORRECTION = "correction"
DECIDED = (Status.SELECTED, Status.NOT_SELECTED)
# An expert's review: submitted, a draft, or (None) not begun.
SUBMITTED, DRAFTED = ExpertReview.State.SUBMITTED, ExpertReview.State.DRAFT


Row = namedtuple("Row", "name title department mobile duty")  # a team member, as content_fingerprint reads it
EVENT_COLUMNS = ("application", "at", "actor", "action", "from_status", "to_status", "comment", "internal_comment", "visible_to_school")


def insert_rows(model, names, rows, chunk: int = 5000) -> int:
    """INSERT plain tuples (values in the order of `names`) with executemany: several times
    faster than bulk_create for the big child tables, whose rows we never need back."""
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")  # fmt: skip
    prepare = [f.get_db_prep_save for f in fields]
    count, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append([prep(value, connection) for prep, value in zip(prepare, row)])
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


@contextmanager
def explicit_times(*fields):
    """Let bulk_create keep the times we set on auto_now/auto_now_add fields (generated history
    has plausible dates, not all "now")."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def field(model, name):
    return model._meta.get_field(name)


def apportion(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder method)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    shares = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)[: total - sum(shares)]:
        shares[i] += 1
    return shares


class Command(BaseCommand):
    help = "生成全国规模的测试批次（默认 10,000 份申请），用于性能测试。每次运行新增一个批次；--reset 先删除以前生成的批次。"

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=10_000, help="申请份数（默认 10000）")
        parser.add_argument("--experts", type=int, default=200, help="专家人数（默认 200）")
        parser.add_argument("--reviews", type=int, default=3, help="每份申请的评审专家数（默认 3）")
        parser.add_argument("--reset", action="store_true", help="先删除以前由 seed_scale 生成的批次")
        parser.add_argument("--published", action="store_true", help="把名单标为已公布（公开名单页显示入选学校）")
        parser.add_argument("--seed", type=int, default=2023, help="随机数种子（默认 2023）")
        parser.add_argument("--password", help="生成账号的密码；不提供时随机生成并打印")

    def handle(self, *args, applications, experts, reviews, reset, published, seed, password, **options):
        if applications < 1 or experts < reviews + 1 or reviews < 1:
            raise CommandError("申请份数至少 1；专家人数须多于每份申请的评审专家数。")
        started = time.perf_counter()
        if reset:
            removed = reset_generated()
            self.stdout.write(f"已删除以前生成的批次 {removed} 个。")
        generated = password is None
        password = password or secrets.token_urlsafe(9)
        with transaction.atomic():
            generator = ScaleGenerator(
                applications=applications, experts=experts, reviews=reviews, published=published, seed=seed,
                password_hash=make_password(password), log=self.stdout.write,
            )  # fmt: skip
            batch = generator.run()
        # Statistics for the query planner after a bulk load (PostgreSQL: and the visibility map,
        # which index-only scans need), as autovacuum would make them some time later.
        # VACUUM cannot run inside a transaction (a caller's, as in the tests): ANALYZE can.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        seconds = time.perf_counter() - started
        counts = dict(Application.objects.filter(batch=batch).values("status").annotate(n=Count("pk")).values_list("status", "n"))
        summary = "，".join(f"{Status(s).label} {counts[s]}" for s in Status.values if counts.get(s))
        self.stdout.write(f"批次：{batch}（id {batch.pk}）；{summary}")
        self.stdout.write(
            "账号：scale-staff（项目组）、scale-admin（超级管理员）、scale-province-<省代码>（省级协会）、"
            "scale-expert-001…、scale-school-<学校 id>；密码：" + password + ("（随机生成，请记下）" if generated else "")
        )
        self.stdout.write(self.style.SUCCESS(f"生成 {applications} 份申请用时 {seconds:.1f} 秒。"))


def reset_generated() -> int:
    """Delete the batches seed_scale made, with everything hanging off them, in plain DELETEs
    (the ORM's cascade would load every row to send signals and write history)."""
    batches = Batch.objects.filter(document_number__startswith=DOCUMENT_PREFIX)
    ids = list(batches.values_list("pk", flat=True))
    if not ids:
        return 0
    using = DEFAULT_DB_ALIAS
    in_batch = {"application__batch_id__in": ids}
    with transaction.atomic():
        for qs in (
            CriterionScore.objects.filter(review__assignment__application__batch_id__in=ids),
            ExpertReview.objects.filter(assignment__application__batch_id__in=ids),
            Assignment.objects.filter(**in_batch),
            ReviewTally.objects.filter(batch_id__in=ids),
            ExpertTally.objects.filter(batch_id__in=ids),
            AssignmentRun.objects.filter(batch_id__in=ids),
            ConflictDeclaration.objects.filter(**in_batch),
            FormalCheck.objects.filter(**in_batch),
            ProvincialReview.objects.filter(**in_batch),
            DeadlineReminder.objects.filter(**in_batch),
            DeadlineReminder.objects.filter(window__batch_id__in=ids),
            TimelineEntry.objects.filter(**in_batch),
            SignedScan.objects.filter(**in_batch),
            TeamMember.objects.filter(**in_batch),
            Application.projects.through.objects.filter(**in_batch),
            Application.objects.filter(batch_id__in=ids),
            Forwarding.objects.filter(window__batch_id__in=ids),
            ProvincialWindow.objects.filter(batch_id__in=ids),
            Criterion.objects.filter(rubric__batch_id__in=ids),
            Rubric.objects.filter(batch_id__in=ids),
            ExportJob.objects.filter(batch_id__in=ids),
            Batch.objects.filter(pk__in=ids),
        ):
            qs._raw_delete(using)
    return len(ids)


class Timeline:
    """The generated timeline rows, as tuples of EVENT_COLUMNS. A move starts from the status the
    application's previous move ended in, as applications.workflow.transition records it, so each
    generated timeline is a path of the journey by construction; `status` holds where each ended."""

    def __init__(self):
        self.rows: list[tuple] = []
        self.status: dict[int, str] = {}

    def move(self, application, actor=None, *, action, to_status, at, **text):
        """A change of status (`actor` a user or a user id): the creation of the draft, or a move
        of the journey table (applications.workflow.JOURNEY), which also says whether the school
        sees its row. A move the table does not have stops the seeding."""
        from_status = self.status.get(application.pk, "")
        if action != "create":
            move = find_move(action, from_status, to_status)
            if move is None:
                raise CommandError(f"{application.number or application.pk}: {from_status} --{action}--> {to_status} is not a move of the journey")
            text.setdefault("visible_to_school", move.school_sees)
        self.status[application.pk] = to_status
        self._add(application, actor, action=action, at=at, from_status=from_status, to_status=to_status, **text)

    def note(self, application, actor=None, *, action, at, **text):
        """A step that changes no status (an upload, a review submitted, the publication)."""
        self._add(application, actor, action=action, at=at, **text)

    def _add(self, application, actor, *, action, at, from_status="", to_status="", comment="", internal_comment="", visible_to_school=True):
        actor_id = getattr(actor, "pk", actor)
        self.rows.append((application.pk, at, actor_id, action, from_status, to_status, comment, internal_comment, visible_to_school))


class ScaleGenerator:
    def __init__(self, *, applications, experts, reviews, published, seed, password_hash, log):
        self.n = applications
        self.n_experts = experts
        self.per_application = reviews
        self.published = published
        self.rnd = random.Random(seed)
        self.password_hash = password_hash
        self.log = log
        self.now = timezone.now()
        self.provinces = {p.code: p for p in Province.objects.all()}
        self.categories = list(ProjectCategory.objects.order_by("position"))
        self.plain_categories = [c for c in self.categories if not c.is_other]
        self.other_category = next((c for c in self.categories if c.is_other), None)
        self.zi = {section: [count_zi(s) for s in sentences] for section, sentences in data.PLAN_SENTENCES.items()}
        self.mobiles = set()

    # ---- small generators ---------------------------------------------------------------

    def step(self, label, started):
        self.log(f"  {label}：{time.perf_counter() - started:.1f} 秒")
        return time.perf_counter()

    def person(self) -> str:
        given = data.GIVEN
        name = self.rnd.choice(data.SURNAMES)
        for _ in range(self.rnd.choice((1, 2, 2))):
            name += given[self.rnd.randrange(len(given))]
        return name

    def mobile(self) -> str:
        while True:
            number = self.rnd.choice(data.MOBILE_PREFIXES) + f"{self.rnd.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def when(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + timedelta(seconds=self.rnd.uniform(0, (end - start).total_seconds()))

    def plan(self, school_name: str, place: str, zi_target: int) -> dict[str, str]:
        """A plan of at least `zi_target` 字 (name included), made of the sentence pool."""
        name = self.rnd.choice(data.PLAN_NAMES).format(school=school_name, place=place)[:200]
        plan = {"plan_name": name}
        remaining = zi_target - count_zi(name)
        shares = {"plan_content": 0.45, "plan_steps": 0.25, "plan_goals": 0.15, "plan_features": 0.15}
        for section, share in shares.items():
            opener = data.PLAN_OPENERS[section].format(school=school_name, place=place)
            target = max(1, int(remaining * share) + 1)
            sentences, counts = data.PLAN_SENTENCES[section], self.zi[section]
            parts, got, paragraph = [opener], count_zi(opener), []
            while got < target:
                i = self.rnd.randrange(len(sentences))
                paragraph.append(sentences[i])
                got += counts[i]
                if len(paragraph) >= self.rnd.randint(3, 5):
                    parts.append("".join(paragraph))
                    paragraph = []
            if paragraph:
                parts.append("".join(paragraph))
            plan[section] = "\n".join(parts)
        return plan

    # ---- the run ------------------------------------------------------------------------

    def run(self) -> Batch:
        t = time.perf_counter()
        self.batch = self.make_batch()
        self.criteria = list(rubric.rubric_ensure_default(self.batch).criteria.order_by("position", "pk"))
        self.weights = {c.pk: c.weight for c in self.criteria}
        self.windows = self.make_windows()
        t = self.step("批次、评分标准与省级渠道", t)
        self.schools = self.make_schools()
        t = self.step(f"学校 {len(self.schools)} 所", t)
        self.make_accounts()
        t = self.step("账号与专家", t)
        specs = self.plan_states()
        self.score(specs)
        t = self.step("状态、分配与评分（内存中）", t)
        self.write(specs)
        self.step("写入数据库", t)
        return self.batch

    def make_batch(self) -> Batch:
        taken = set(Batch.objects.filter(document_number__startswith=DOCUMENT_PREFIX).values_list("document_number", flat=True))
        seq = 1
        year = timezone.localdate().year
        while f"{DOCUMENT_PREFIX}〔{year}〕{seq:03d}号" in taken:
            seq += 1
        deadline = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=15), datetime.max.time().replace(microsecond=0)))
        return Batch.objects.create(
            title=f"规模测试：职业院校服务全民终身学习项目实验校申报（第 {seq} 批，{self.n} 份）",
            short_name=f"规模测试第{seq}批",
            document_number=f"{DOCUMENT_PREFIX}〔{year}〕{seq:03d}号",
            year=year,
            issued_on=timezone.localdate() - timedelta(days=60),
            national_deadline=deadline,
            review_deadline=deadline + timedelta(days=20),
            experts_per_application=self.per_application,
            is_open=True,
            published_at=self.now - timedelta(hours=1) if self.published else None,
            contact_name="彭老师",
            contact_phones="010-81299751",
            contact_email="pengfang@enaea.edu.cn",
            summary="由 seed_scale 生成的测试数据。",
        )

    def make_windows(self) -> dict[str, ProvincialWindow]:
        """A window for every province marked so; most have forwarded their set already."""
        codes = [code for code, _s, _w, _p, has_window, _c in data.PROVINCES if has_window]
        associations = {a.province_id: a for a in Association.objects.filter(province_id__in=codes)}
        taken = set(Association.objects.values_list("name", flat=True))
        for code, short, *_rest in data.PROVINCES:
            if code in codes and code not in associations:
                name = f"{self.provinces[code].name}成人教育协会"
                if name in taken:
                    name = f"{self.provinces[code].name}成人教育与职业教育协会"
                associations[code] = Association.objects.create(
                    name=name, province_id=code, address=f"{self.provinces[code].name}教育路 1 号", email=f"assoc-{code}@{EMAIL_DOMAIN}"
                )
        # Four windows (not the heaviest) still take submissions; the rest have forwarded.
        heaviest = max(codes, key=lambda c: next(w for cc, _s, w, *_r in data.PROVINCES if cc == c))
        self.open_windows = set(self.rnd.sample([c for c in codes if c != heaviest], min(4, len(codes) - 1)))
        windows = {}
        for code in codes:
            forwarded = code not in self.open_windows
            windows[code] = ProvincialWindow(
                batch=self.batch,
                association=associations[code],
                forwarding_number=f"{self.provinces[code].name[:2]}成协〔{self.batch.year}〕{self.rnd.randint(2, 30)}号",
                school_deadline=self.now - timedelta(days=20) if forwarded else self.now + timedelta(days=7),
                contact_name=self.person(),
                contact_phone=self.mobile(),
                contact_email=f"window-{code}@{EMAIL_DOMAIN}",
                paper_address=f"{self.provinces[code].name}教育路 1 号",
            )
        ProvincialWindow.objects.bulk_create(windows.values())
        return windows

    def make_schools(self) -> list[School]:
        """N schools spread over the provinces by weight. Names are drawn in a fixed order per
        province, so a second batch reuses the schools of the first (as real schools apply again)."""
        counts = apportion(self.n, [w for _c, _s, w, *_r in data.PROVINCES])
        foreign = set(School.objects.exclude(contact_email__endswith="@" + EMAIL_DOMAIN).values_list("name", flat=True))
        wanted = []  # (name, province, type, address, postcode, place)
        for (code, short, _w, postcode, _win, cities), count in zip(data.PROVINCES, counts):
            wanted += self.school_names(code, short, postcode, cities, count, foreign)
        names = [w[0] for w in wanted]
        ours = {}
        for i in range(0, len(names), 900):
            ours.update({s.name: s for s in School.objects.filter(name__in=names[i : i + 900])})
        fresh = [
            School(name=name, province_id=code, school_type=kind, address=address, postcode=postcode, credit_code=self.credit_code(code),
                   contact_email=f"school-{secrets.token_hex(6)}@{EMAIL_DOMAIN}", contact_mobile=self.mobile())
            for name, code, kind, address, postcode, _place in wanted if name not in ours
        ]  # fmt: skip
        School.objects.bulk_create(fresh, batch_size=BULK)
        ours.update({s.name: s for s in fresh})
        self.places = {w[0]: w[5] for w in wanted}
        return [ours[name] for name in names]

    def school_names(self, code, short, postcode, cities, count, foreign):
        """`count` distinct, plausible school names of one province (the same ones every run)."""
        rnd = random.Random(f"{code}-names")
        municipality = code in data.MUNICIPALITIES
        kinds = [SchoolType.HIGHER_VOCATIONAL] * 30 + [SchoolType.SECONDARY_VOCATIONAL] * 45 + [SchoolType.VOCATIONAL_CENTER] * 20 + [SchoolType.OTHER] * 5
        province_name = self.provinces[code].name
        out, seen, tries = [], set(), 0
        while len(out) < count:
            tries += 1
            city = rnd.choice(cities)
            trade, county, kind = rnd.choice(data.TRADES), rnd.choice(data.COUNTIES), rnd.choice(kinds)
            place = f"{short}市{city}区" if municipality else f"{city}市"
            stem = f"{short}{city}" if municipality else city
            if kind == SchoolType.HIGHER_VOCATIONAL:
                name = rnd.choice([f"{stem}{trade}职业技术学院", f"{stem}{trade}职业学院"])
            elif kind == SchoolType.SECONDARY_VOCATIONAL:
                name = rnd.choice([f"{place}{trade}中等专业学校", f"{place}{trade}职业高级中学", f"{place}{trade}学校"])
            elif kind == SchoolType.VOCATIONAL_CENTER:
                name = f"{place}{trade}职业教育中心" if municipality else rnd.choice([f"{place}{county}区职业教育中心", f"{city}{county}县职业教育中心"])
            else:
                name = rnd.choice([f"{place}{county}社区学院", f"{stem}{trade}技工学校"])
            if tries > 40 * count + 1000:  # the pool ran out (a very large N): number the campuses
                name = f"{name}（第{tries}分校）"
            if name in seen or name in foreign:
                continue
            seen.add(name)
            address = f"{province_name}{place}{rnd.choice(data.ROADS)}路 {rnd.randint(1, 999)} 号"
            out.append((name, code, kind, address, f"{postcode}{rnd.randrange(10000):04d}", place))
        return out

    def credit_code(self, code: str) -> str:
        from portal.validators import CREDIT_CODE_CHARSET, credit_code_check_character

        if not hasattr(self, "credit_codes"):
            self.credit_codes = set(School.objects.exclude(credit_code="").values_list("credit_code", flat=True))
        while True:
            body = "12" + code[:2] + f"{self.rnd.randrange(10000):04d}" + "".join(self.rnd.choice(CREDIT_CODE_CHARSET) for _ in range(9))
            full = body + credit_code_check_character(body)
            if full not in self.credit_codes:
                self.credit_codes.add(full)
                return full

    def make_accounts(self) -> None:
        """One account per school, a reviewer per window, staff, an admin and the experts."""
        have = set(User.objects.filter(username__startswith="scale-").values_list("username", flat=True))
        new = []

        def account(username, **fields):
            if username not in have:
                have.add(username)
                new.append(User(username=username, password=self.password_hash, email=f"{username}@{EMAIL_DOMAIN}", **fields))

        for school in self.schools:
            name = self.person()
            account(f"scale-school-{school.pk}", role=Role.SCHOOL, school=school, last_name=name[0], first_name=name[1:])
        for code, window in self.windows.items():
            account(f"scale-province-{code}", role=Role.PROVINCE, association=window.association, last_name=self.person())
        account("scale-staff", role=Role.STAFF, is_staff=True, last_name="项目组", first_name="测试")
        account("scale-admin", role=Role.ADMIN, is_staff=True, is_superuser=True, last_name="管理员")
        expert_names = [f"scale-expert-{i:03d}" for i in range(1, self.n_experts + 1)]
        for username in expert_names:
            name = self.person()
            account(username, role=Role.EXPERT, last_name=name[0], first_name=name[1:])
        User.objects.bulk_create(new, batch_size=BULK)
        users = {u.username: u for u in User.objects.filter(username__startswith="scale-", username__in=[
            "scale-staff", "scale-admin", *expert_names, *(f"scale-province-{c}" for c in self.windows)])}  # fmt: skip
        self.staff, self.admin = users["scale-staff"], users["scale-admin"]
        self.staff.groups.add(sync_staff_group())
        self.reviewers = {code: users[f"scale-province-{code}"] for code in self.windows}
        self.school_users = dict(
            User.objects.filter(role=Role.SCHOOL, username__startswith="scale-school-").values_list("school_id", "pk")
        )
        # Experts: a profile each, spread over the expert provinces by weight.
        expert_users = [users[u] for u in expert_names]
        profiles = {p.user_id: p for p in ExpertProfile.objects.filter(user__in=expert_users)}
        # Experts' provinces in proportion to EXPERT_PROVINCES, taken round-robin so that even a
        # handful of experts comes from several provinces.
        shares = apportion(len(expert_users), [w for _c, w in data.EXPERT_PROVINCES])
        queues = [[c] * k for (c, _w), k in zip(data.EXPERT_PROVINCES, shares)]
        codes = [q[i] for i in range(max(shares)) for q in queues if i < len(q)]
        fresh = []
        for i, user in enumerate(expert_users):
            if user.pk in profiles:
                continue
            code = codes[i]
            fresh.append(ExpertProfile(
                user=user, province_id=code, title=self.rnd.choice(data.EXPERT_TITLES),
                institution=f"{self.provinces[code].name}{self.rnd.choice(data.EXPERT_INSTITUTIONS)}",
            ))  # fmt: skip
        ExpertProfile.objects.bulk_create(fresh)
        ExpertProfile.expertise.through.objects.bulk_create(
            ExpertProfile.expertise.through(expertprofile_id=p.pk, projectcategory_id=c.pk)
            for p in fresh for c in self.rnd.sample(self.plain_categories, self.rnd.randint(2, 4))
        )  # fmt: skip
        ExpertProfile.objects.filter(user__in=expert_users).update(is_active=True)
        self.experts = list(ExpertProfile.objects.filter(user__in=expert_users).select_related("user").prefetch_related("expertise"))

    # ---- states ---------------------------------------------------------------------------

    def plan_states(self) -> list[dict]:
        """Where each application stands, decided in memory before anything is written."""
        rnd = self.rnd
        specs = []
        order = list(range(len(self.schools)))
        rnd.shuffle(order)
        for i in order:
            school = self.schools[i]
            window = self.windows.get(school.province_id)
            route = Route.PROVINCIAL if window is not None and rnd.random() < 0.9 else Route.DIRECT
            r = rnd.random()
            if route == Route.PROVINCIAL and school.province_id in self.open_windows:
                state = (Status.DRAFT if r < 0.08 else Status.RETURNED if r < 0.11 else Status.SUBMITTED if r < 0.56
                         else Status.RECOMMENDED if r < 0.86 else Status.NOT_RECOMMENDED)  # fmt: skip
            elif route == Route.PROVINCIAL:
                state = Status.DRAFT if r < 0.05 else Status.RETURNED if r < 0.07 else Status.NOT_RECOMMENDED if r < 0.22 else Status.AT_NATIONAL
            else:
                state = Status.DRAFT if r < 0.08 else Status.AT_NATIONAL
            if state == Status.AT_NATIONAL:  # with the project group: how far has it gone?
                r = rnd.random()
                state = (Status.AT_NATIONAL if r < 0.08 else Status.REJECTED if r < 0.095 else CORRECTION if r < 0.11
                         else Status.IN_EXPERT_REVIEW if r < 0.46 else Status.SCORED)  # fmt: skip
            specs.append({"i": len(specs), "school": school, "window": window if route == Route.PROVINCIAL else None,
                          "route": route, "state": state, "quality": min(0.97, max(0.35, rnd.gauss(0.72, 0.09)))})  # fmt: skip
        return specs

    def score(self, specs) -> None:
        """Assign experts to everything in or past expert review and score it; then decide: the
        best 3.2 % of the batch selected, the weakest third of the rest of the scored not selected."""
        in_review = [s for s in specs if s["state"] in (Status.IN_EXPERT_REVIEW, Status.SCORED)]
        for s in in_review:
            s["projects"] = self.pick_projects()
        experts = [expert_assignment.expert_for(p) for p in self.experts]
        candidates = [
            Candidate(id=s["i"], province=s["school"].province_id, institution=expert_assignment.normalise_institution(s["school"].name),
                      categories=frozenset(c.code for c in s["projects"]))
            for s in in_review
        ]  # fmt: skip
        plan = plan_assignments(candidates, experts, per_application=self.per_application)
        by_app: dict[int, list[int]] = {}
        for pair in plan.new:
            by_app.setdefault(pair.application_id, []).append(pair.expert_id)
        bias = {e.id: self.rnd.gauss(0, 0.04) for e in experts}
        for s in in_review:
            s["reviews"] = []
            ids = by_app.get(s["i"], [])
            if s["state"] == Status.SCORED:
                states = [SUBMITTED] * len(ids)
            else:
                states = [self.rnd.choices((SUBMITTED, DRAFTED, None), (0.45, 0.2, 0.35))[0] for _ in ids]
                if ids and all(st == SUBMITTED for st in states):
                    states[-1] = DRAFTED
            for expert_id, state in zip(ids, states):
                points = {}
                if state is not None:
                    for c in self.criteria:
                        if state == DRAFTED and self.rnd.random() < 0.4:
                            continue
                        share = min(1.0, max(0.0, s["quality"] + bias[expert_id] + self.rnd.gauss(0, 0.06)))
                        points[c.pk] = (c.max_points * Decimal(str(round(share, 3))) * 2).quantize(Decimal("1")) / 2
                total = weighted_total(points, self.weights) if state == SUBMITTED else None
                s["reviews"].append({"expert": expert_id, "state": state, "points": points, "total": total})
            if s["state"] == Status.SCORED:
                totals = [r["total"] for r in s["reviews"]]
                s["mean"] = sum(totals, Decimal(0)) / len(totals) if totals else Decimal(0)
        scored = sorted((s for s in in_review if s["state"] == Status.SCORED), key=lambda s: s["mean"], reverse=True)
        quota = min(len(scored), round(self.n * SELECTED_SHARE))
        for s in scored[:quota]:
            s["state"] = Status.SELECTED
        rest = scored[quota:]
        for s in rest[len(rest) - len(rest) // 3 :]:
            s["state"] = Status.NOT_SELECTED

    def pick_projects(self) -> list[ProjectCategory]:
        if self.other_category is not None and self.rnd.random() < 0.04:
            return [self.rnd.choice(self.plain_categories), self.other_category]
        return self.rnd.sample(self.plain_categories, self.rnd.choice((1, 2, 2)))

    # ---- writing ----------------------------------------------------------------------------

    def write(self, specs) -> None:
        rnd, now = self.rnd, self.now
        forwarded_at = now - timedelta(days=14)
        scan_name, scan_size, scan_sha = self.shared_files()
        applications, teams, projects = [], [], []
        for s in specs:
            school = s["school"]
            state = s["state"]
            if "projects" not in s:
                s["projects"] = self.pick_projects()
            place = self.places[school.name]
            kind = school.school_type
            vice = rnd.random() < 0.88
            lead_title = data.LEAD_TITLES[kind] if vice else rnd.choice(data.OTHER_LEAD_TITLES)
            lead_name, lead_mobile = self.person(), self.mobile()
            draft_depth = rnd.choice(("complete", "partial", "partial", "empty")) if state == Status.DRAFT else "complete"
            fields = {
                "lead_name": lead_name, "lead_title": lead_title, "lead_mobile": lead_mobile,
                "lead_title_note": "" if vice else f"学校副校长岗位空缺，由分管社会培训的{lead_title}牵头。",
            }  # fmt: skip
            if draft_depth != "empty":
                fields.update(liaison_name=self.person(), liaison_title=rnd.choice(data.LIAISON_TITLES), liaison_mobile=self.mobile())
                zi = rnd.randint(2050, 6000) if draft_depth == "complete" else rnd.randint(400, 1900)
                fields.update(self.plan(school.name, place, zi))
            submitted_at = None
            if state != Status.DRAFT:
                submitted_at = self.when(now - timedelta(days=60), (forwarded_at if s["window"] and s["window"].association.province_id not in self.open_windows else now) - timedelta(days=2))
            if draft_depth == "complete":
                fields.update(
                    pledge_signatory=lead_name,
                    pledge_accepted_at=(submitted_at or now) - timedelta(hours=rnd.randint(2, 72)),
                    unit_opinion=rnd.choice(data.UNIT_OPINIONS),
                    supervisor_name=f"{place}教育局",
                )
            status = Status.RETURNED if state == CORRECTION else state
            created_at = (submitted_at or now) - timedelta(days=rnd.randint(3, 40), minutes=rnd.randint(0, 1440))
            s["times"] = {"created": created_at, "submitted": submitted_at}
            application = Application(
                batch=self.batch, school=school, status=status, route=s["route"], revision=rnd.randint(3, 40),
                created_at=created_at, updated_at=submitted_at or self.when(created_at, now), submitted_at=submitted_at,
                correction_deadline=now + timedelta(days=5) if state == CORRECTION else None,
                other_project_name="社区心理健康教育" if self.other_category in s["projects"] else "",
                **fields,
            )  # fmt: skip
            if state in DECIDED:
                application.group_opinion = "经专家评审，同意列为实验校。" if state == Status.SELECTED else "经专家评审，本批次暂不列入。"
                application.group_opinion_signer = "彭老师"
                application.group_opinion_date = timezone.localdate(now - timedelta(hours=12))
            members = []
            if draft_depth != "empty":
                size = rnd.randint(3, 7) if draft_depth == "complete" else rnd.randint(1, 3)
                members.append(Row(lead_name, lead_title, "校领导", lead_mobile, "项目总负责"))
                for _ in range(1, size):
                    members.append(Row(self.person(), rnd.choice(data.MEMBER_TITLES), rnd.choice(data.DEPARTMENTS), self.mobile(), rnd.choice(data.DUTIES)))
            chosen = s["projects"] if draft_depth != "empty" else []
            application.version_code = application.content_fingerprint(members, [c.code for c in chosen])
            applications.append(application)
            teams.append(members)
            projects.append(chosen)

        t = time.perf_counter()
        app_fields = [field(Application, "created_at"), field(Application, "updated_at")]
        with explicit_times(*app_fields):
            Application.objects.bulk_create(applications, batch_size=500)
        t = self.step(f"申请表 {len(applications)} 份", t)
        for application in applications:
            application.number = application_number(application)
        with connection.cursor() as cursor:
            table, quote = Application._meta.db_table, connection.ops.quote_name
            cursor.executemany(f"UPDATE {quote(table)} SET {quote('number')} = %s WHERE {quote('id')} = %s", [(a.number, a.pk) for a in applications])
        t = self.step("申请编号", t)

        insert_rows(TeamMember, ("application", "position", "name", "title", "department", "mobile", "duty"),
                    ((a.pk, i, *m) for a, members in zip(applications, teams) for i, m in enumerate(members)))  # fmt: skip
        insert_rows(Application.projects.through, ("application", "projectcategory"),
                    ((a.pk, c.pk) for a, chosen in zip(applications, projects) for c in chosen))  # fmt: skip
        t = self.step("项目小组成员与具体实施项目", t)

        scans, reviews_p, forms, assignments = [], [], [], []
        timeline = Timeline()
        school_user = self.school_users
        ranks: dict[int, int] = {}
        window_counts: dict[int, int] = {}
        for s, a in zip(specs, applications):
            state, times = s["state"], s["times"]
            actor = school_user.get(a.school_id)
            timeline.move(a, actor, action="create", to_status=Status.DRAFT, comment="创建申请表", at=times["created"])
            submitted = times["submitted"]
            if submitted is None:
                continue
            stale = state in (Status.RETURNED, CORRECTION) and rnd.random() < 0.5
            scans.append(SignedScan(application=a, file=scan_name, kind=SignedScan.Kind.PNG, original_name="申请表盖章扫描件.png", size=scan_size,
                                    sha256=scan_sha, version_code="STALE000" if stale else a.version_code, uploaded_by_id=actor,
                                    uploaded_at=submitted - timedelta(hours=1)))  # fmt: skip
            timeline.note(a, actor, action="upload_scan", comment=f"上传盖章扫描件（版本 {a.version_code}）", at=submitted - timedelta(hours=1))
            window = s["window"]
            owner = window.association.name if window else "中国成人教育协会项目组"
            first = Status.SUBMITTED if window else Status.AT_NATIONAL
            timeline.move(a, actor, action="submit", to_status=first, comment=f"提交至{owner}", at=submitted)
            after = submitted
            if window is not None and state != Status.SUBMITTED:
                reviewer = self.reviewers[window.association.province_id]
                forwarded = window.association.province_id not in self.open_windows
                decided = self.when(submitted + timedelta(hours=2), (forwarded_at if forwarded else now) - timedelta(hours=1))
                if state == Status.RETURNED:
                    timeline.move(a, reviewer, action="province_return", to_status=Status.RETURNED,
                                  comment="退回修改：请补充项目小组成员分工，并补盖上级主管部门公章。", at=decided)  # fmt: skip
                    continue
                if state == Status.NOT_RECOMMENDED:
                    reason = rnd.choice(data.DECLINE_REASONS)
                    reviews_p.append(ProvincialReview(application=a, window=window, decline_reason=reason, decided_by=reviewer, decided_at=decided))
                    timeline.move(a, reviewer, action="province_decline", to_status=Status.NOT_RECOMMENDED, comment=f"不予推荐：{reason}", at=decided)  # fmt: skip
                    continue
                rank = ranks[window.pk] = ranks.get(window.pk, 0) + 1
                opinion = rnd.choice(data.PROVINCIAL_OPINIONS)
                paper = rnd.random() < 0.7
                reviews_p.append(ProvincialReview(application=a, window=window, opinion=opinion, rank=rank, decided_by=reviewer, decided_at=decided,
                                                  paper_received_on=timezone.localdate(decided) if paper else None, paper_marked_by=reviewer if paper else None))  # fmt: skip
                timeline.move(a, reviewer, action="province_recommend", to_status=Status.RECOMMENDED,
                              comment=f"已获{window.association.name}推荐", internal_comment=f"推荐排名第 {rank} 位。推荐意见：{opinion}",
                              at=decided)  # fmt: skip
                if state == Status.RECOMMENDED:
                    continue
                window_counts[window.pk] = window_counts.get(window.pk, 0) + 1
                timeline.move(a, reviewer, action="province_forward", to_status=Status.AT_NATIONAL,
                              comment=f"{window.association.name}报送项目组", at=forwarded_at)  # fmt: skip
                after = forwarded_at
            if state in (Status.SUBMITTED, Status.AT_NATIONAL, Status.RECOMMENDED):
                continue
            checked = min(self.when(after + timedelta(days=1), after + timedelta(days=4)), now - timedelta(hours=2))
            outcome = {Status.REJECTED: FormalCheck.Outcome.REJECTED, CORRECTION: FormalCheck.Outcome.RETURNED}.get(state, FormalCheck.Outcome.PASSED)
            passed = outcome == FormalCheck.Outcome.PASSED
            forms.append(FormalCheck(application=a, seals_present=passed, seals_legible=passed, consistent=passed, outcome=outcome,
                                     machine_items={k: True for k in ("complete", "zi", "team", "lead", "scan", "deadline")},
                                     reason="" if passed else "扫描件缺少上级主管部门公章。", decided_by=self.staff, decided_at=checked))  # fmt: skip
            if state == Status.REJECTED:
                timeline.move(a, self.staff, action="formal_reject", to_status=Status.REJECTED,
                              comment="不予受理：申报单位不属于职业院校或相关单位。", at=checked)  # fmt: skip
                continue
            if state == CORRECTION:
                timeline.move(a, self.staff, action="formal_return", to_status=Status.RETURNED,
                              comment="退回补正：扫描件缺少上级主管部门公章。", at=checked)  # fmt: skip
                continue
            timeline.move(a, self.staff, action="formal_pass", to_status=Status.IN_EXPERT_REVIEW,
                          comment="通过形式审查，进入专家评审", at=checked)  # fmt: skip
            assigned_at = max(checked, now - timedelta(days=7)) + timedelta(hours=1)
            s["assigned_at"] = assigned_at
            for r in s.get("reviews", []):
                assignments.append(Assignment(application=a, expert_id=r["expert"], source=Assignment.Source.AUTO, assigned_by=self.staff, assigned_at=assigned_at))
                r["assignment"] = assignments[-1]
                if r["state"] == SUBMITTED:
                    r["at"] = self.when(assigned_at + timedelta(hours=2), now - timedelta(hours=13))
                    timeline.note(a, r["expert"], action="review_submit", visible_to_school=False,
                                  internal_comment="一位专家提交了评分", at=r["at"])  # fmt: skip
            if state in (Status.SCORED, *DECIDED):
                last = max((r["at"] for r in s["reviews"] if "at" in r), default=assigned_at)
                timeline.move(a, s["reviews"][-1]["expert"] if s["reviews"] else None, action="review_complete",
                              to_status=Status.SCORED, visible_to_school=False,
                              internal_comment="全部专家评分已提交", at=last)  # fmt: skip
            if state in DECIDED:
                timeline.move(a, self.staff, action="decide", to_status=state, visible_to_school=False,
                              internal_comment=f"项目组决定：{state.label}。{a.group_opinion}", at=now - timedelta(hours=12))  # fmt: skip
                if self.published:
                    timeline.note(a, self.staff, action="publish", comment=f"公布结果：{state.label}", at=now - timedelta(hours=1))

        with explicit_times(field(SignedScan, "uploaded_at")):
            SignedScan.objects.bulk_create(scans, batch_size=BULK)
        ProvincialReview.objects.bulk_create(reviews_p, batch_size=BULK)
        FormalCheck.objects.bulk_create(forms, batch_size=BULK)
        summary_pdf, summary_xlsx = self.summary_files()
        Forwarding.objects.bulk_create(
            Forwarding(window=w, forwarded_at=forwarded_at, forwarded_by=self.reviewers[code], application_count=window_counts.get(w.pk, 0),
                       summary_pdf=summary_pdf, summary_xlsx=summary_xlsx)
            for code, w in self.windows.items() if code not in self.open_windows
        )  # fmt: skip
        t = self.step(f"扫描件 {len(scans)}、省级推荐 {len(reviews_p)}、形式审查 {len(forms)}", t)

        with explicit_times(field(Assignment, "assigned_at")):
            Assignment.objects.bulk_create(assignments, batch_size=BULK)
        expert_reviews, scores = [], []
        for s in specs:
            for r in s.get("reviews", []):
                if r["state"] is None or "assignment" not in r:
                    continue
                submitted = r["state"] == SUBMITTED
                mean = float(r["total"]) / 100 if submitted else s["quality"]
                review = ExpertReview(
                    assignment=r["assignment"], state=ExpertReview.State.SUBMITTED if submitted else ExpertReview.State.DRAFT,
                    comment=rnd.choice(data.EXPERT_COMMENTS) if submitted or rnd.random() < 0.5 else "",
                    recommendation=("strong" if mean > 0.85 else "yes" if mean > 0.62 else "no") if submitted else "",
                    total=r["total"], submitted_at=r.get("at"),
                )  # fmt: skip
                expert_reviews.append(review)
                r["review"] = review
        ExpertReview.objects.bulk_create(expert_reviews, batch_size=BULK)
        for s in specs:
            for r in s.get("reviews", []):
                if "review" in r:
                    scores += [(r["review"].pk, c, p) for c, p in r["points"].items()]
        insert_rows(CriterionScore, ("review", "criterion", "points"), scores)
        t = self.step(f"专家分配 {len(assignments)}、评分 {len(expert_reviews)}、单项得分 {len(scores)}", t)
        rebuild_tallies(self.batch)  # bulk inserts send no signals
        t = self.step("评审汇总", t)

        astray = [a.number for a in applications if timeline.status[a.pk] != a.status]
        if astray:  # the generator's states and its timelines disagree: fix the generator
            raise CommandError(f"生成的办理记录与申请状态不一致：{', '.join(astray[:5])}")
        insert_rows(TimelineEntry, EVENT_COLUMNS, timeline.rows)
        self.step(f"办理记录 {len(timeline.rows)} 条", t)

    def shared_files(self) -> tuple[str, int, str]:
        """One small PNG standing in for every scan (stored once)."""
        import hashlib

        from PIL import Image, ImageDraw

        name = "scans/scale/shared-scan.png"
        image = Image.new("RGB", (620, 877), "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle([20, 20, 600, 857], outline="black", width=2)
        draw.ellipse([420, 650, 560, 790], outline="red", width=4)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        content = buffer.getvalue()
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))
        return name, len(content), hashlib.sha256(content).hexdigest()

    def summary_files(self) -> tuple[str, str]:
        """Placeholders for the forwarded 推荐汇总表 (the real ones are generated at forwarding)."""
        from openpyxl import Workbook
        from pypdf import PdfWriter

        pdf_name, xlsx_name = "forwardings/scale/推荐汇总表-示例.pdf", "forwardings/scale/推荐汇总表-示例.xlsx"
        if not default_storage.exists(pdf_name):
            writer, buffer = PdfWriter(), io.BytesIO()
            writer.add_blank_page(width=595, height=842)
            writer.write(buffer)
            default_storage.save(pdf_name, ContentFile(buffer.getvalue()))
        if not default_storage.exists(xlsx_name):
            buffer = io.BytesIO()
            Workbook().save(buffer)
            default_storage.save(xlsx_name, ContentFile(buffer.getvalue()))
        return pdf_name, xlsx_name
