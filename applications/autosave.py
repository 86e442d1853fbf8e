"""Autosave of the application form while the school types: the same checks and the same save
as the page's own "保存草稿" button, answered in JSON for static/js/autosave.js: what the page
needs to carry on (the revision, the time saved, the version code, each section's state, the
plan's 字数, the team rows' ids), never a rendered page.

It runs on every pause in typing, hundreds of schools at once on deadline night, so it reads only
what the form and its rules need (no scans, no timeline), reads the form from JSON
(portal.autosave_body), leaves the team table's formset unbuilt when the table came back as stored
(forms.posted_team_as_stored), and the save writes only what changed
(services.application_save_draft; an unchanged page writes nothing)."""
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from applications.forms import ApplicationForm, posted_team_as_stored, team_formset
from applications.rules import check_application
from applications.selectors import route_is_choosable
from applications.services import DraftConflict, application_save_draft
from applications.workflow import WorkflowError
from portal import policy
from portal.autosave_body import autosave_data


@login_required
@require_POST
def application_autosave(request, pk):
    application = policy.get_own_application(request.user, pk, with_form_parts=True)
    data = autosave_data(request)
    route_choosable = route_is_choosable(application)
    form = ApplicationForm(data, instance=application, route_choosable=route_choosable)
    # The team table as stored (the usual case): no formset to build, nothing of it to write.
    stored_rows = posted_team_as_stored(application, data)
    formset = team_formset(application=application, data=data) if stored_rows is None else None
    if not (form.is_valid() and (formset is None or formset.is_valid())):
        # Nothing is stored; the page keeps the text and the next full save shows the messages.
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"saved": False, "errors": errors, "message": "有内容无法保存，请点“保存草稿”查看标红处。"}, status=400)
    try:
        saved = application_save_draft(
            application=application, form=form, team_formset=formset, actor=request.user,
            expected_revision=form.cleaned_data.get("revision"),
        )  # fmt: skip
    except DraftConflict as conflict:
        return JsonResponse({"saved": False, "conflict": True, "message": str(conflict)}, status=409)
    except WorkflowError as error:
        return JsonResponse({"saved": False, "message": str(error)}, status=409)
    posted_rows = stored_rows if formset is None else [subform.instance for subform in formset.forms]
    team_rows = [row for row in posted_rows if row is not None and row.pk is not None]
    check = check_application(saved, team_rows=sorted(team_rows, key=lambda row: row.position), projects=form.cleaned_data.get("projects") or [])
    too_long = form.too_long_messages()
    return JsonResponse(
        {
            "saved": True,
            # Sections over their caps were not stored (the rest was): the same messages as the
            # page's, which the page shows when the school presses 保存草稿.
            **({"errors": too_long, "message": "已自动保存其余内容；有栏目超过字数上限没有保存，请删减后点“保存草稿”查看标红处。"} if too_long else {}),
            "saved_at": timezone.localtime().strftime("%H:%M"),
            "revision": saved.revision,
            "version_code": saved.version_code,
            # The team rows as stored, by form position (None where a row was blank or deleted),
            # so the page can keep its hidden ids in step.
            "team_ids": [None if row is None else row.pk for row in posted_rows],
            "sections": {key: state.label for key, state in check.sections.items()},
            "plan_zi": check.plan_zi,
        }
    )
