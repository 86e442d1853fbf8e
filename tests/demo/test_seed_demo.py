"""The demo data command (demo/management/commands/seed_demo.py): one account per role that can
log in, applications in several states, the Zhejiang window of the notice, safe to run again."""
import io
import re

import pytest
from django.core.management import call_command

from applications.models import Application, Batch, ProvincialWindow, Status
from portal.models import Role, School, User

pytestmark = pytest.mark.usefixtures("private_media")  # the command uploads demo scans

DEMO_PASSWORD = "x-demo-pass-1"
ACCOUNTS = {
    "demo-school": Role.SCHOOL,
    "demo-province": Role.PROVINCE,
    "demo-staff": Role.STAFF,
    "demo-expert": Role.EXPERT,
    "demo-admin": Role.ADMIN,
}


def seed(password=DEMO_PASSWORD) -> str:
    out = io.StringIO()
    if password is None:
        call_command("seed_demo", stdout=out)
    else:
        call_command("seed_demo", password=password, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    seed()
    return Batch.objects.get(document_number="中成协〔2023〕010号")


def test_every_demo_account_exists_with_its_role_and_logs_in(client, seeded):
    # One seeding for all five accounts: the command takes a couple of seconds.
    roles = dict(User.objects.filter(username__in=ACCOUNTS, is_active=True).values_list("username", "role"))
    logins = {username: client.login(username=username, password=DEMO_PASSWORD) for username in ACCOUNTS}
    assert (roles, logins) == (ACCOUNTS, dict.fromkeys(ACCOUNTS, True))


def test_the_demo_province_account_acts_for_zhejiang(seeded):
    user = User.objects.get(username="demo-province")
    assert (user.association.name, user.association.province.name) == ("浙江省成人教育与职业教育协会", "浙江省")


def test_the_demo_admin_is_a_superuser(seeded):
    admin = User.objects.get(username="demo-admin")
    assert (admin.is_superuser, admin.is_staff) == (True, True)


def test_the_current_batch_has_drafts_and_submitted_applications(seeded):
    applications = Application.objects.filter(batch=seeded)
    assert applications.filter(status=Status.DRAFT).exists()
    # Submitted ones, whatever the province has done with them since.
    assert applications.filter(submitted_at__isnull=False).count() >= 2
    assert applications.filter(status=Status.AT_NATIONAL, route="direct").exists()


def test_the_schools_are_in_at_least_three_provinces(seeded):
    assert School.objects.values("province").distinct().count() >= 3


def test_the_zhejiang_window_is_the_notice_s(seeded):
    window = ProvincialWindow.objects.get(batch=seeded, association__province_id="330000")
    assert window.forwarding_number == "浙成职协〔2023〕6号"
    # Schools submit to the province before the national deadline, so that it can recommend.
    assert window.school_deadline < seeded.national_deadline
    assert (seeded.contact_name, seeded.contact_phones) == ("彭老师", "010-81299751 18611285756")


def test_running_it_again_changes_no_count_and_keeps_the_accounts_working(client, seeded):
    counts = (Batch.objects.count(), School.objects.count(), User.objects.count(), Application.objects.count())
    states = dict(Application.objects.values_list("pk", "status"))

    output = seed()

    assert "演示数据已就绪。" in output
    assert (Batch.objects.count(), School.objects.count(), User.objects.count(), Application.objects.count()) == counts
    assert dict(Application.objects.values_list("pk", "status")) == states
    assert client.login(username="demo-school", password=DEMO_PASSWORD) is True


def test_the_given_password_is_printed_without_the_generated_note(db):
    output = seed()
    assert f"密码：{DEMO_PASSWORD}\n" in output
    assert "随机生成" not in output


def test_without_a_password_it_prints_a_generated_one_that_works(client, db):
    output = seed(password=None)

    match = re.search(r"密码：(\S+)（随机生成，请记下）", output)
    assert match is not None
    assert client.login(username="demo-staff", password=match.group(1)) is True
