"""Helpers for the provincial review tests: schools that submitted through their province, and
the few lookups the assertions share."""
from applications.models import Application, TimelineEntry
from applications.services import application_get_or_create, refresh_version_code, scan_upload
from applications.workflow import submit
from portal.models import Role, SchoolType
from tests.conftest import fill_complete, make_school, make_user, png_bytes, upload


def submit_complete(application, actor, *, lead_name="王晓燕", lead_title=None, now=None) -> Application:
    """Fill `application` in completely, upload a scan of that version and submit it."""
    fill_complete(application, lead_name=lead_name)
    if lead_title is not None:
        # A lead who is not a vice-principal needs the school's explanation to be complete.
        application.lead_title = lead_title
        application.lead_title_note = "副校长岗位空缺，由分管社会培训的处长牵头。"
        application.save()
        refresh_version_code(application)
        application.refresh_from_db()
    scan_upload(application=application, uploaded_file=upload("s.png", png_bytes()), actor=actor)
    submit(application=application, actor=actor, now=now)
    return Application.objects.get(pk=application.pk)


def new_application(batch, name, province_code="330000", school_type=SchoolType.HIGHER_VOCATIONAL):
    """A new school in `province_code` with one user and an empty application for `batch`."""
    school = make_school(name, province_code, school_type)
    user = make_user(f"school-{school.pk}", Role.SCHOOL, school=school)
    return application_get_or_create(batch=batch, school=school, actor=user), user


def submitted_application(batch, name, province_code="330000", school_type=SchoolType.HIGHER_VOCATIONAL, **submit_kwargs):
    application, user = new_application(batch, name, province_code, school_type)
    return submit_complete(application, user, **submit_kwargs), user


def timeline_actions(application) -> list[str]:
    return list(TimelineEntry.objects.filter(application=application).order_by("at", "pk").values_list("action", flat=True))


def reload(application) -> Application:
    return Application.objects.get(pk=application.pk)
