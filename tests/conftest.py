"""Shared fixtures: a batch modelled on the notice, the Zhejiang window, schools in Zhejiang,
Jiangsu and Sichuan, one user per role, and helpers that fill in a complete application."""
import io
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from applications.models import Batch, ProjectCategory, ProvincialWindow, TeamMember
from applications.rules import is_vice_principal
from applications.services import application_get_or_create, refresh_version_code
from portal.models import Association, Province, Role, School, SchoolType, User
# The browser tests' run folder, named at the end of the run (hooks; see tests/browser/artifacts.py).
from tests.browser.artifacts import pytest_configure, pytest_terminal_summary  # noqa: F401

PASSWORD = "correct-horse-battery-42"


PLAN_SENTENCE = "学校依托专业优势面向社区居民开展终身学习服务，建设学习点并开发课程资源。"  # 36 字
PLAN_NAME = "技能惠民终身学习社区教育融通实验项目"  # 18 字


def plan_fields(zi_per_section: int = 540) -> dict[str, str]:
    """A plan name and four sections of whole sentences, each at least `zi_per_section` 字
    (by default 18 + 4 × 540 = 2,178 字, over the 2,000 the notice asks)."""
    repeats = max(1, -(-zi_per_section // 36))
    return {
        "plan_name": PLAN_NAME,
        "plan_content": PLAN_SENTENCE * repeats,
        "plan_steps": PLAN_SENTENCE * repeats,
        "plan_goals": PLAN_SENTENCE * repeats,
        "plan_features": PLAN_SENTENCE * repeats,
    }


def png_bytes(size=(200, 280)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(200, 280)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def batch(db):
    now = timezone.now()
    return Batch.objects.create(
        title="关于申报“职业院校服务全民终身学习项目”第二批实验校的通知",
        short_name="第二批实验校",
        document_number="中成协〔2023〕010号",
        year=2023,
        issued_on=date(2023, 3, 14),
        national_deadline=now + timedelta(days=30),
        contact_name="彭老师",
        contact_phones="010-81299751 18611285756",
        contact_email="pengfang@enaea.edu.cn",
    )


@pytest.fixture
def zhejiang_association(db):
    return Association.objects.create(name="浙江省成人教育与职业教育协会", province_id="330000")


@pytest.fixture
def jiangsu_association(db):
    return Association.objects.create(name="江苏省成人教育协会", province_id="320000")


@pytest.fixture
def zhejiang_window(batch, zhejiang_association):
    return ProvincialWindow.objects.create(
        batch=batch,
        association=zhejiang_association,
        forwarding_number="浙成职协〔2023〕6号",
        school_deadline=batch.national_deadline - timedelta(days=8),
        contact_name="周依依",
        contact_phone="0571-88031215",
        contact_email="zj_czjxh@163.com",
    )


@pytest.fixture
def jiangsu_window(batch, jiangsu_association):
    return ProvincialWindow.objects.create(
        batch=batch,
        association=jiangsu_association,
        school_deadline=batch.national_deadline - timedelta(days=6),
        contact_name="孙老师",
        contact_phone="025-83335566",
    )


def make_school(name, province_code, school_type=SchoolType.HIGHER_VOCATIONAL, **extra) -> School:
    return School.objects.create(
        name=name,
        province=Province.objects.get(code=province_code),
        school_type=school_type,
        address=f"{name}所在地址 1 号",
        postcode="310012",
        contact_email=extra.pop("contact_email", f"{abs(hash(name)) % 10**8}@example.cn"),
        contact_mobile="13900000000",
        **extra,
    )


def make_user(username, role, **fields) -> User:
    user = User(username=username, email=f"{username}@example.cn", role=role, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def school_a(db):
    return make_school("浙江示范职业技术学院", "330000")


@pytest.fixture
def school_b(db):
    return make_school("江苏示范职业技术学院", "320000")


@pytest.fixture
def school_direct(db):
    return make_school("四川示范职业技术学院", "510000")


@pytest.fixture
def user_a(school_a):
    return make_user("school-a", Role.SCHOOL, school=school_a)


@pytest.fixture
def user_b(school_b):
    return make_user("school-b", Role.SCHOOL, school=school_b)


@pytest.fixture
def user_direct(school_direct):
    return make_user("school-direct", Role.SCHOOL, school=school_direct)


@pytest.fixture
def zhejiang_reviewer(zhejiang_association):
    return make_user("reviewer-zj", Role.PROVINCE, association=zhejiang_association)


@pytest.fixture
def jiangsu_reviewer(jiangsu_association):
    return make_user("reviewer-js", Role.PROVINCE, association=jiangsu_association)


@pytest.fixture
def staff_user(db):
    return make_user("staff", Role.STAFF, is_staff=True)


@pytest.fixture
def expert_user(db):
    return make_user("expert", Role.EXPERT)


@pytest.fixture
def admin_user(db):
    return make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)


def complete_fields(lead_name="王晓燕") -> dict:
    """Every value of a complete, valid application (projects and team rows apart)."""
    return {
        "lead_name": lead_name,
        "lead_title": "副院长",
        "lead_mobile": "13800000001",
        "liaison_name": "何晓东",
        "liaison_title": "办公室主任",
        "liaison_mobile": "13700000001",
        **plan_fields(),
        "pledge_signatory": lead_name,
        "pledge_accepted_at": timezone.now(),
        "unit_opinion": "同意申报。",
        # The school may name its supervising authority; the authority's opinion, seal and date
        # are written by hand on the printed form.
        "supervisor_name": "浙江省教育厅职业教育与成人教育处",
    }


def fill_complete(application, lead_name="王晓燕"):
    """Store a complete, valid application content directly (bypassing the form)."""
    for field, value in complete_fields(lead_name).items():
        setattr(application, field, value)
    if not is_vice_principal(application.lead_title, application.school.school_type):
        # 副院长 is the vice-principal of a 高等职业院校 only (条件 4); elsewhere a complete form explains it.
        application.lead_title_note = "本单位分管继续教育的校领导职务为副院长，由其担任项目负责人。"
    application.save()
    application.projects.set(ProjectCategory.objects.filter(code__in=["elderly-education", "rural-revitalisation"]))
    application.team.all().delete()
    for position, (name, title) in enumerate([(lead_name, "副院长"), ("何晓东", "讲师"), ("刘芳", "副教授")]):
        TeamMember.objects.create(
            application=application, position=position, name=name, title=title,
            department="继续教育学院", mobile=f"1360000000{position}", duty="课程开发",
        )  # fmt: skip
    refresh_version_code(application)
    application.refresh_from_db()
    return application


@pytest.fixture
def application_a(batch, zhejiang_window, user_a):
    """School A's application through the Zhejiang window, still empty."""
    return application_get_or_create(batch=batch, school=user_a.school, actor=user_a)


@pytest.fixture
def complete_application_a(application_a):
    return fill_complete(application_a)


@pytest.fixture
def application_b(batch, jiangsu_window, user_b):
    return application_get_or_create(batch=batch, school=user_b.school, actor=user_b)


def aware(*args) -> datetime:
    """A Beijing-time datetime."""
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def private_media(tmp_path, settings):
    """Uploaded scans go to a fresh temporary directory, never into the repository's var/.

    Changing STORAGES through the settings fixture makes Django drop its cached default storage,
    so FileFields write under this directory for the test's duration."""
    root = tmp_path / "private-media"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


@pytest.fixture
def reference_data(transactional_db):
    """Provinces and project categories for transactional tests (browser, threads): their
    flush after each test removes what the data migrations seeded."""
    from applications.reference import ensure_project_categories
    from portal.reference import ensure_provinces

    ensure_provinces()
    ensure_project_categories()
