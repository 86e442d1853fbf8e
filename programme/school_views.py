"""The 实验校's own pages: its workspace (the school's home once it is or was a 实验校), its team and
projects, its answer to an invitation, checking in at an activity, and asking to leave.

Checking in (签到) is the one page without a login: the person at the venue is often not the one
who holds the school's account. They scan the QR code (programme.checkin_qr), which opens this page
with the activity's code filled in, and type the mobile number their school registered them with;
a signed-in school user may check the school in with the code alone. Wrong codes and numbers are
counted per client address and refused for a while after CHECKIN_FAILURE_LIMIT of them, like
failed logins (portal/throttling.py), so the registered numbers cannot be guessed."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from applications import views as applications_views
from applications.forms import attach_rule_messages
from applications.workflow import WorkflowError, deadline_in_words, deadline_passed
from portal import policy
from portal.client_address import client_address
from programme import activities, attendance, exits
from programme.certificates import school_certificates
from programme.evaluation import rounds_for_school
from programme.experiment_schools import projects_update, team_update
from programme.models import Activity, Attendee, Invitation, WithdrawalRequest
from programme.school_forms import (
    CheckinForm, LeaveForm, ProjectsForm, TeamPeopleForm, WithdrawalForm, attach_row_messages, attendee_formset,
    attendee_rows, member_rows, team_formset,
)  # fmt: skip
from programme.report_selectors import reports_due_for
from programme.selectors import cycle_label, experiment_school_of, workspace

TEAM_LOG_ROWS = 50
# Failed check-ins (a wrong code, a number not registered) one client address may make within
# CHECKIN_COOLOFF_SECONDS; past it, attempts are refused without being tried. A whole venue may
# share one address on its wi-fi, so the limit leaves room for many typos; guessing an 11-digit
# number it does not.
CHECKIN_FAILURE_LIMIT = 20
CHECKIN_COOLOFF_SECONDS = 15 * 60


# ---- The workspace ------------------------------------------------------------------------------


@login_required
@require_safe
def dashboard(request):
    """Where each role lands after logging in: a school that is or was a 实验校 sees its workspace;
    every other school, and every other role, what applications.views.dashboard shows them."""
    policy.require_signed_in(request.user)
    experiment_school = experiment_school_of(request.user.school_id) if policy.is_school(request.user) else None
    if experiment_school is None:
        return applications_views.dashboard(request)
    now = timezone.now()
    page = workspace(experiment_school, now=now)
    for invitation in page.upcoming:
        invitation.experiment_school = experiment_school  # the same row: no query per invitation
        invitation.answerable = _answerable(invitation, now)
        invitation.deadline_words = deadline_in_words(invitation.activity.registration_deadline)
        # During the activity's hours the school's own account may check the school in too.
        invitation.checkin_open = experiment_school.is_active and not attendance.checkin_window_problem(invitation.activity, now)
    return render(request, "programme/school/workspace.html", {
        "page": page, "experiment_school": experiment_school, "cycle_label": cycle_label(experiment_school, timezone.localdate(now)),
        "projects": list(experiment_school.projects.select_related("category")), "team": list(experiment_school.team.all()),
        "may_change": policy.may_change_experiment_school(request.user, experiment_school),
        "reports_due": reports_due_for(experiment_school, now=now),
        "certificates": school_certificates(request.user.school_id),
        "evaluation_rounds": rounds_for_school(experiment_school, now=now),
    })  # fmt: skip


def _answerable(invitation: Invitation, now) -> bool:
    """Whether the school may still answer (the service decides; the page only hides the buttons)."""
    return (not invitation.activity.is_closed and invitation.experiment_school.is_active
            and not deadline_passed(invitation.activity.registration_deadline, now))  # fmt: skip


# ---- Team and projects ----------------------------------------------------------------------------


def _team_page(request, experiment_school, *, people=None, formset=None, projects=None, team_messages=(), status=200):
    return render(request, "programme/school/team.html", {
        "experiment_school": experiment_school,
        "people": people or TeamPeopleForm(initial=TeamPeopleForm.initial_of(experiment_school)),
        "formset": formset or team_formset(experiment_school=experiment_school),
        "projects_form": projects or ProjectsForm(initial=ProjectsForm.initial_of(experiment_school)),
        "team_messages": team_messages,
        "may_change": policy.may_change_experiment_school(request.user, experiment_school),
        "log": experiment_school.log.select_related("actor").order_by("-at", "-pk")[:TEAM_LOG_ROWS],
    }, status=status)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def team(request):
    """项目小组 (负责人, 项目对接人, members) and 具体实施项目, kept current; the log of changes below.
    Read-only once the school is no longer 实验中."""
    experiment_school = policy.get_experiment_school_for_school(request.user)
    if request.method != "POST":
        return _team_page(request, experiment_school)
    experiment_school = policy.get_own_experiment_school(request.user)
    if request.POST.get("part") == "projects":
        return _projects_post(request, experiment_school)
    people = TeamPeopleForm(request.POST)
    if request.POST.get("add_team_row"):  # without JavaScript: the same page with one more row, nothing saved
        data = request.POST.copy()
        data["team-TOTAL_FORMS"] = str(int(data.get("team-TOTAL_FORMS") or 0) + 1)
        return _team_page(request, experiment_school, people=TeamPeopleForm(data), formset=team_formset(data=data))
    formset = team_formset(data=request.POST)
    if not people.is_valid() or not formset.is_valid():
        return _team_page(request, experiment_school, people=people, formset=formset, status=400)
    rows, forms_of_rows = member_rows(formset)
    try:
        team_update(experiment_school=experiment_school, actor=request.user, members=rows, **people.cleaned_data)
    except ValidationError as error:
        problems = error.message_dict
        attach_rule_messages(people, problems)
        attach_row_messages("team", forms_of_rows, problems)
        return _team_page(request, experiment_school, people=people, formset=formset, team_messages=problems.get("team", []), status=400)
    messages.success(request, "项目小组已保存，变更已记入下方的变更记录。")
    return redirect("programme:team")


def _projects_post(request, experiment_school):
    form = ProjectsForm(request.POST)
    if form.is_valid():
        try:
            projects_update(experiment_school=experiment_school, actor=request.user, categories=form.cleaned_data["categories"],
                            other_name=form.cleaned_data["other_project_name"])  # fmt: skip
        except ValidationError as error:
            attach_rule_messages(form, {("categories" if name == "projects" else name): texts for name, texts in error.message_dict.items()})
        else:
            messages.success(request, "具体实施项目已保存，变更已记入下方的变更记录。")
            return redirect("programme:team")
    return _team_page(request, experiment_school, projects=form, status=400)


# ---- Invitations ------------------------------------------------------------------------------------


def _invitation_page(request, invitation, *, formset=None, leave=None, table_messages=(), status=200):
    now = timezone.now()
    return render(request, "programme/school/invitation.html", {
        "invitation": invitation, "activity": invitation.activity,
        "answerable": _answerable(invitation, now),
        "deadline_words": deadline_in_words(invitation.activity.registration_deadline),
        "attendees": list(invitation.attendees.all()),
        "formset": formset or attendee_formset(invitation=invitation),
        "leave_form": leave or LeaveForm(initial={"leave_reason": invitation.leave_reason}),
        "table_messages": table_messages,
        "checkin_problem": attendance.checkin_window_problem(invitation.activity, now),
    }, status=status)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request, pk):
    """One invitation: the activity, and the school's answer before the registration deadline,
    either who will attend (at most the activity's number per school) or a request for leave."""
    invitation = policy.get_school_invitation(request.user, pk)
    if request.method != "POST":
        return _invitation_page(request, invitation)
    answer = request.POST.get("answer")
    if answer not in ("attend", "leave"):
        messages.error(request, "请选择“提交参会回执”或“提交请假申请”。")
        return _invitation_page(request, invitation, status=400)
    try:
        if answer == "attend":
            formset = attendee_formset(invitation=invitation, data=request.POST)
            if not formset.is_valid():
                return _invitation_page(request, invitation, formset=formset, status=400)
            rows, forms_of_rows = attendee_rows(formset)
            try:
                activities.invitation_register(invitation=invitation, actor=request.user, attendees=rows)
            except ValidationError as error:
                attach_row_messages("attendee", forms_of_rows, error.message_dict)
                return _invitation_page(request, invitation, formset=formset, table_messages=error.message_dict.get("attendees", []), status=400)
            messages.success(request, "参会回执已提交。回执截止前可以修改。")
        else:
            leave = LeaveForm(request.POST)
            if not leave.is_valid():
                return _invitation_page(request, invitation, leave=leave, status=400)
            try:
                activities.invitation_request_leave(invitation=invitation, actor=request.user, reason=leave.cleaned_data["leave_reason"])
            except ValidationError as error:
                attach_rule_messages(leave, error.message_dict)
                return _invitation_page(request, invitation, leave=leave, status=400)
            messages.success(request, "请假申请已提交，项目组审核后会通知贵校。")
    except WorkflowError as error:
        messages.error(request, error.message)
        return _invitation_page(request, invitation, status=400)
    return redirect("programme:invitation", pk=invitation.pk)


# ---- Check-in ---------------------------------------------------------------------------------------


def _failure_key(request) -> str:
    return f"checkin-failures:{client_address(request)}"


def _failures(request) -> int:
    return cache.get(_failure_key(request), 0)


def _count_failure(request) -> None:
    key = _failure_key(request)
    if cache.add(key, 1, timeout=CHECKIN_COOLOFF_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # it ran out between add and incr
        cache.set(key, 1, timeout=CHECKIN_COOLOFF_SECONDS)


def _typed_mobile(value: str) -> str:
    """The number as registered: digits only, without a +86 in front."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def _checkin_target(request, form) -> tuple[Invitation, Attendee | None] | None:
    """The invitation (and the registered person) a valid check-in form names, or None with the
    reason next to its field. Only a mistake anyone could make to guess counts as a failure."""
    code = activities.normalise_code(form.cleaned_data["code"])
    activity = Activity.objects.filter(checkin_code=code).first() if code else None
    if activity is None:
        _count_failure(request)
        form.add_error("code", "签到码不正确，请核对现场公布的签到码。")
        return None
    mobile = _typed_mobile(form.cleaned_data["mobile"])
    if policy.is_school(request.user):
        invitation = activity.invitations.select_related("activity", "experiment_school__school").filter(
            experiment_school__school_id=request.user.school_id).first()  # fmt: skip
        if invitation is None:
            form.add_error("code", f"贵校未受邀参加“{activity.title}”。")
            return None
        person = invitation.attendees.filter(mobile=mobile).first() if mobile else None
        if mobile and person is None:
            form.add_error("mobile", "该手机号不在贵校本次活动的参会回执中；可不填手机号，以学校名义签到。")
            return None
        return invitation, person
    if not mobile:
        form.add_error("mobile", "请填写贵校参会回执中登记的手机号。")
        return None
    person = Attendee.objects.select_related("invitation__activity", "invitation__experiment_school__school").filter(
        invitation__activity=activity, mobile=mobile).order_by("pk").first()  # fmt: skip
    if person is None:
        _count_failure(request)
        form.add_error("mobile", "该手机号未在本次活动的参会回执中登记。未报名的参会人员请到签到台由项目组工作人员登记。")
        return None
    return person.invitation, person


@require_http_methods(["GET", "POST"])
def checkin(request, code: str = ""):
    """签到 with the activity's code during its hours: the QR code at the venue opens this page with
    the code filled in (`code`, from its address). Anyone may open it; see the module's docstring
    for who may check in how."""
    policy.public(request.user)
    signed_in_school = policy.is_school(request.user)
    if request.method != "POST":
        form = CheckinForm(initial={"code": (code or request.GET.get("code", ""))[:20]})
        return render(request, "programme/school/checkin.html", {"form": form, "signed_in_school": signed_in_school})
    form = CheckinForm(request.POST)
    status = 400
    if _failures(request) >= CHECKIN_FAILURE_LIMIT:
        form.add_error(None, f"签到尝试次数过多，请 {CHECKIN_COOLOFF_SECONDS // 60} 分钟后再试，或到签到台由项目组工作人员登记。")
    elif form.is_valid() and (target := _checkin_target(request, form)) is not None:
        invitation, person = target
        try:
            done = attendance.checkin(invitation=invitation, actor=request.user if request.user.is_authenticated else None,
                                      code=form.cleaned_data["code"], attendee=person.pk if person else None)  # fmt: skip
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "programme/school/checkin_done.html", {
                "invitation": done, "activity": done.activity, "person": person, "at": timezone.now(),
            })  # fmt: skip
    return render(request, "programme/school/checkin.html", {"form": form, "signed_in_school": signed_in_school}, status=status)


# ---- Asking to leave ----------------------------------------------------------------------------------


def _withdraw_page(request, experiment_school, *, form=None, status=200):
    requests = list(experiment_school.withdrawal_requests.select_related("requested_by", "acknowledged_by").order_by("-requested_at", "-pk"))
    pending = next((r for r in requests if r.state == WithdrawalRequest.State.PENDING), None)
    return render(request, "programme/school/withdraw.html", {
        "experiment_school": experiment_school, "requests": requests, "pending": pending,
        "may_request": policy.may_change_experiment_school(request.user, experiment_school) and pending is None,
        "form": form or WithdrawalForm(),
    }, status=status)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request):
    """实验校有退出项目实施的权力 (七.7): the school asks to leave with a reason and, optionally, its
    signed letter; the page shows the request while it waits and the project group's acknowledgement."""
    experiment_school = policy.get_experiment_school_for_school(request.user)
    if request.method != "POST":
        return _withdraw_page(request, experiment_school)
    experiment_school = policy.get_own_experiment_school(request.user)
    form = WithdrawalForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            exits.withdrawal_request(experiment_school=experiment_school, actor=request.user, reason=form.cleaned_data["reason"],
                                     letter=form.cleaned_data["letter"])  # fmt: skip
        except ValidationError as error:
            attach_rule_messages(form, error.message_dict)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "退出申请已提交，项目组确认后贵校状态将变为“已退出（自愿）”。")
            return redirect("programme:withdraw")
    return _withdraw_page(request, experiment_school, form=form, status=400)
