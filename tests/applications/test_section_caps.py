"""Issue 14 item 2: the long sections of the form have caps (applications.rules.TEXT_MAX_CHARS). A
plan pasted whole into one section (500,000 字 took 16.7 s to lay out; four killed a worker) is not
stored, the school is told next to the field by how much it is over, the rest of the form is
saved, and the text stays on screen to be cut. Rows from before the caps stay readable, and the
longest application the caps allow prints whole."""
import io
import json
import re
import subprocess
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from applications.documents import application_pdf
from applications.models import Application, TeamMember
from applications.rules import OPINION_MAX_CHARS, PLAN_SECTION_MAX_CHARS, TEXT_MAX_CHARS, character_count, check_application
from applications.workflow import WorkflowError, submit
from tests.applications.pages import descriptions, read_form
from tests.applications.test_edit_form import FILLED, FORM_ID, TEAM, as_opened, edit_url, project_ids, team_data
from tests.conftest import PLAN_SENTENCE

OVER = PLAN_SECTION_MAX_CHARS + 1
# 36 characters a sentence: this is the section at its cap plus 9 (20,009 characters).
LONG_SECTION = PLAN_SENTENCE * (OVER // 36 + 1)
OVER_MESSAGE = (
    f"本栏最多 {PLAN_SECTION_MAX_CHARS} 个字符（含标点、空格和换行），目前 {len(LONG_SECTION)} 个字符，"
    f"请删去至少 {len(LONG_SECTION) - PLAN_SECTION_MAX_CHARS} 个字符。"
    "本栏这次没有保存（仍为上次保存的内容），您输入的文字仍在框中，请删减后再保存。"
)


@pytest.fixture
def school_client(client, user_a):
    client.force_login(user_a)
    return client


def test_the_caps_cover_every_long_text_of_the_application():
    long_texts = {f.name for f in Application._meta.fields if f.get_internal_type() == "TextField"}
    assert set(TEXT_MAX_CHARS) == long_texts
    for name, limit in TEXT_MAX_CHARS.items():
        assert Application._meta.get_field(name).max_length == limit
    assert (PLAN_SECTION_MAX_CHARS, OPINION_MAX_CHARS) == (20_000, 2_000)


def test_the_model_refuses_a_section_over_its_cap_and_counts_a_line_break_once(complete_application_a):
    application = complete_application_a
    # Exactly at the cap, its line breaks sent by the browser as CR LF: accepted.
    application.plan_content = ("学" * 99 + "\r\n") * (PLAN_SECTION_MAX_CHARS // 100)
    assert character_count(application.plan_content) == PLAN_SECTION_MAX_CHARS
    application.full_clean()
    application.plan_content += "学"
    with pytest.raises(ValidationError) as raised:
        application.full_clean()
    assert raised.value.error_dict["plan_content"][0].code == "too_long"


def test_an_over_long_section_is_not_stored_the_rest_is_and_the_page_keeps_the_text(school_client, application_a):
    data = as_opened(application_a, {**FILLED, "plan_steps": LONG_SECTION, "projects": project_ids("elderly-education"), **team_data(TEAM)})

    response = school_client.post(edit_url(application_a), data)

    assert response.status_code == 200  # the page itself, not a redirect: the typed text is on it
    stored = Application.objects.get(pk=application_a.pk)
    assert stored.plan_steps == ""  # what was stored before: nothing cut, nothing over the cap kept
    assert (stored.lead_name, stored.plan_content, stored.unit_opinion) == (FILLED["lead_name"], FILLED["plan_content"], FILLED["unit_opinion"])
    assert stored.team.count() == len(TEAM)
    assert stored.revision == 1
    html = response.content.decode()
    values, attrs = read_form(html, FORM_ID)
    assert values["plan_steps"] == [LONG_SECTION]
    assert values["plan_content"] == [FILLED["plan_content"]]
    assert values["revision"] == ["1"]  # the next save goes through, not a conflict with itself
    assert values["team-INITIAL_FORMS"] == [str(len(TEAM))]  # the rows stored now are not stored twice
    assert "is-invalid" in attrs["plan_steps"]["class"].split()
    assert "maxlength" not in attrs["plan_steps"]  # a browser would cut a paste at it without a word
    assert attrs["plan_steps"]["data-char-max"] == str(PLAN_SECTION_MAX_CHARS)
    assert OVER_MESSAGE in descriptions(html, attrs["plan_steps"])
    assert "但有 1 栏超过字数上限没有保存" in html
    assert f"本栏最多 {PLAN_SECTION_MAX_CHARS} 个字符。" in html  # told before typing too

    # Cut to the cap, the next save of the page as shown stores it.
    shown = {k: v[0] if len(v) == 1 else v for k, v in values.items()}
    shown["plan_steps"] = LONG_SECTION[:PLAN_SECTION_MAX_CHARS]
    assert school_client.post(edit_url(application_a), shown).status_code == 302
    assert Application.objects.get(pk=application_a.pk).plan_steps == LONG_SECTION[:PLAN_SECTION_MAX_CHARS]
    assert TeamMember.objects.filter(application=application_a).count() == len(TEAM)


def test_an_over_long_unit_opinion_keeps_the_stored_one(school_client, complete_application_a):
    application = complete_application_a
    opinion = "同" * (OPINION_MAX_CHARS + 5)
    data = as_opened(application, {**FILLED, "unit_opinion": opinion, **team_data(TEAM)})

    response = school_client.post(edit_url(application), data)

    assert Application.objects.get(pk=application.pk).unit_opinion == "同意申报。"
    values, attrs = read_form(response.content.decode(), FORM_ID)
    assert values["unit_opinion"] == [opinion]
    assert any(f"目前 {OPINION_MAX_CHARS + 5} 个字符" in d for d in descriptions(response.content.decode(), attrs["unit_opinion"]))


def test_autosave_stores_the_rest_and_answers_the_same_message(school_client, application_a):
    data = as_opened(application_a, {**FILLED, "plan_goals": LONG_SECTION, **team_data(TEAM)})

    response = school_client.post(reverse("applications:autosave", args=[application_a.pk]), data)

    answer = response.json()
    assert (response.status_code, answer["saved"], answer["revision"]) == (200, True, 1)
    assert answer["errors"] == {"plan_goals": [OVER_MESSAGE]}
    assert "超过字数上限" in answer["message"]
    stored = Application.objects.get(pk=application_a.pk)
    assert (stored.plan_goals, stored.lead_name) == ("", FILLED["lead_name"])


def test_a_row_stored_over_the_cap_before_the_caps_stays_readable_and_cannot_be_submitted(school_client, complete_application_a):
    application = complete_application_a
    legacy = PLAN_SENTENCE * 600 + "特色到此为止"  # 21,606 characters, stored before there was a cap
    Application.objects.filter(pk=application.pk).update(plan_features=legacy)
    application.refresh_from_db()

    # The edit page shows it whole and says what is wrong; saving the other fields still works.
    html = school_client.get(edit_url(application)).content.decode()
    values, attrs = read_form(html, FORM_ID)
    assert values["plan_features"] == [legacy]
    assert any("目前 21606 个字符" in d for d in descriptions(html, attrs["plan_features"]))
    shown = {k: v[0] if len(v) == 1 else v for k, v in values.items()}
    shown["liaison_name"] = "赵敏"
    school_client.post(edit_url(application), shown)
    stored = Application.objects.get(pk=application.pk)
    assert (stored.liaison_name, stored.plan_features) == ("赵敏", legacy)

    # The rules flag it, so the submit step refuses; the PDF prints it whole.
    assert "plan_features" in check_application(stored).invalid
    with pytest.raises(WorkflowError):
        submit(application=stored, actor=application.school.users.first())
    pages = PdfReader(io.BytesIO(application_pdf(stored))).pages
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))
    assert "特色到此为止" in text
    # Every sentence but those a page break splits (the footer's text lands inside them).
    assert text.count(PLAN_SENTENCE) >= 600 + 15 * 3 - len(pages)


def longest_application(application):
    """Every text of `application` at its cap: the plan's sections, the opinions, every short field,
    30 team rows (the formset's most) of full length."""
    for name, limit in TEXT_MAX_CHARS.items():
        paragraph = PLAN_SENTENCE * 5 + "\r\n"  # 181 characters, a line break every paragraph
        text = paragraph * (limit // 181 + 1)
        setattr(application, name, text[: limit + text[:limit].count("\r\n")])
        assert character_count(getattr(application, name)) in (limit, limit - 1), name
    for field in Application._meta.fields:
        if field.get_internal_type() == "CharField" and field.name in Application.CONTENT_FIELDS:
            setattr(application, field.name, ("项" * field.max_length) if "mobile" not in field.name else "13800000001")
    application.save()
    TeamMember.objects.filter(application=application).delete()
    TeamMember.objects.bulk_create(
        TeamMember(application=application, position=n, name="成" * 50, title="职" * 50, department="部" * 100,
                   mobile="13800000001", duty="分" * 200)
        for n in range(30)
    )  # fmt: skip
    return Application.objects.get(pk=application.pk)


def test_the_longest_application_the_caps_allow_prints_whole(complete_application_a):
    application = longest_application(complete_application_a)

    started = time.perf_counter()
    pdf = application_pdf(application)
    print(f"longest application: {time.perf_counter() - started:.1f} s, {len(pdf)} bytes")  # bench/README.md

    reader = PdfReader(io.BytesIO(pdf))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    # Nothing cut: every plan section and the printed opinions are there to their last sentence
    # (all but those a page break splits: the footer's text lands inside them).
    printed = ("plan_content", "plan_steps", "plan_goals", "plan_features", "unit_opinion", "group_opinion")
    for name in printed:
        assert re.sub(r"\s+", "", getattr(application, name))[-60:] in text, name
    expected = sum(getattr(application, name).count(PLAN_SENTENCE) for name in printed)
    assert expected - len(reader.pages) <= text.count(PLAN_SENTENCE) <= expected
    assert text.count("成" * 50) == 30
    assert f"{application.number}" in reader.pages[-1].extract_text()


CHARACTER_CASES = ["", "学校", "a\r\nb", "第一行\n第二行", "𠀀𠀁", "COVID-19 培训，\r\n\r\n效果很好。", "　 \t"]


def test_the_live_counter_counts_characters_as_the_server_does():
    # static/js/wordcount.js under Node (as the browser runs it, without a page); a textarea's
    # value holds LF alone, the form posts CR LF: both count one.
    script = (
        "const fs = require('fs'); const g = {}; new Function('global', fs.readFileSync(process.argv[1], 'utf8')"
        ".replace('(this)', '(global)'))(g); const cases = JSON.parse(process.argv[2]);"
        "process.stdout.write(JSON.stringify(cases.map(g.countCharacters)));"
    )
    found = subprocess.run(
        ["node", "-e", script, str(settings.BASE_DIR / "static/js/wordcount.js"), json.dumps(CHARACTER_CASES)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert json.loads(found) == [character_count(text) for text in CHARACTER_CASES] == [0, 2, 3, 7, 2, 19, 3]
