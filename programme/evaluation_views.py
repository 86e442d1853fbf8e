"""The 优质校评估's pages: the 实验校's (start, its 申报材料 with autosave, evidence, the PDF, the
signed declaration, submission; read-only after) and the project group's (its rounds, a new round
or a changed one, a round's eligible 实验校 and their submissions' states).

Views stay thin: access on the first line (portal.policy), then a service (programme.evaluation),
then a page.
"""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.workflow import WorkflowError, deadline_in_words
from portal import policy
from portal.autosave_body import autosave_data
from portal.protected import protected_file_response
from programme import evaluation
from programme.evaluation_forms import DeclarationForm, EvidenceForm, RoundForm, SubmissionForm
from programme.models import EvaluationRound, EvaluationState, EvaluationSubmission

MAX_MB = settings.SCAN_MAX_BYTES // (1024 * 1024)


# ---- The 实验校's pages ---------------------------------------------------------------------------


@login_required
@require_POST
def evaluation_start(request, round_id):
    """Start (or reopen) the school's 申报材料 in this round; refused with the reason."""
    evaluation_round, experiment_school = policy.get_school_evaluation_round(request.user, round_id)
    try:
        submission = evaluation.submission_start(evaluation_round=evaluation_round, experiment_school=experiment_school, actor=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("dashboard")
    return redirect("programme:evaluation_edit" if submission.is_editable else "programme:evaluation_detail", submission.pk)


def _files_context(request, submission, assessments):
    declaration = evaluation.current_declaration(submission)
    return {
        "submission": submission, "assessments": assessments, "declaration": declaration,
        "declaration_problem": evaluation.declaration_problem(submission, declaration) if declaration else None,
        "deadline_words": deadline_in_words(submission.round.deadline), "window_problem": evaluation.window_problem(submission.round),
        "max_points": evaluation.maximum_points([row.criterion for row in assessments]),
        "is_owner": policy.is_school(request.user) and request.user.school_id == submission.experiment_school.school_id,
    }  # fmt: skip


def _edit_page(request, submission, *, form=None, evidence_form=None, declaration_form=None, conflict=None, status=200):
    """The 申报材料's form page: each field with its error, and what submission still misses when
    the school asked (?check=1, after a refused submission)."""
    assessments = evaluation.sync_assessments(submission)
    form = form or SubmissionForm(submission=submission, assessments=assessments)
    check = evaluation.check_submission(submission, assessments)
    show_missing = request.GET.get("check") == "1"
    criteria = [row.criterion for row in assessments]
    return render(request, "programme/evaluation/edit.html", {
        **_files_context(request, submission, assessments), "form": form, "check": check, "show_missing": show_missing,
        "criterion_rows": [(row, field, check.missing.get(f"criterion-{row.criterion_id}") if show_missing else None)
                           for row, field in form.criterion_fields()],
        "summary_missing": check.missing.get("summary") if show_missing else None, "conflict": conflict,
        "evidence_form": evidence_form or EvidenceForm(criteria=criteria, max_mb=MAX_MB),
        "declaration_form": declaration_form or DeclarationForm(max_mb=MAX_MB),
        "evidence_max": evaluation.EVIDENCE_PER_CRITERION_MAX,
    }, status=status)  # fmt: skip


def _not_editable(request, submission):
    """Where a school lands on the form of a submission it can no longer change: the read-only page."""
    problem = evaluation.window_problem(submission.round) if submission.is_editable else None
    messages.info(request, problem or f"申报材料当前状态为“{submission.get_state_display()}”，不能修改。")
    return redirect("programme:evaluation_detail", submission.pk)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_edit(request, pk):
    """The 申报材料's form. A save stores everything typed (complete or not); a text over its cap is
    told next to it and the whole page keeps what was typed; a save over a later one is refused and
    the typed text stays on screen."""
    submission = policy.get_own_evaluation_submission(request.user, pk)
    if not submission.is_editable or evaluation.window_problem(submission.round):
        return _not_editable(request, submission)
    if request.method == "GET":
        return _edit_page(request, submission)
    assessments = evaluation.sync_assessments(submission)
    form = SubmissionForm(request.POST, submission=submission, assessments=assessments)
    if not form.is_valid():
        messages.error(request, "未保存：有几项内容无法保存（见标红处），您填写的内容仍在页面上，请修改后再保存。")
        return _edit_page(request, submission, form=form, status=400)
    try:
        saved = evaluation.submission_save_draft(submission=submission, summary=form.cleaned_data["summary"], texts=form.texts(),
                                                 actor=request.user, expected_revision=form.cleaned_data.get("revision"))  # fmt: skip
    except evaluation.SubmissionConflict as conflict:
        data = request.POST.copy()
        data["revision"] = conflict.current_revision
        return _edit_page(request, submission, form=SubmissionForm(data, submission=submission, assessments=assessments),
                          conflict=conflict, status=409)  # fmt: skip
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("programme:evaluation_detail", submission.pk)
    if "submit" in request.POST:
        return _submit(request, saved)
    messages.success(request, f"草稿已保存（{timezone.localtime():%H:%M:%S}）。")
    return redirect("programme:evaluation_edit", saved.pk)


@login_required
@require_POST
def evaluation_autosave(request, pk):
    """The same checks and save as the page's 保存草稿, answered in JSON for static/js/autosave.js."""
    submission = policy.get_own_evaluation_submission(request.user, pk)
    form = SubmissionForm(autosave_data(request), submission=submission, assessments=list(submission.self_assessments.select_related("criterion")))
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"saved": False, "errors": errors, "message": "有内容无法保存，请点“保存草稿”查看标红处。"}, status=400)
    try:
        saved = evaluation.submission_save_draft(submission=submission, summary=form.cleaned_data["summary"], texts=form.texts(),
                                                 actor=request.user, expected_revision=form.cleaned_data.get("revision"))  # fmt: skip
    except evaluation.SubmissionConflict as conflict:
        return JsonResponse({"saved": False, "conflict": True, "message": str(conflict)}, status=409)
    except WorkflowError as error:
        return JsonResponse({"saved": False, "message": str(error)}, status=409)
    return JsonResponse({"saved": True, "saved_at": timezone.localtime().strftime("%H:%M"), "revision": saved.revision,
                         "version_code": saved.version_code})  # fmt: skip


def _submit(request, submission):
    try:
        evaluation.submission_submit(submission=submission, actor=request.user)
    except WorkflowError as error:
        if error.code == "incomplete":
            messages.error(request, "申报材料还不完整，不能提交。缺少的内容已在下面标出。")
            return redirect(reverse("programme:evaluation_edit", args=[submission.pk]) + "?check=1")
        messages.error(request, str(error))
        return redirect("programme:evaluation_detail", submission.pk)
    messages.success(request, "申报材料已提交项目组。提交后不能再修改。")
    return redirect("programme:evaluation_detail", submission.pk)


@login_required
@require_POST
def evaluation_submit(request, pk):
    submission = policy.get_own_evaluation_submission(request.user, pk)
    return _submit(request, submission)


def _back_to_files(submission, anchor):
    return redirect(reverse("programme:evaluation_edit", args=[submission.pk]) + anchor)


def _upload_errors(form, error: ValidationError):
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _take_upload(request, submission, form, store, anchor: str):
    """A file form sent: stored through `store(cleaned_data)`, which answers the message to show,
    back to the form's section; a refused file told next to its field (None: the caller shows the
    form page again); a submission that can no longer change, to its read-only page."""
    if not form.is_valid():
        return None
    try:
        message = store(form.cleaned_data)
    except ValidationError as error:
        _upload_errors(form, error)
        return None
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("programme:evaluation_detail", submission.pk)
    messages.success(request, message)
    return _back_to_files(submission, anchor)


@login_required
@require_POST
def evaluation_evidence_upload(request, pk):
    submission = policy.get_own_evaluation_submission(request.user, pk)
    criteria = [row.criterion for row in evaluation.sync_assessments(submission)]
    form = EvidenceForm(request.POST, request.FILES, criteria=criteria, max_mb=MAX_MB)

    def store(data):
        evaluation.evidence_add(submission=submission, criterion_id=data["criterion"], uploaded_file=data["file"], caption=data["caption"],
                                actor=request.user)  # fmt: skip
        return "佐证材料已上传。内容有变化，版本码已更新：如已上传申报声明，请重新打印、签章并上传。"

    return _take_upload(request, submission, form, store, "#evidence") or _edit_page(request, submission, evidence_form=form, status=400)


@login_required
@require_safe
def evaluation_evidence_download(request, pk, evidence_id):
    evidence, submission = policy.get_visible_evaluation_evidence(request.user, pk, evidence_id)
    suffix = evaluation.SUFFIXES[evidence.file_kind]
    return protected_file_response(evidence.file, content_type=evidence.content_type, filename=f"佐证材料-{evidence.pk}{suffix}",
                                   attachment=evidence.file_kind == "pdf")  # fmt: skip


@login_required
@require_POST
def evaluation_evidence_delete(request, pk, evidence_id):
    submission = policy.get_own_evaluation_submission(request.user, pk)
    evidence = submission.evidence.filter(pk=evidence_id).first()
    if evidence is None or request.POST.get("confirm") != "1":  # the page's button says so; a bare POST deletes nothing
        messages.error(request, "未删除：请在申报材料页面点“删除”。")
        return _back_to_files(submission, "#evidence")
    try:
        evaluation.evidence_remove(evidence=evidence, actor=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("programme:evaluation_detail", submission.pk)
    messages.success(request, f"已删除“{evidence.original_name}”。内容有变化，版本码已更新。")
    return _back_to_files(submission, "#evidence")


@login_required
@require_POST
def evaluation_declaration_upload(request, pk):
    submission = policy.get_own_evaluation_submission(request.user, pk)
    form = DeclarationForm(request.POST, request.FILES, max_mb=MAX_MB)

    def store(data):
        declaration = evaluation.declaration_upload(submission=submission, uploaded_file=data["file"], actor=request.user)
        return f"申报声明扫描件已上传（对应版本码 {declaration.version_code}）。"

    return _take_upload(request, submission, form, store, "#declaration") or _edit_page(request, submission, declaration_form=form, status=400)


@login_required
@require_safe
def evaluation_declaration_download(request, pk, declaration_id):
    declaration, submission = policy.get_visible_evaluation_declaration(request.user, pk, declaration_id)
    suffix = evaluation.SUFFIXES[declaration.file_kind]
    return protected_file_response(declaration.file, content_type=declaration.content_type,
                                   filename=f"申报声明-版本{declaration.version_code}{suffix}", attachment=declaration.file_kind == "pdf")  # fmt: skip


@login_required
@require_safe
def evaluation_detail(request, pk):
    """The 申报材料 read-only: for its school (after submission, or after the deadline), the project
    group and its assigned experts."""
    submission = policy.get_visible_evaluation_submission(request.user, pk)
    assessments = evaluation.sync_assessments(submission) if submission.is_editable else list(
        submission.self_assessments.select_related("criterion").prefetch_related("evidence").order_by("criterion__position", "criterion_id")
    )  # fmt: skip
    context = _files_context(request, submission, assessments)
    context["may_edit"] = context["is_owner"] and submission.is_editable and context["window_problem"] is None
    context["is_staff"] = policy.is_project_staff(request.user)
    context["log"] = list(submission.log.select_related("actor")) if context["is_staff"] else []
    return render(request, "programme/evaluation/detail.html", context)


@login_required
@require_safe
def evaluation_pdf(request, pk):
    submission = policy.get_visible_evaluation_submission(request.user, pk)
    response = HttpResponse(evaluation.submission_pdf(submission), content_type="application/pdf")
    filename = f"{submission.applicant_name}-{submission.round.name}申报材料-{submission.version_code}.pdf"
    response["Content-Disposition"] = content_disposition_header(bool(request.GET.get("download")), filename)
    return response


# ---- The project group's pages ---------------------------------------------------------------------


@login_required
@require_safe
def evaluation_staff_rounds(request):
    """Every evaluation round, newest first, with its submissions counted by state."""
    policy.require_project_staff(request.user)
    rounds = EvaluationRound.objects.select_related("standard", "batch").annotate(
        drafts=Count("submissions", filter=Q(submissions__state=EvaluationState.DRAFT)),
        submitted=Count("submissions", filter=Q(submissions__state=EvaluationState.SUBMITTED)),
    )  # fmt: skip
    return render(request, "programme/evaluation/staff_rounds.html", {
        "rounds": [(r, deadline_in_words(r.deadline), evaluation.window_problem(r)) for r in rounds], "batch": None,
    })  # fmt: skip


def _round_form_page(request, form, evaluation_round=None, *, status=200):
    return render(request, "programme/evaluation/staff_round_form.html", {"form": form, "round": evaluation_round, "batch": None},
                  status=status)  # fmt: skip


def _save_round(request, form, evaluation_round=None):
    """Save a valid form through the service; its refusals go next to their fields."""
    try:
        saved = evaluation.round_save(values=form.values(), actor=request.user, evaluation_round=evaluation_round)
    except ValidationError as error:
        _upload_errors(form, error)
        return None
    return saved


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_staff_round_new(request):
    policy.require_project_staff(request.user)
    if request.method == "GET":
        return _round_form_page(request, RoundForm())
    form = RoundForm(request.POST)
    saved = _save_round(request, form) if form.is_valid() else None
    if saved is None:
        return _round_form_page(request, form, status=400)
    messages.success(request, f"已建立{saved.batch.short_name}的{saved.name}。")
    return redirect("programme:evaluation_staff_round", saved.pk)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_staff_round_edit(request, pk):
    evaluation_round = policy.get_staff_evaluation_round(request.user, pk)
    if request.method == "GET":
        return _round_form_page(request, RoundForm(instance=evaluation_round), evaluation_round)
    form = RoundForm(request.POST, instance=evaluation_round)
    saved = _save_round(request, form, evaluation_round) if form.is_valid() else None
    if saved is None:
        return _round_form_page(request, form, evaluation_round, status=400)
    messages.success(request, "评估轮次已保存。")
    return redirect("programme:evaluation_staff_round", saved.pk)


@login_required
@require_safe
def evaluation_staff_round(request, pk):
    """A round: its window and rules, every eligible 实验校 with its submission's state, and the
    submissions of schools no longer eligible (they stay on the record)."""
    evaluation_round = policy.get_staff_evaluation_round(request.user, pk)
    submissions = {
        s.experiment_school_id: s
        for s in EvaluationSubmission.objects.filter(round=evaluation_round).select_related("experiment_school__school__province")
        .prefetch_related("declarations")
    }  # fmt: skip
    eligible = evaluation.eligible_schools(evaluation_round)
    rows = [(school, submissions.pop(school.pk, None), True) for school in eligible]
    rows += [(s.experiment_school, s, False) for s in submissions.values()]
    for _school, submission, _eligible in rows:
        if submission is not None:
            declaration = next(iter(submission.declarations.all()), None)  # Meta.ordering: the latest first
            submission.declaration_state = ("未上传" if declaration is None else "已上传，与内容一致"
                                            if declaration.version_code == submission.version_code else "与当前内容不一致")  # fmt: skip
    counts = {"eligible": len(eligible), "draft": sum(1 for _s, sub, _e in rows if sub and sub.state == EvaluationState.DRAFT),
              "submitted": sum(1 for _s, sub, _e in rows if sub and sub.state == EvaluationState.SUBMITTED)}  # fmt: skip
    criteria = evaluation.criteria_of(evaluation_round.standard)
    return render(request, "programme/evaluation/staff_round.html", {
        "round": evaluation_round, "rows": rows, "counts": counts, "criteria": criteria, "max_points": evaluation.maximum_points(criteria),
        "deadline_words": deadline_in_words(evaluation_round.deadline), "window_problem": evaluation.window_problem(evaluation_round),
        "batch": evaluation_round.batch,
    })  # fmt: skip
