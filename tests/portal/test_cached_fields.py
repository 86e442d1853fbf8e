"""The application form's fields come from a cache of crispy-forms' HTML (issue 18): what is
served is always what crispy-forms renders for the field as it stands, its value, errors and
choices included; a change to any of them is rendered afresh."""
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

from applications.forms import ApplicationForm
from applications.models import ProjectCategory
from portal.templatetags import cached_fields
from portal.templatetags.cached_fields import as_cached_crispy_field


def rendered(form) -> dict[str, str]:
    return {name: as_cached_crispy_field(form[name]) for name in form.fields if name != "revision"}


def crispy(form) -> dict[str, str]:
    return {name: as_crispy_field(form[name]) for name in form.fields if name != "revision"}


def test_cached_fields_are_crispy_forms_own_html(complete_application_a):
    cached_fields.forget_fragments()
    first = rendered(ApplicationForm(instance=complete_application_a))
    again = rendered(ApplicationForm(instance=complete_application_a))  # from the cache

    assert first == again == crispy(ApplicationForm(instance=complete_application_a))
    assert complete_application_a.plan_name in first["plan_name"]


def test_a_changed_value_or_an_error_is_rendered_afresh(complete_application_a):
    cached_fields.forget_fragments()
    rendered(ApplicationForm(instance=complete_application_a))
    data = {name: value for name, value in ApplicationForm(instance=complete_application_a).initial.items() if isinstance(value, str)}
    data.update(lead_mobile="1381234567", plan_name="改过的方案名称", revision=str(complete_application_a.revision))
    data["projects"] = [str(p.pk) for p in complete_application_a.projects.all()]
    bound = ApplicationForm(data, instance=complete_application_a)
    bound.is_valid()
    bound.add_error("lead_mobile", "请填写 11 位手机号码。")

    shown = rendered(bound)

    assert shown == crispy(ApplicationForm(data, instance=complete_application_a)) | {"lead_mobile": shown["lead_mobile"]}
    assert "改过的方案名称" in shown["plan_name"]
    assert "请填写 11 位手机号码。" in shown["lead_mobile"] and "is-invalid" in shown["lead_mobile"]


def test_a_new_project_category_is_offered_at_once(complete_application_a):
    cached_fields.forget_fragments()
    before = rendered(ApplicationForm(instance=complete_application_a))["projects"]
    ProjectCategory.objects.create(code="new-kind", name="新设的项目类别", position=99)

    after = rendered(ApplicationForm(instance=complete_application_a))["projects"]

    assert "新设的项目类别" not in before and "新设的项目类别" in after
