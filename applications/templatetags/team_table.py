"""`{% team_row row number %}`: one row of the 项目小组成员 table (applications/_team_table.html).

Written here rather than as a template: the application's edit page shows up to thirty rows of six
inputs, and the template engine took about a millisecond a row (a seventh of the page's time, on
a page every 保存草稿 brings back). This builds the same markup with format_html, every value
escaped as the template escaped it; the hidden inputs too, which Django's widget templates took
half a millisecond each to render.
"""
from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

# The cells' inputs: the mobile number gets a numeric keyboard and the phone's autofill.
MOBILE_ATTRS = mark_safe(' inputmode="numeric" autocomplete="tel"')


def _hidden(field):
    """`field` (a hidden input without attributes of its own) as Django's widget template renders
    it, without going through that template twice per row."""
    value = field.field.widget.format_value(field.value())
    return format_html(
        '<input type="hidden" name="{}"{}{}>', field.html_name, format_html(' value="{}"', value) if value is not None else "",
        format_html(' id="{}"', field.auto_id) if field.auto_id else "",
    )  # fmt: skip


@register.simple_tag
def team_management_form(formset):
    """The formset's management form: its four hidden counts, as Django renders them."""
    return format_html_join("", "{}", ((_hidden(field),) for field in formset.management_form))


def _cell(field):
    value = field.value()
    input_id = field.id_for_label
    invalid = bool(field.errors)
    return format_html(
        '\n  <td>\n    <label class="team-cell-label" for="{id}">{label}</label>\n'
        '    <input type="text" name="{name}" id="{id}" value="{value}" class="form-control form-control-sm{invalid_class}"'
        '{mobile} maxlength="{max_length}"{described}>\n{errors}  </td>\n',
        id=input_id, label=field.label, name=field.html_name, value="" if value is None else value,
        invalid_class=" is-invalid" if invalid else "", mobile=MOBILE_ATTRS if field.name == "mobile" else "",
        max_length=field.field.max_length,
        described=format_html(' aria-describedby="{}-error" aria-invalid="true"', input_id) if invalid else "",
        errors=format_html('    <div class="invalid-feedback" id="{}-error">{}</div>\n', input_id, " ".join(field.errors)) if invalid else "",
    )  # fmt: skip


@register.simple_tag
def team_row(row, number):
    """The <tr> of the team formset's form `row`, numbered `number` ("" for the blank row that
    static/js/team.js copies): its hidden id (a model formset's; the 实验校's team page has none), five text cells with their labels and errors, and
    the 删除 checkbox."""
    delete = row["DELETE"]
    return format_html(
        '<tr class="team-row">\n  <th scope="row" class="team-number">{number}{id}</th>{cells}'
        '  <td>\n    <label class="team-cell-label" for="{delete_id}">删除此行</label>\n'
        '    <input type="checkbox" name="{delete_name}" id="{delete_id}" class="form-check-input"{checked}>\n  </td>\n</tr>\n',
        number=number, id=_hidden(row["id"]) if "id" in row.fields else "", cells=format_html_join("", "{}", ((_cell(field),) for field in row.visible_fields() if field.name != "DELETE")),
        delete_id=delete.id_for_label, delete_name=delete.html_name, checked=" checked" if delete.value() else "",
    )  # fmt: skip
