"""The demo data at the national steps (demo/management/commands/seed_demo.py): demo-staff finds
applications at the formal check, in expert review (with demo-expert, who scored some and not
others), scored and decided; the first batch (中成协〔2022〕012号) is published and /list/ shows it."""
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from applications.models import Application, Batch, Status
from portal.models import User
from review.models import Assignment, ExpertReview

pytestmark = pytest.mark.usefixtures("private_media")  # the command uploads demo scans

PASSWORD = "demo-pass-national-1"


@pytest.fixture
def seeded(db):
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())
    return Batch.objects.get(document_number="中成协〔2023〕010号")


def statuses(batch) -> dict[str, str]:
    return dict(Application.objects.filter(batch=batch, route="direct").values_list("school__name", "status"))


def test_demo_staff_finds_applications_at_every_national_step(client, seeded):
    assert client.login(username="demo-staff", password=PASSWORD)
    found = statuses(seeded)
    assert found["四川示范职业技术学院"] == Status.AT_NATIONAL
    assert found["广东示范职业技术学院"] == Status.IN_EXPERT_REVIEW
    assert found["武汉市江夏区职业教育中心"] == Status.IN_EXPERT_REVIEW
    assert found["山东示范职业技术学院"] == Status.SCORED
    assert found["洛阳市职业技术中等专业学校"] == Status.SELECTED
    assert found["福建示范职业技术学院"] == Status.NOT_SELECTED
    assert seeded.published_at is None

    # The formal check's queue lists the one waiting, and its page offers the check.
    response = client.get(reverse("review:national_list"), {"batch": seeded.pk, "status": "at_national"})
    assert [a.school.name for a in response.context["page"].object_list] == ["四川示范职业技术学院"]
    waiting = Application.objects.get(batch=seeded, school__name="四川示范职业技术学院")
    assert "记录审查结论" in client.get(reverse("review:national_application", args=[waiting.pk])).content.decode()

    # The ranked table holds everything from expert review on, with the decided ones marked.
    rows = client.get(reverse("review:ranking"), {"batch": seeded.pk}).context["rows"]
    by_school = {row.application.school.name: row for row in rows}
    assert by_school["山东示范职业技术学院"].score.mean is not None
    assert by_school["山东示范职业技术学院"].submitted == by_school["山东示范职业技术学院"].assigned == seeded.experts_per_application
    assert by_school["洛阳市职业技术中等专业学校"].application.group_opinion == "经专家评审，同意列为实验校。"
    assert by_school["洛阳市职业技术中等专业学校"].score.mean > by_school["福建示范职业技术学院"].score.mean
    # Undecided ones keep the list from being published.
    assert "确认公布名单" not in client.get(reverse("review:publish"), {"batch": seeded.pk}).content.decode()


def test_demo_expert_has_work_done_and_work_to_do(client, seeded):
    expert = User.objects.get(username="demo-expert")
    mine = {a.application.school.name: a for a in Assignment.objects.filter(expert=expert, is_active=True, application__batch=seeded).select_related("application__school")}
    assert {"广东示范职业技术学院", "武汉市江夏区职业教育中心"} <= set(mine)
    assert ExpertReview.objects.get(assignment=mine["广东示范职业技术学院"]).state == ExpertReview.State.SUBMITTED
    assert not ExpertReview.objects.filter(assignment=mine["武汉市江夏区职业教育中心"]).exists()

    assert client.login(username="demo-expert", password=PASSWORD)
    response = client.get(reverse("review:expert_home"))
    assert response.status_code == 200
    done = sum(1 for a in response.context["assignments"] if getattr(a, "review", None) and a.review.state == "submitted")
    total = len(response.context["assignments"])
    assert 0 < done < total
    assert f"已完成 <strong>{done} / {total}</strong>" in response.content.decode()
    assert client.get(reverse("review:expert_score", args=[mine["武汉市江夏区职业教育中心"].pk])).status_code == 200


def test_the_first_batch_is_published_and_listed(client, seeded):
    first = Batch.objects.get(document_number="中成协〔2022〕012号")
    assert first.published_at is not None
    selected = set(Application.objects.filter(batch=first, status=Status.SELECTED).values_list("school__name", flat=True))
    # Two forwarded by Zhejiang, two applying directly from Jiangsu and Sichuan.
    assert selected == {"宁波市甬江职业高级中学", "温州市瓯海区职业教育中心", "苏州市吴中区职业教育中心", "绵阳市安州区职业中学"}

    response = client.get(reverse("public_list"))
    assert response.context["batch"] == first
    html = response.content.decode()
    assert "中成协〔2022〕012号" in html and "浙江省" in html
    for name in selected:
        assert name in html
    # The 2023 batch is not published: none of its decided schools is listed.
    assert "洛阳市职业技术中等专业学校" not in html
    # The first batch's schools see their outcome.
    school_user = User.objects.get(username="demo-school-zj2")
    assert client.login(username=school_user.username, password=PASSWORD)
    application = Application.objects.get(batch=first, school=school_user.school)
    assert "入选实验校" in client.get(reverse("applications:detail", args=[application.pk])).content.decode()
