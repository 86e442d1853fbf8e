"""七、申报基本条件: the home page and the form show applicants all seven conditions, in the notice's
words. The expected text is copied here from the notice (../shared/notice/notice-2023-010.txt, the
lines under 七、申报基本条件), so the test does not read the portal's own copy back."""
import pytest
from django.urls import reverse

from tests.applications.pages import text_of

NOTICE_LINES = """
为确保项目顺利实施，各实验校必须具备以下基本条件：
1. 有意愿：有强烈的实验愿望和积极性，并接受中国成人教育协会的指导和项目组的管理。
2. 有组织：应得到当地教育主管部门的同意，并得到当地政府和教育部门的重视和支持，成立由学校主管部门牵头的项目领导小组。
3. 有项目：应有明确的具体项目，能自行组织力量实施项目，能自行解决项目经费。
4. 有团队：应成立由副校长为项目负责人的项目小组，项目小组成员至少 3 人以上，参与项目组的的活动，组织开展工作。
5. 有协调能力：能发动全域参与项目实施，并能发挥自身优势，积极开展活动，能承担并能完成项目实施和完成项目组交办的其它任务。
6. 愿意接受项目组在项目实施、项目团队培训等方面的指导、支持和服务。
7. 连续两次不参与项目组活动视为退出，实验校有退出项目实施的权力。
""".strip().splitlines()


def assert_shows_the_seven_conditions(html: str) -> None:
    # The introduction, then the conditions as an ordered list: the browser numbers them 1–7.
    intro, *numbered = NOTICE_LINES
    items = [line.split(". ", 1)[1] for line in numbered]
    assert text_of(html, "basic-conditions") == " ".join([intro, *items])
    block = html[html.index('id="basic-conditions"') :]
    block = block[: block.index("</ol>")]
    assert "<ol" in block and block.count("<li") == len(items) == 7


@pytest.mark.django_db
def test_the_home_page_lists_all_seven_conditions_in_the_notices_words(client, batch):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_shows_the_seven_conditions(response.content.decode())


def test_the_form_lists_all_seven_conditions_in_the_notices_words(client, user_a, application_a):
    client.force_login(user_a)
    response = client.get(reverse("applications:edit", args=[application_a.pk]))
    assert response.status_code == 200
    assert_shows_the_seven_conditions(response.content.decode())
