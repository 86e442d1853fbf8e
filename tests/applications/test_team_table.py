"""The 项目小组成员 table's rows (applications/templatetags/team_table.py): what a school sees and
sends in each row: the stored values, escaped; the hidden id the save matches rows by; a refused
cell marked for the eye and for screen readers, its message beside it; a row marked for deletion
still marked when the page comes back."""
import re

from django.urls import reverse

from applications.forms import team_formset
from applications.templatetags.team_table import team_management_form, team_row


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr class="team-row">.*?</tr>', html, flags=re.S)


def test_the_edit_page_shows_each_stored_row_with_its_id_and_values(client, user_a, complete_application_a):
    client.force_login(user_a)
    member = complete_application_a.team.order_by("position").first()
    member.name = '王<b>"晓"</b>&燕'
    member.save()

    html = client.get(reverse("applications:edit", args=[complete_application_a.pk])).content.decode()

    rows = rows_of(html)
    stored = list(complete_application_a.team.order_by("position"))
    # Every stored row, the blank rows up to three people, and the template row team.js copies.
    assert len(rows) >= len(stored) + 1
    first = rows[0]
    assert f'<input type="hidden" name="team-0-id" value="{member.pk}" id="id_team-0-id">' in first
    assert 'value="王&lt;b&gt;&quot;晓&quot;&lt;/b&gt;&amp;燕"' in first and "<b>" not in first
    assert '<th scope="row" class="team-number">1<input' in first
    assert 'name="team-0-mobile" id="id_team-0-mobile"' in first and 'inputmode="numeric" autocomplete="tel"' in first
    assert '<label class="team-cell-label" for="id_team-0-duty">分工</label>' in first
    assert 'id="team-empty-row"' in html and 'name="team-__prefix__-name"' in html


def test_a_refused_cell_is_marked_and_a_deleted_row_stays_ticked(complete_application_a):
    application = complete_application_a
    stored = list(application.team.order_by("position"))
    data = {"team-TOTAL_FORMS": str(len(stored)), "team-INITIAL_FORMS": str(len(stored)), "team-MIN_NUM_FORMS": "0", "team-MAX_NUM_FORMS": "30"}
    for index, row in enumerate(stored):
        data.update({f"team-{index}-{name}": getattr(row, name) for name in ("name", "title", "department", "mobile", "duty")})
        data[f"team-{index}-id"] = str(row.pk)
    data["team-0-mobile"] = "1" * 30  # longer than the 20 characters a mobile number may have
    data["team-1-DELETE"] = "on"
    formset = team_formset(application=application, data=data)
    assert not formset.is_valid()

    first, second = str(team_row(formset.forms[0], 1)), str(team_row(formset.forms[1], 2))

    assert 'class="form-control form-control-sm is-invalid"' in first
    assert 'aria-describedby="id_team-0-mobile-error" aria-invalid="true"' in first
    assert re.search(r'<div class="invalid-feedback" id="id_team-0-mobile-error">[^<]*20[^<]*</div>', first)
    assert 'value="' + "1" * 30 + '"' in first  # what was typed stays in the cell
    assert 'name="team-1-DELETE" id="id_team-1-DELETE" class="form-check-input" checked>' in second
    assert "is-invalid" not in second


def test_the_hidden_inputs_are_those_django_renders(complete_application_a):
    formset = team_formset(application=complete_application_a)
    assert str(team_management_form(formset)) == str(formset.management_form).replace("\n", "").strip()
    for form in list(formset.forms) + [formset.empty_form]:
        assert str(form["id"]) in str(team_row(form, ""))
