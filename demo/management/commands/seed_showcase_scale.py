"""The 项目展示推广网络平台 at scale, for the benchmark: `python manage.py seed_showcase_scale --schools
1000 --posts 20000`.

One published batch (its document number starts with SHOWCASE_PREFIX) whose 实验校 are in year 2 of
their cycle, spread over the 32 provincial units like seed_scale's schools (demo/.../_scale_data.py),
of every school type, each with one or two 具体实施项目; 2 % of them have left (视为退出), as the
exit rule makes some leave. Their published 建设动态 (20,000 by default) are spread unevenly (a few
schools write much, most a little), dated over the cycle so far; two thirds carry one to three
photos (rows pointing at one small stored JPEG and its thumbnail), one in forty is featured
(成果展示), and a tenth as many again wait for 审核 or were returned (never public). Twelve schools
are featured on the home page. The same batch carries the two years of its 实验周期 the signed-in
programme pages show (activities, invitations and attendance, the exit cases, 年度工作报告,
certificates, accounts): demo/management/commands/_programme_scale.py.

Rows are written with bulk_create and plain INSERTs in one transaction (no services, no mail, no
history), as seed_scale does. Each run adds a batch; --reset first deletes what earlier runs made,
and only that.
"""
import io
import random
import secrets
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from applications.models import Application, Batch, ProjectCategory, Status
from demo.management.commands import _scale_data as data
from demo.management.commands._programme_scale import ProgrammeScale, reset_programme
from demo.management.commands.seed_scale import apportion, insert_rows
from portal.models import School, SchoolType, User
from programme.models import (
    ExperimentProject, ExperimentSchool, ExperimentStatus, FeaturedSchool, PostState, ShowcasePhoto, ShowcasePost, cycle_end,
)  # fmt: skip

SHOWCASE_PREFIX = "展示规模测试"
EMAIL_DOMAIN = "showcase-scale.example.cn"
BULK = 2000
TITLES = ["社区学习中心揭牌", "老年大学秋季开学", "乡村振兴技能培训班结业", "新市民数字素养课程开讲", "送教下乡走进社区", "职工继续教育专题讲座",
          "家门口的夜校开课", "非遗技艺进社区", "就业技能培训对接会", "终身学习活动周启动"]  # fmt: skip
BODY = ("本周，我校联合街道社区开展“{title}”活动，{n} 名居民参加。活动围绕项目实施方案的年度目标，组织专业教师送教上门，"
        "并通过线上平台同步开放课程资源。下一步，学校将总结经验，扩大覆盖面，推动职业教育服务全民终身学习。")  # fmt: skip


def shared_photo() -> tuple[str, str]:
    """One small JPEG and its thumbnail standing in for every photo (stored once)."""
    from PIL import Image

    names = ("showcase/scale/shared.jpg", "showcase/scale/shared-thumb.jpg")
    for name, size in zip(names, ((1600, 1200), (480, 360))):
        if not default_storage.exists(name):
            buffer = io.BytesIO()
            Image.new("RGB", size, (160, 190, 210)).save(buffer, format="JPEG", quality=60)
            default_storage.save(name, ContentFile(buffer.getvalue()))
    return names


def reset_generated() -> int:
    batches = list(Batch.objects.filter(document_number__startswith=SHOWCASE_PREFIX).values_list("pk", flat=True))
    schools = ExperimentSchool.objects.filter(batch_id__in=batches)
    reset_programme(schools)
    ShowcasePhoto.objects.filter(post__experiment_school__in=schools).delete()
    ShowcasePost.objects.filter(experiment_school__in=schools).delete()
    FeaturedSchool.objects.filter(experiment_school__in=schools).delete()
    ExperimentProject.objects.filter(experiment_school__in=schools).delete()
    schools.delete()
    Application.objects.filter(batch_id__in=batches).delete()
    Batch.objects.filter(pk__in=batches).delete()
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()
    School.objects.filter(contact_email__endswith="@" + EMAIL_DOMAIN).delete()
    return len(batches)


class Command(BaseCommand):
    help = ("为项目展示推广网络平台和实验周期页面的性能测试生成一个批次的实验校（默认 1000 所，处于实验周期第二年）及其已发布的建设动态（默认 20000 条）、"
            "项目活动与参与情况、年度工作报告和荣誉证书。--reset 先删除以前生成的。")

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=1000, help="实验校数（默认 1000）")
        parser.add_argument("--posts", type=int, default=20_000, help="已发布的建设动态条数（默认 20000）")
        parser.add_argument("--reset", action="store_true", help="先删除以前由本命令生成的批次")
        parser.add_argument("--seed", type=int, default=2023, help="随机数种子（默认 2023）")

    def handle(self, *args, schools, posts, reset, seed, **options):
        started = time.perf_counter()
        rnd = random.Random(seed)
        with transaction.atomic():
            if reset:
                self.stdout.write(f"删除以前生成的批次 {reset_generated()} 个")
            batch = self.make_batch()
            made = self.make_schools(batch, schools, rnd)
            count = self.make_posts(made, posts, rnd)
            FeaturedSchool.objects.bulk_create(FeaturedSchool(experiment_school=s, note="项目建设成效突出") for s in rnd.sample(made, min(12, len(made))))
            cycle = ProgrammeScale(batch, made, rnd, EMAIL_DOMAIN).make()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"批次 {batch.pk}（{batch.document_number}）：实验校 {len(made)} 所，已发布建设动态 {count} 条，"
                          f"项目活动 {cycle['activities']} 次、活动邀请 {cycle['invitations']} 条，年度工作报告 {cycle['reports']} 份，"
                          f"荣誉证书 {cycle['certificates']} 张，优质校评估申报 {cycle['submissions']} 份，用时 {time.perf_counter() - started:.0f} 秒")  # fmt: skip

    def make_batch(self) -> Batch:
        now = timezone.now()
        n = Batch.objects.filter(document_number__startswith=SHOWCASE_PREFIX).count() + 1
        starts = timezone.localdate(now) - timedelta(days=500)
        return Batch.objects.create(
            title="关于申报“职业院校服务全民终身学习项目”实验校的通知（展示规模测试）", short_name=f"展示测试第{n}批", year=starts.year,
            document_number=f"{SHOWCASE_PREFIX}〔{starts.year}〕{n:03d}号", issued_on=starts - timedelta(days=100), is_open=False,
            national_deadline=now - timedelta(days=560), published_at=now - timedelta(days=500), publication_meeting="项目工作会议",
            publication_meeting_on=starts, cycle_starts_on=starts, contact_name="彭老师", contact_phones="010-81299751",
            contact_email="pengfang@enaea.edu.cn",
        )  # fmt: skip

    def make_schools(self, batch, total, rnd) -> list[ExperimentSchool]:
        counts = apportion(total, [w for _c, _s, w, *_r in data.PROVINCES])
        kinds = [SchoolType.HIGHER_VOCATIONAL, SchoolType.SECONDARY_VOCATIONAL, SchoolType.VOCATIONAL_CENTER, SchoolType.OTHER]
        tag = secrets.token_hex(3)
        schools = []
        for (code, short, _w, postcode, _win, cities), count in zip(data.PROVINCES, counts):
            for i in range(count):
                city, trade = rnd.choice(cities), rnd.choice(data.TRADES)
                schools.append(School(
                    name=f"{short}{city}{trade}职业技术学院（展示{tag}-{len(schools) + 1}）", province_id=code, school_type=rnd.choice(kinds),
                    address=f"{city}市{rnd.choice(data.ROADS)}路 {i + 1} 号", postcode=f"{postcode}{rnd.randrange(10000):04d}",
                    contact_email=f"school-{tag}-{len(schools)}@{EMAIL_DOMAIN}", contact_mobile="13800000000",
                ))  # fmt: skip
        School.objects.bulk_create(schools, batch_size=BULK)
        applications = Application.objects.bulk_create(
            [Application(batch=batch, school=s, status=Status.SELECTED, number=f"{batch.year}-S{batch.pk}-{s.pk:05d}") for s in schools], batch_size=BULK
        )
        starts = batch.cycle_starts_on
        made = ExperimentSchool.objects.bulk_create([
            ExperimentSchool(school=a.school, batch=batch, application=a, cycle_starts_on=starts, cycle_ends_on=cycle_end(starts),
                             status=ExperimentStatus.DEEMED_WITHDRAWN if rnd.random() < 0.02 else ExperimentStatus.ACTIVE,
                             lead_name="王校长", lead_title="副校长", lead_mobile="13800000000")
            for a in applications
        ], batch_size=BULK)  # fmt: skip
        categories = list(ProjectCategory.objects.filter(is_other=False))
        ExperimentProject.objects.bulk_create(
            [ExperimentProject(experiment_school=s, category=c, position=p) for s in made for p, c in enumerate(rnd.sample(categories, rnd.choice((1, 2))))],
            batch_size=BULK,
        )  # fmt: skip
        return made

    def make_posts(self, made, total, rnd) -> int:
        now = timezone.now()
        # Uneven: a school's weight is drawn from a long-tailed distribution.
        weights = [rnd.paretovariate(1.5) for _ in made]
        writers = rnd.choices(made, weights=weights, k=total)
        posts = [
            ShowcasePost(
                experiment_school=s, title=(title := rnd.choice(TITLES)), body=BODY.format(title=title, n=rnd.randint(20, 300)),
                state=PostState.PUBLISHED, published_at=(at := now - timedelta(minutes=rnd.randrange(500 * 24 * 60))), created_at=at,
                updated_at=at, submitted_at=at, reviewed_at=at, featured=(featured := rnd.random() < 0.025), featured_at=at if featured else None,
            )
            for s in writers
        ]  # fmt: skip
        hidden = [
            ShowcasePost(experiment_school=s, title="待审核的动态", body="正文。", state=rnd.choice((PostState.SUBMITTED, PostState.RETURNED, PostState.DRAFT)))
            for s in rnd.choices(made, k=total // 10)
        ]  # fmt: skip
        ShowcasePost.objects.bulk_create(posts + hidden, batch_size=BULK)
        image, thumbnail = shared_photo()
        names = ["post", "key", "position", "image", "image_format", "width", "height", "size", "thumbnail", "thumb_width", "thumb_height",
                 "caption", "original_name", "uploaded_at"]  # fmt: skip
        rows = (
            (post.pk, secrets.token_hex(16), position, image, "jpeg", 1600, 1200, 20_000, thumbnail, 480, 360, "", "", post.published_at)
            for post in posts if rnd.random() < 2 / 3 for position in range(rnd.randint(1, 3))
        )  # fmt: skip
        insert_rows(ShowcasePhoto, names, rows)
        return len(posts)
