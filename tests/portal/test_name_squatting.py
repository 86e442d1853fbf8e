"""No one can hold a school's name: a registration whose e-mail address is not confirmed within
REGISTRATION_CONFIRM_HOURS (72) expires, and the name, credit code and address are free again
(when someone registers them, and by `manage.py expire_registrations` from cron); names that only
look different (full-width letters, spaces, case) are one name, and invisible or direction-changing
characters are refused next to the field."""
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.forms import SchoolProfileForm
from portal.models import Role, School, User
from tests.conftest import make_school, make_user
from tests.portal.test_accounts import REGISTRATION, link_in, register

pytestmark = pytest.mark.django_db

NAME_TAKEN = "该学校已注册。如需账号，请联系本校已注册的同事或项目组。"
CREDIT_CODE = "91350100M000100Y43"


def squatter(name=REGISTRATION["name"], *, hours_ago, credit_code=CREDIT_CODE, email="squatter@example.cn", **user_fields):
    """A school registered `hours_ago` through the form by someone who never confirmed the mail."""
    school = make_school(name, "330000", credit_code=credit_code, contact_email=email)
    user = make_user(email, Role.SCHOOL, school=school, is_active=False, **user_fields)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(hours=hours_ago))
    return school, user


# --- expiry ----------------------------------------------------------------------------------------


def test_an_unconfirmed_registration_older_than_72_hours_frees_the_name_for_the_real_school(client):
    old_school, old_user = squatter(hours_ago=73)

    response = register(client)

    assert "请确认邮箱" in response.content.decode()
    school = School.objects.get()
    assert (school.name, school.credit_code) == (REGISTRATION["name"], CREDIT_CODE)
    assert school.pk != old_school.pk
    assert not User.objects.filter(pk=old_user.pk).exists()
    assert User.objects.get().email == "lin.hui@hzvtc.example.cn"


def test_within_72_hours_the_name_is_still_held(client):
    squatter(hours_ago=71)

    response = register(client)

    html = response.content.decode()
    assert NAME_TAKEN in html and "该统一社会信用代码已被其他单位使用。" in html
    assert School.objects.count() == 1


def test_the_command_for_cron_removes_only_expired_registrations(settings):
    settings.REGISTRATION_CONFIRM_HOURS = 48
    expired_school, expired = squatter("甲职业学院", hours_ago=49, credit_code="", email="a@example.cn")
    fresh_school, fresh = squatter("乙职业学院", hours_ago=47, credit_code="", email="b@example.cn")
    # A school whose colleague did confirm keeps its school; only the unconfirmed account goes.
    shared_school, shared = squatter("丙职业学院", hours_ago=100, credit_code="", email="c@example.cn")
    colleague = make_user("colleague@example.cn", Role.SCHOOL, school=shared_school)
    # An account that was active once and was switched off by an administrator is not a registration.
    switched_off_school, switched_off = squatter("丁职业学院", hours_ago=100, credit_code="", email="d@example.cn",
                                                 last_login=timezone.now() - timedelta(days=30))  # fmt: skip
    out = io.StringIO()

    call_command("expire_registrations", stdout=out)

    assert "已删除 2 个超过 48 小时未确认的注册" in out.getvalue()
    assert set(User.objects.values_list("pk", flat=True)) == {fresh.pk, colleague.pk, switched_off.pk}
    assert set(School.objects.values_list("pk", flat=True)) == {fresh_school.pk, shared_school.pk, switched_off_school.pk}
    assert not School.objects.filter(pk=expired_school.pk).exists()
    # The history keeps what was removed.
    assert School.history.filter(id=expired_school.pk, history_type="-").exists()
    assert User.history.filter(id=expired.pk, history_type="-").exists()


def test_the_confirmation_link_stops_working_when_the_registration_expires(client, settings):
    register(client)
    link = link_in(mail.outbox[0])
    User.objects.update(date_joined=timezone.now() - timedelta(hours=72, minutes=1))

    response = client.get(link)

    assert response.status_code == 400
    assert "注册后 72 小时内未确认邮箱的注册会被取消" in response.content.decode()
    assert User.objects.get().is_active is False
    # Logging in says why, instead of sending the school to a dead link.
    refused = client.post(reverse("login"), {"username": REGISTRATION["contact_email"], "password": REGISTRATION["password1"]})
    assert "该注册未在 72 小时内确认邮箱，已失效：请重新注册。" in refused.content.decode()


def test_the_registration_page_and_the_mail_say_how_long_the_link_is_valid(client):
    assert "请在 72 小时内点击邮件中的链接激活账号" in register(client).content.decode()
    assert "链接 72 小时内有效" in mail.outbox[0].body


# --- look-alike names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "look_alike",
    [
        pytest.param("杭州市职业技术学院 ", id="trailing space"),
        pytest.param("杭州市 职业技术学院", id="inner space"),
        pytest.param("杭州市\u3000职业技术学院", id="ideographic space"),
        pytest.param("杭州市职业技术学院（ＡＢＣ校区）", id="full-width letters"),
        pytest.param("杭州市职业技术学院(abc校区)", id="half-width brackets, lower case"),
    ],
)
def test_names_that_only_look_different_are_one_name(client, look_alike):
    make_school("杭州市职业技术学院（ABC校区）" if "校区" in look_alike else "杭州市职业技术学院", "330000")

    response = register(client, name=look_alike)

    assert NAME_TAKEN in response.content.decode()
    assert School.objects.count() == 1
    assert mail.outbox == []


def test_a_full_width_credit_code_is_the_same_code(client, school_a):
    school_a.credit_code = CREDIT_CODE
    school_a.save()

    response = register(client, credit_code="９１３５０１００Ｍ０００１００Ｙ４３")

    assert "该统一社会信用代码已被其他单位使用。" in response.content.decode()
    assert School.objects.count() == 1


def test_a_full_width_credit_code_of_a_new_school_is_stored_half_width(client):
    register(client, credit_code="９１３５０１００ｍ０００１００ｙ４３")

    assert School.objects.get().credit_code == CREDIT_CODE


def test_spaces_typed_in_a_name_are_stored_as_one(client):
    register(client, name="  杭州市\u3000\u3000职业技术学院  ")

    assert School.objects.get().name == "杭州市 职业技术学院"


def test_a_school_cannot_rename_itself_to_look_like_another(school_a, school_b):
    data = {**{f: getattr(school_b, f) for f in ("address", "postcode", "contact_email", "contact_mobile", "school_type")},
            "province": school_b.province_id, "name": "浙江示范 职业技术学院"}  # fmt: skip

    form = SchoolProfileForm(data, instance=school_b)

    assert not form.is_valid()
    assert form.errors["name"] == [NAME_TAKEN]
    # Its own name, spaced differently, is still its own.
    assert SchoolProfileForm({**data, "name": "江苏示范 职业技术学院"}, instance=school_b).is_valid()


def test_schools_written_in_bulk_get_their_name_key_too(db):
    School.objects.bulk_create(
        School(name=name, province_id="330000", school_type="higher", address="某路 1 号", postcode="310012",
               contact_email="x@example.cn", contact_mobile="13900000000")
        for name in ("甲学院", "乙学院")
    )  # fmt: skip

    assert sorted(School.objects.values_list("name_key", flat=True)) == ["乙学院", "甲学院"]


# --- invisible characters ----------------------------------------------------------------------

INVISIBLE = [
    *(chr(code) for code in range(0x200B, 0x2010)),  # zero-width space, non-joiner, joiner, LRM, RLM
    "\u2060",  # word joiner
    "\ufeff",  # byte-order mark (zero-width no-break space)
    *(chr(code) for code in range(0x202A, 0x202F)),  # bidi embeddings and overrides
    *(chr(code) for code in range(0x2066, 0x206A)),  # bidi isolates
]


@pytest.mark.parametrize("character", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_a_name_with_an_invisible_character_is_refused_next_to_the_field(client, school_a, character):
    typed = f"浙江示范{character}职业技术学院"

    response = register(client, name=typed)

    html = response.content.decode()
    assert f"含有不可见或改变文字方向的字符（U+{ord(character):04X}），请删除后重新填写" in html
    # Next to the field, and what was typed is kept.
    form = response.context["form"]
    assert [error.code for error in form.errors.as_data()["name"]] == ["invisible_character"]
    assert form["name"].value() == typed
    assert School.objects.count() == 1
