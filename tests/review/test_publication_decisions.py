"""Decisions and publication: the 项目组意见 with selected / not selected, one by one and in bulk
(a confirmation page first, all or nothing), printed on the application PDF; the school sees no
outcome until the list is published, then sees it and is mailed; the public list shows the
selected schools by province and school type, and nothing before; publishing is refused while
any application is undecided."""
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.documents import application_pdf
from applications.models import Status, TimelineEntry
from applications.workflow import WorkflowError, deadline_end, status_label_for_school
from portal.models import SchoolType
from review.decisions import decide, decide_many, publication_problems, publish
from review.formal_check import formal_check_decide
from review.rubric import rubric_ensure_default
from tests.review.helpers import reload, timeline_actions
from tests.review.national_helpers import (
    BEIJING,
    FAIR,
    MEETING,
    GOOD,
    GUANGDONG,
    HUBEI,
    SICHUAN,
    assign,
    at_national,
    file_and_publish,
    in_review,
    make_expert,
    pdf_text,
    submit_review,
)

pytestmark = pytest.mark.usefixtures("private_media")  # scans and ZIPs go to a temporary directory

OPINION_YES = "经专家评审，同意列为第二批实验校。"
OPINION_NO = "经专家评审，本批次暂不列入。"


@pytest.fixture
def scored(batch, staff_user):
    """Four applications scored by one expert: two Sichuan schools (higher and secondary), one of
    Guangdong (secondary) and one of Hubei (a 职教中心). Returns key → (application, school user)."""
    rubric_ensure_default(batch)
    expert = make_expert("expert-bj", BEIJING, "北京终身教育研究院")
    made = {}
    for key, name, province, kind, scores in [
        ("sc_higher", "四川参评职业技术学院", SICHUAN, SchoolType.HIGHER_VOCATIONAL, GOOD),
        ("sc_secondary", "成都参评职业学校", SICHUAN, SchoolType.SECONDARY_VOCATIONAL, GOOD),
        ("gd", "广东参评职业学校", GUANGDONG, SchoolType.SECONDARY_VOCATIONAL, FAIR),
        ("hb", "武汉参评职业教育中心", HUBEI, SchoolType.VOCATIONAL_CENTER, GOOD),
    ]:
        application, user = in_review(batch, name, staff_user, province, kind)
        submit_review(assign(application, expert, staff_user), scores)
        made[key] = (reload(application), user)
        assert made[key][0].status == Status.SCORED
    return made


def app(scored, key):
    return reload(scored[key][0])


def decide_all(scored, staff_user):
    for key in ("sc_higher", "sc_secondary", "hb"):
        decide(application=app(scored, key), actor=staff_user, selected=True, opinion=OPINION_YES)
    decide(application=app(scored, "gd"), actor=staff_user, selected=False, opinion=OPINION_NO)


# ---- Deciding one ----------------------------------------------------------------------------------

def test_a_decision_needs_the_groups_opinion(scored, staff_user):
    application = app(scored, "hb")
    with pytest.raises(WorkflowError, match="请填写项目组意见"):
        decide(application=application, actor=staff_user, selected=True, opinion="  ")
    application = reload(application)
    assert (application.status, application.group_opinion) == (Status.SCORED, "")


def test_deciding_records_the_opinion_and_the_outcome_hidden_from_the_school(scored, staff_user):
    staff_user.last_name, staff_user.first_name = "彭", "老师"
    staff_user.save()
    before = timeline_actions(app(scored, "hb"))

    decide(application=app(scored, "hb"), actor=staff_user, selected=True, opinion=OPINION_YES)

    application = app(scored, "hb")
    assert application.status == Status.SELECTED
    assert (application.group_opinion, application.group_opinion_signer, application.group_opinion_date) == (OPINION_YES, "彭老师", timezone.localdate())
    assert timeline_actions(application) == before + ["decide"]
    entry = TimelineEntry.objects.get(application=application, action="decide")
    assert (entry.visible_to_school, entry.from_status, entry.to_status) == (False, Status.SCORED, Status.SELECTED)


def test_a_decision_may_change_until_publication(scored, staff_user):
    decide(application=app(scored, "hb"), actor=staff_user, selected=True, opinion=OPINION_YES)
    decide(application=app(scored, "hb"), actor=staff_user, selected=False, opinion=OPINION_NO, signer="项目组组长", opinion_date=date(2023, 6, 1))
    application = app(scored, "hb")
    assert (application.status, application.group_opinion, application.group_opinion_signer, application.group_opinion_date) == (
        Status.NOT_SELECTED, OPINION_NO, "项目组组长", date(2023, 6, 1))  # fmt: skip


@pytest.mark.parametrize("status_of", ["at_national", "in_expert_review"])
def test_an_application_not_yet_scored_cannot_be_decided(batch, staff_user, status_of):
    if status_of == "at_national":
        application, _ = at_national(batch, "四川待审职业技术学院")
    else:
        application, _ = in_review(batch, "四川评审中职业技术学院", staff_user)
    before = timeline_actions(application)
    with pytest.raises(WorkflowError, match="不能办理此操作"):
        decide(application=application, actor=staff_user, selected=True, opinion=OPINION_YES)
    application = reload(application)
    assert (application.status, application.group_opinion, timeline_actions(application)) == (status_of, "", before)


def test_deciding_through_the_page(client, scored, staff_user):
    client.force_login(staff_user)
    application = app(scored, "gd")
    response = client.post(reverse("review:decide", args=[application.pk]), {"selected": "0", "opinion": OPINION_NO, "signer": "彭老师"})
    assert response.status_code == 302
    application = reload(application)
    assert (application.status, application.group_opinion_signer) == (Status.NOT_SELECTED, "彭老师")
    html = client.get(reverse("review:national_application", args=[application.pk])).content.decode()
    assert OPINION_NO in html


def test_the_page_refuses_a_decision_without_an_opinion(client, scored, staff_user):
    client.force_login(staff_user)
    application = app(scored, "gd")
    response = client.post(reverse("review:decide", args=[application.pk]), {"selected": "1", "opinion": ""})
    assert response.status_code == 400
    assert reload(application).status == Status.SCORED


def test_the_application_pdf_prints_the_groups_opinion(scored, staff_user):
    decide(application=app(scored, "hb"), actor=staff_user, selected=True, opinion=OPINION_YES, signer="彭老师", opinion_date=date(2023, 6, 20))
    text = pdf_text(application_pdf(app(scored, "hb")))
    assert f"项目组意见：{OPINION_YES}负责人签字：彭老师2023年6月20日" in text


# ---- Deciding many ---------------------------------------------------------------------------------

def bulk(client, batch, applications, *, selected="1", opinion=OPINION_YES, confirm=None):
    data = {"batch": batch.pk, "application": [a.pk for a in applications], "selected": selected, "opinion": opinion}
    if confirm:
        data["confirm"] = confirm
    return client.post(reverse("review:bulk_decide"), data)


def statuses(scored):
    return {key: app(scored, key).status for key in scored}


def test_bulk_deciding_first_shows_a_confirmation_and_changes_nothing(client, batch, scored, staff_user):
    client.force_login(staff_user)
    chosen = [app(scored, "sc_higher"), app(scored, "hb")]
    before = (statuses(scored), TimelineEntry.objects.count())

    response = bulk(client, batch, chosen)

    assert response.status_code == 200
    html = response.content.decode()
    assert "确认：入选实验校（2 份）" in html
    assert "四川参评职业技术学院" in html and "武汉参评职业教育中心" in html and "广东参评职业学校" not in html
    assert 'name="confirm" value="yes"' in html
    assert (statuses(scored), TimelineEntry.objects.count()) == before


def test_confirming_decides_all_of_them(client, batch, scored, staff_user):
    client.force_login(staff_user)
    chosen = [app(scored, "sc_higher"), app(scored, "sc_secondary"), app(scored, "hb")]
    response = bulk(client, batch, chosen, confirm="yes")
    assert response.status_code == 302
    assert statuses(scored) == {"sc_higher": Status.SELECTED, "sc_secondary": Status.SELECTED, "hb": Status.SELECTED, "gd": Status.SCORED}
    assert all(app(scored, k).group_opinion == OPINION_YES for k in ("sc_higher", "sc_secondary", "hb"))


def test_if_one_fails_none_is_decided(client, batch, scored, staff_user):
    waiting, _ = in_review(batch, "四川评审未完职业技术学院", staff_user)
    client.force_login(staff_user)
    before = (statuses(scored), TimelineEntry.objects.count())

    response = bulk(client, batch, [app(scored, "sc_higher"), waiting, app(scored, "hb")], confirm="yes", selected="0", opinion=OPINION_NO)

    assert response.status_code == 302
    assert (statuses(scored), TimelineEntry.objects.count()) == before
    assert reload(waiting).status == Status.IN_EXPERT_REVIEW
    assert "未能全部决定（没有做任何更改）" in client.get(response["Location"]).content.decode()
    with pytest.raises(WorkflowError):
        decide_many(applications=[app(scored, "gd"), waiting], actor=staff_user, selected=True, opinion=OPINION_YES)
    assert app(scored, "gd").status == Status.SCORED


def test_bulk_deciding_needs_applications_and_an_opinion(client, batch, scored, staff_user):
    client.force_login(staff_user)
    before = statuses(scored)
    assert bulk(client, batch, [], confirm="yes").status_code == 302
    assert bulk(client, batch, [app(scored, "hb")], opinion="", confirm="yes").status_code == 302
    assert statuses(scored) == before


def test_ticked_values_that_name_no_application_are_ignored(client, batch, scored, staff_user):
    client.force_login(staff_user)
    data = {"batch": batch.pk, "selected": "1", "opinion": OPINION_YES,
            "application": ["9223372036854775808", "²", "-1", "abc", str(app(scored, "hb").pk)]}  # fmt: skip
    response = client.post(reverse("review:bulk_decide"), data)
    assert response.status_code == 200
    assert "确认：入选实验校（1 份）" in response.content.decode()


# ---- What the school sees --------------------------------------------------------------------------

def school_page(client, scored, key):
    application, user = scored[key]
    client.force_login(user)
    response = client.get(reverse("applications:detail", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("key, outcome", [("hb", "入选实验校"), ("gd", "未入选")])
def test_until_publication_the_school_sees_no_outcome(client, scored, staff_user, key, outcome):
    decide_all(scored, staff_user)
    html = school_page(client, scored, key)
    assert "专家评审中" in html
    for secret in (outcome, "status-selected", "status-not_selected", OPINION_YES, OPINION_NO):
        assert secret not in html
    # Nor on its dashboard, its submit page, or in a message when it tries to edit.
    application, user = scored[key]
    for url in (reverse("dashboard"), reverse("applications:submit", args=[application.pk])):
        page = client.get(url).content.decode()
        assert "专家评审中" in page and outcome not in page, url
    page = client.get(reverse("applications:edit", args=[application.pk]), follow=True).content.decode()
    assert "专家评审中" in page and outcome not in page
    assert status_label_for_school(application) == "专家评审中"


def test_a_scored_application_reads_as_in_review_for_the_school(client, scored):
    html = school_page(client, scored, "hb")
    assert "专家评审中" in html and "评审完成" not in html


def test_until_publication_the_schools_pdf_has_no_group_opinion(client, scored, staff_user):
    decide_all(scored, staff_user)
    application, user = scored["hb"]
    client.force_login(user)
    text = pdf_text(client.get(reverse("applications:pdf", args=[application.pk])).content)
    assert OPINION_YES not in text
    assert "项目组意见：负责人签字：年月日" in text
    # Staff's copy has it.
    client.force_login(staff_user)
    assert OPINION_YES in pdf_text(client.get(reverse("applications:pdf", args=[application.pk])).content)


def test_after_publication_the_school_sees_its_outcome_and_is_mailed(client, batch, scored, staff_user):
    decide_all(scored, staff_user)
    mail.outbox.clear()

    assert file_and_publish(batch, staff_user) == 3

    batch.refresh_from_db()
    assert batch.published_at is not None
    selected_html = school_page(client, scored, "hb")
    assert "入选实验校" in selected_html and "公布结果：入选实验校" in selected_html
    not_selected_html = school_page(client, scored, "gd")
    assert "未入选" in not_selected_html and "公布结果：未入选" in not_selected_html
    application, user = scored["hb"]
    client.force_login(user)
    assert OPINION_YES in pdf_text(client.get(reverse("applications:pdf", args=[application.pk])).content)
    # One mail per decided school, to the school's addresses, with its outcome.
    outcome_mails = {tuple(m.to): m for m in mail.outbox if "名单已公布" in m.subject}
    assert len(outcome_mails) == 4
    hb_mail = outcome_mails[tuple(sorted([application.school.contact_email, user.email]))]
    assert "入选实验校" in hb_mail.subject and OPINION_YES in hb_mail.body
    gd_application, gd_user = scored["gd"]
    assert "未入选" in outcome_mails[tuple(sorted([gd_application.school.contact_email, gd_user.email]))].subject
    # One visible timeline row per decided application.
    assert TimelineEntry.objects.filter(action="publish", visible_to_school=True).count() == 4


def test_after_publication_decisions_are_final(batch, scored, staff_user):
    decide_all(scored, staff_user)
    file_and_publish(batch, staff_user)
    with pytest.raises(WorkflowError, match="名单已公布"):
        decide(application=app(scored, "gd"), actor=staff_user, selected=True, opinion="改为入选。")
    assert app(scored, "gd").status == Status.NOT_SELECTED
    with pytest.raises(WorkflowError, match="名单已于"):
        publish(batch=batch, actor=staff_user, meeting=MEETING, meeting_on=timezone.localdate())


# ---- Publication refused -------------------------------------------------------------------------

def test_publishing_is_refused_while_applications_are_undecided(client, batch, scored, staff_user):
    decide(application=app(scored, "hb"), actor=staff_user, selected=True, opinion=OPINION_YES)
    mail.outbox.clear()
    with pytest.raises(WorkflowError, match="还有 3 份申请未作出决定"):
        publish(batch=batch, actor=staff_user, meeting=MEETING, meeting_on=timezone.localdate())
    batch.refresh_from_db()
    assert batch.published_at is None
    assert not mail.outbox
    assert not TimelineEntry.objects.filter(action="publish").exists()

    client.force_login(staff_user)
    page = client.get(reverse("review:publish"), {"batch": batch.pk}).content.decode()
    assert "还有 3 份申请未作出决定" in page and "确认公布名单" not in page
    response = client.post(reverse("review:publish"), {"batch": batch.pk, "meeting": MEETING, "meeting_on": timezone.localdate().isoformat()})
    assert response.status_code == 400
    assert "未能公布：还有 3 份申请未作出决定" in response.content.decode()
    batch.refresh_from_db()
    assert batch.published_at is None


def test_an_application_waiting_for_its_formal_check_blocks_publication(batch, scored, staff_user):
    decide_all(scored, staff_user)
    at_national(batch, "四川晚到职业技术学院")
    assert publication_problems(batch) == ["还有 1 份申请未作出决定（形式审查、评审或决定尚未完成）。"]


def test_an_application_being_corrected_blocks_publication(batch, scored, staff_user):
    """Returned for 补正 with the correction deadline still ahead: the school may still submit, and
    after publication nobody could decide it any more."""
    decide_all(scored, staff_user)
    correcting, _ = at_national(batch, "四川补正中职业技术学院")
    deadline = timezone.now() + timedelta(days=3)
    formal_check_decide(application=correcting, actor=staff_user, outcome="returned", reason="请补盖公章。", correction_deadline=deadline)
    with pytest.raises(WorkflowError, match="补正"):
        file_and_publish(batch, staff_user)
    batch.refresh_from_db()
    assert batch.published_at is None
    # Once its deadline has passed without a new submission it no longer holds the list up: the
    # deadline's minute is over (a deadline shown as 23:59 runs to 23:59:59.999).
    assert file_and_publish(batch, staff_user, now=deadline_end(deadline)) == 3


def test_publishing_needs_at_least_one_selected_school(batch, scored, staff_user):
    for key in scored:
        decide(application=app(scored, key), actor=staff_user, selected=False, opinion=OPINION_NO)
    assert publication_problems(batch) == ["还没有入选的申请。"]


def test_rejected_applications_do_not_block_publication(batch, scored, staff_user):
    decide_all(scored, staff_user)
    rejected, _ = at_national(batch, "四川不予受理学校")
    formal_check_decide(application=rejected, actor=staff_user, outcome="rejected", reason="不符合申报条件。")
    assert publication_problems(batch) == ["实验校名单须先报中国成人教育协会备案。"]  # nothing but the filing (八.2)


# ---- The public list --------------------------------------------------------------------------------

def test_before_publication_the_public_list_shows_nothing(client, batch, scored, staff_user):
    decide_all(scored, staff_user)
    html = client.get(reverse("public_list")).content.decode()
    assert "名单尚未公布" in html
    for key in scored:
        assert scored[key][0].school.name not in html
    assert client.get(reverse("public_list_batch", args=[batch.pk])).status_code == 404


def test_after_publication_the_public_list_groups_the_selected_schools_by_province_and_type(client, batch, scored, staff_user):
    decide_all(scored, staff_user)
    file_and_publish(batch, staff_user)

    response = client.get(reverse("public_list"))
    assert response.status_code == 200
    assert response.context["batch"] == batch and response.context["count"] == 3
    groups = [(province, [(kind, [a.school.name for a in apps]) for kind, apps in by_type]) for province, by_type in response.context["groups"]]
    assert groups == [
        ("湖北省", [("职教中心", ["武汉参评职业教育中心"])]),
        ("四川省", [("高等职业院校", ["四川参评职业技术学院"]), ("中等职业学校", ["成都参评职业学校"])]),
    ]
    html = response.content.decode()
    assert "广东参评职业学校" not in html
    listing = html[html.index("</form>"):]  # after the search form, whose 省份 menu names the provinces too
    assert listing.index("湖北省") < listing.index("职教中心（1 所）") < listing.index("武汉参评职业教育中心") < listing.index("四川省")
    assert listing.index("四川省") < listing.index("高等职业院校（1 所）") < listing.index("四川参评职业技术学院") < listing.index("中等职业学校（1 所）") < listing.index("成都参评职业学校")
    assert "共 3 所" in html
    assert client.get(reverse("public_list_batch", args=[batch.pk])).status_code == 200
