"""The school's pages (and the read-only application pages every permitted role shares).

Views stay thin: access on the first line (portal.policy), then a service or workflow call, then
a page.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.documents import application_pdf
from applications.forms import PLEDGE_TEXT, ApplicationForm, ScanUploadForm, WithdrawForm, attach_rule_messages, team_formset
from applications.models import EDITABLE_STATUSES, ProvincialWindow, Status
from applications.pages import application_page
from applications.rules import check_application
from applications.scan_render import scan_page_file
from applications.selectors import (
    applications_visible_to, current_batch, experiment_memberships, open_batches, paper_copy_window, route_is_choosable, window_for,
)  # fmt: skip
from applications.next_step import earlier_application_to_start_from, next_step
from applications.services import (
    DraftConflict, application_get_or_create, application_save_draft, application_start_from_earlier, scan_upload, school_update_profile,
)  # fmt: skip
from applications.workflow import (
    WorkflowError, apply_direct, restart, status_label_for_school, submit, submit_problems, withdraw,
)  # fmt: skip
from portal import policy
from portal.forms import SchoolProfileForm
from portal.protected import protected_file_response
from portal.models import Role


@require_safe
def home(request, extra_context=None):
    """The open batch and its provincial windows; `extra_context` is what an app above this one
    adds (portal/urls.py routes the home page through programme.showcase_public_views.home)."""
    policy.public(request.user)
    batch = current_batch()
    windows = (
        ProvincialWindow.objects.filter(batch=batch).select_related("association__province").order_by("association__province")
        if batch
        else []
    )
    return render(request, "home.html", {"batch": batch, "windows": windows, "now": timezone.now(), **(extra_context or {})})


@login_required
@require_safe
def dashboard(request):
    """Where each role lands after logging in."""
    policy.require_signed_in(request.user)
    user = request.user
    if user.role == Role.SCHOOL:
        applications = {a.batch_id: a for a in user.school.applications.select_related("batch")}
        batches = list(open_batches())
        rows = [(batch, applications.get(batch.pk), window_for(batch, user.school.province)) for batch in batches]
        closed = [a for a in applications.values() if a.batch_id not in {b.pk for b in batches}]
        for application in applications.values():  # no outcome before the list is published
            application.shown_status = policy.status_as_seen_by(user, application)
            application.shown_status_label = Status(application.shown_status).label
        for batch, application, window in rows:
            if application is not None:
                application.paper_copy_window = paper_copy_window(application, window)
            batch.next_step = next_step(batch, user.school, application, window)
            # Offered only before the school has an application for this batch.
            batch.start_from = earlier_application_to_start_from(batch, user.school) if application is None else None
        # A current 实验校 of an earlier batch applying again is told so (notice 五: 实验周期三年).
        memberships = experiment_memberships([user.school_id]).get(user.school_id, [])
        for batch in batches:
            batch.earlier_memberships = [m for m in memberships if m.batch.pk != batch.pk]
        return render(request, "applications/school_dashboard.html", {"rows": rows, "closed": closed})
    if user.role == Role.ADMIN or user.is_superuser:
        return redirect("admin:index")
    if user.role == Role.PROVINCE:
        return redirect("review:province_home")
    if user.role == Role.STAFF:
        return redirect("review:national_home")
    if user.role == Role.EXPERT:
        return redirect("review:expert_home")
    visible = applications_visible_to(user).order_by("school__province", "school__name")
    return render(request, "applications/reviewer_dashboard.html", {"applications": visible[:500], "total": visible.count()})


@login_required
@require_http_methods(["GET", "POST"])
def school_profile(request):
    policy.require_school(request.user)
    form = SchoolProfileForm(request.POST or None, instance=request.user.school)
    if request.method == "POST" and form.is_valid():
        school_update_profile(form=form)
        messages.success(request, "单位信息已保存。")
        if request.user.school.applications.exclude(status__in=EDITABLE_STATUSES).exclude(submitted_school_name="").exists():
            messages.info(request, "已提交的申请表仍显示提交时的学校名称和单位地址（与盖章扫描件一致）；如需更正，请联系项目组。")
        return redirect("applications:profile")
    return render(request, "applications/profile.html", {"form": form})


@login_required
@require_POST
def application_start(request, batch_id):
    """Open the school's application for the batch: empty, or (start_from: the id of one of its
    earlier applications) started from that one's content."""
    batch = policy.get_startable_batch(request.user, batch_id)
    start_from = request.POST.get("start_from", "")
    if not start_from:
        application = application_get_or_create(batch=batch, school=request.user.school, actor=request.user)
        return redirect("applications:edit", application.pk)
    if not start_from.isdigit():
        raise Http404
    earlier = policy.get_own_application(request.user, int(start_from))
    try:
        application = application_start_from_earlier(batch=batch, school=request.user.school, earlier=earlier, actor=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("dashboard")
    messages.success(
        request, f"已以申请编号 {earlier.number}（{earlier.batch.short_name}）的内容开始填写：请逐项核对修改，承诺书、单位意见须重新填写确认。"
    )
    return redirect("applications:edit", application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    # A save (POST) reads only what the form needs; the page, when it is shown, reads the rest.
    application = policy.get_own_application(request.user, pk, with_parts=request.method != "POST", with_form_parts=True)
    if not application.is_editable:
        messages.info(request, f"申请表当前状态为“{status_label_for_school(application)}”，不能再修改。")
        return redirect(application)
    add_rows = 1 if "add_team_row" in request.POST or request.GET.get("add_row") else 0
    route_choosable = route_is_choosable(application)
    conflict = None
    too_long = {}
    if request.method == "POST":
        form = ApplicationForm(request.POST, instance=application, route_choosable=route_choosable)
        formset = team_formset(application=application, data=request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                application_save_draft(
                    application=application, form=form, team_formset=formset, actor=request.user,
                    expected_revision=form.cleaned_data.get("revision"),
                )  # fmt: skip
            except DraftConflict as error:
                conflict = error
            except WorkflowError as error:
                messages.error(request, str(error))
                return redirect(application)
        if conflict is None and form.is_valid() and formset.is_valid() and form.too_long:
            # Saved but for the sections over their caps: the page comes back as stored, with
            # what the school typed in those sections on screen (not stored) and why.
            too_long = form.too_long_messages()
            application = policy.get_own_application(request.user, pk, with_parts=True)
            form = ApplicationForm(instance=application, initial=form.too_long, route_choosable=route_choosable)
            formset = team_formset(application=application)
            messages.warning(
                request,
                f"草稿已保存（{timezone.localtime():%H:%M:%S}），但有 {len(too_long)} 栏超过字数上限没有保存（见标红处）："
                "这些栏仍为上次保存的内容，您输入的文字仍在页面上，请删减后再保存。",
            )
        elif conflict is not None:
            # Keep everything this person typed on screen; the next save (after comparing with
            # the saved version) is made against the current revision and goes through.
            data = request.POST.copy()
            data["revision"] = conflict.current_revision
            application = policy.get_own_application(request.user, pk, with_parts=True)
            form = ApplicationForm(data, instance=application, route_choosable=route_choosable)
            formset = team_formset(application=application, data=data)
        elif form.is_valid() and formset.is_valid():
            saved_at = timezone.localtime().strftime("%H:%M:%S")
            messages.success(request, f"草稿已保存（{saved_at}）。")
            target = reverse("applications:edit", args=[application.pk])
            if add_rows:
                return redirect(f"{target}?add_row=1#section-team")
            anchor = request.POST.get("section", "")
            return redirect(f"{target}#section-{anchor}" if anchor.isidentifier() else target)
        else:
            messages.error(request, "未保存：有几项内容无法保存（见标红处），其余内容仍在页面上，请修改后再保存。")
    else:
        form = ApplicationForm(instance=application, route_choosable=route_choosable)
        formset = team_formset(application=application, add_rows=add_rows)

    check = check_application(application)
    show_missing = request.GET.get("check") == "1"
    attach_rule_messages(form, check.invalid)
    if form.is_bound:  # nothing stored (a conflict, an invalid field): the long sections say why too
        form.is_valid()  # runs clean, which finds them
        too_long = form.too_long_messages()
    attach_rule_messages(form, too_long)
    if show_missing:
        attach_rule_messages(form, check.missing)
    team_messages = check.invalid.get("team", []) + (check.missing.get("team", []) if show_missing else [])
    row_messages = {}
    for name, texts in {**(check.missing if show_missing else {}), **check.invalid}.items():
        if name.startswith("team-"):
            _, index, field = name.split("-", 2)
            row_messages.setdefault(int(index), {}).setdefault(field, []).extend(texts)
    for index, subform in enumerate(formset.forms):
        for field, texts in row_messages.get(index, {}).items():
            attach_rule_messages(subform, {field: texts})
    context = application_page(application, request.user, check=check)
    context["pledge_text"] = PLEDGE_TEXT
    context.update(
        {
            "form": form,
            "formset": formset,
            "team_messages": team_messages,
            "show_missing": show_missing,
            "route_choosable": route_choosable,
            "upload_form": ScanUploadForm(),
            "conflict": conflict,
        }
    )
    return render(request, "applications/edit.html", context)


@login_required
@require_safe
def application_detail(request, pk):
    application = policy.get_visible_application(request.user, pk, with_parts=True)
    context = application_page(application, request.user)
    context.update({
        "is_owner": request.user.role == Role.SCHOOL,
        "withdraw_form": WithdrawForm(),
        # Only the school posts the paper copy; nobody else is told where to.
        "paper_window": paper_copy_window(application, window_for(application.batch, application.school.province))
        if request.user.role == Role.SCHOOL else None,
    })  # fmt: skip
    return render(request, "applications/detail.html", context)


@login_required
@require_safe
def application_pdf_view(request, pk):
    application = policy.get_visible_application(request.user, pk, with_parts=True)
    pdf = application_pdf(application, show_group_opinion=policy.sees_group_opinion(request.user, application))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"实验校资格申请表-{application.number}-{application.version_code}.pdf"
    response["Content-Disposition"] = content_disposition_header(bool(request.GET.get("download")), filename)
    return response


@login_required
@require_POST
def scan_upload_view(request, pk):
    application = policy.get_own_application(request.user, pk)
    form = ScanUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            scan = scan_upload(application=application, uploaded_files=form.cleaned_data["scan"], actor=request.user)
        except ValidationError as error:
            form.add_error("scan", error)
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect(application)
        else:
            messages.success(request, f"扫描件已上传，对应版本 {scan.version_code}。")
            return redirect(reverse("applications:edit", args=[application.pk]) + "#section-scan")
    application = policy.get_own_application(request.user, pk, with_parts=True)
    context = application_page(application, request.user)
    context["upload_form"] = form
    return render(request, "applications/scan_upload.html", context, status=400)


@login_required
@require_safe
def scan_download(request, pk, scan_id):
    application, scan = policy.get_visible_scan(request.user, pk, scan_id)
    suffix = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}[scan.kind]
    return protected_file_response(
        scan.file, content_type=scan.content_type, filename=f"盖章扫描件-{application.number}-{scan.version_code}{suffix}", attachment=False
    )


@login_required
@require_safe
def scan_page_view(request, pk, scan_id, page):
    """One page of a signed scan as an image, for the viewer beside the reviewers' checklist: for
    whoever may download the scan (policy.get_visible_scan), rendered on first view and kept."""
    application, scan = policy.get_visible_scan(request.user, pk, scan_id)
    if not 1 <= page <= (scan.page_count or 1):
        raise Http404
    return protected_file_response(
        scan_page_file(scan, page), content_type="image/jpeg",
        filename=f"盖章扫描件-{application.number}-{scan.version_code}-第{page}页.jpg", attachment=False,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def application_submit(request, pk):
    application = policy.get_own_application(request.user, pk, with_parts=True)
    if request.method == "POST":
        try:
            submit(application=application, actor=request.user)
        except WorkflowError as error:
            messages.error(request, f"未能提交：{error}")
            return redirect(reverse("applications:submit", args=[application.pk]))
        messages.success(request, "申请表已提交。")
        return redirect(application)
    context = application_page(application, request.user)
    context["problems"] = submit_problems(application, actor=request.user)
    return render(request, "applications/submit.html", context)


# The school's other moves: (service, what it needs from the form, message when done).
SCHOOL_MOVES = {
    "withdraw": (lambda a, u, d: withdraw(application=a, actor=u, reason=d["reason"]), "申请已撤回。截止时间前可以重新填写并再次提交。"),
    "restart": (lambda a, u, d: restart(application=a, actor=u), "申请表已恢复为草稿，可以修改后再次提交。"),
    "apply_direct": (lambda a, u, d: apply_direct(application=a, actor=u), "已改为直接向项目组申报：请核对申请表，重新打印、签章、上传后提交。"),
}


@login_required
@require_POST
def application_move(request, pk, action):
    """The school withdraws (with a reason), starts again after withdrawing, or applies directly
    to the project group after its province declined: the journey (workflow.JOURNEY) decides."""
    application = policy.get_own_application(request.user, pk)
    if action not in SCHOOL_MOVES:
        raise Http404
    perform, done = SCHOOL_MOVES[action]
    form = WithdrawForm(request.POST) if action == "withdraw" else None
    if form is not None and not form.is_valid():
        application = policy.get_own_application(request.user, pk, with_parts=True)
        context = application_page(application, request.user)
        context.update({"is_owner": True, "withdraw_form": form})
        return render(request, "applications/detail.html", context, status=400)
    try:
        perform(application, request.user, form.cleaned_data if form is not None else {})
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(application)
    messages.success(request, done)
    if action in ("restart", "apply_direct"):
        return redirect("applications:edit", application.pk)
    return redirect(application)

