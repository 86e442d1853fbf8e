"""The 优质校评估's pages after submission: the expert's list and score page, and the project group's
expert assignment, ranked table (with its exports), conclusions, publication and 优质校 certificates.
An expert sees only their own assignments, and other experts' totals (never their names) only once
their own scores are submitted."""
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.workflow import WorkflowError
from portal import policy
from programme import certificate_jobs, evaluation_review
from programme.evaluation_review_forms import ConfirmForm, DecisionForm, ManualAssignmentForm, ReasonForm
from programme.form_layout import blank_form_html
from programme.models import EvaluationAssignment, EvaluationReview
from review.documents import table_csv, table_xlsx
from review.expert_assignment import active_experts
from review.forms import ConflictForm, score_form_class
from review.scoring import maximum_total

# The ranked table's rows a page, as the review's lists: each row carries its conclusion form, and
# the whole round on one page (about 250 submissions at 1,000 实验校) took 150 ms to lay out.
RANKING_PAGE_SIZE = 50

# ---- The expert -----------------------------------------------------------------------------------


def _expert_assignments(expert):
    return list(
        EvaluationAssignment.objects.filter(expert=expert, is_active=True)
        .select_related("submission__round__batch", "submission__experiment_school__school__province", "review")
        .order_by("submission__round__review_deadline", "submission__round_id", "submission__experiment_school__school__name")
    )


def _is_done(assignment) -> bool:
    review = getattr(assignment, "review", None)
    return review is not None and review.state == EvaluationReview.State.SUBMITTED


@login_required
@require_safe
def evaluation_expert_home(request):
    policy.require_expert(request.user)
    assignments = _expert_assignments(request.user)
    current = [a for a in assignments if a.submission.round.published_at is None]
    past = [a for a in assignments if a.submission.round.published_at is not None]
    done = sum(1 for a in current if _is_done(a))
    return render(request, "programme/evaluation_review/expert_home.html",
                  {"assignments": current, "past": past, "done": done, "total": len(current)})  # fmt: skip


def _submission_content(submission):
    assessments = list(submission.self_assessments.select_related("criterion").prefetch_related("evidence"))
    return {"submission": submission, "assessments": assessments}


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_expert_score(request, assignment_id):
    assignment = policy.get_expert_evaluation_assignment(request.user, assignment_id)
    submission, evaluation_round = assignment.submission, assignment.submission.round
    criteria = evaluation_review.criteria_of_round(evaluation_round)
    ScoreForm = score_form_class(criteria, recommendation=False, comment_label="评估意见")
    review = EvaluationReview.objects.filter(assignment=assignment).first()
    now = timezone.now()
    locked = (review is not None and review.state == EvaluationReview.State.SUBMITTED) or evaluation_review.scoring_locked(review, evaluation_round, now=now)
    status = 200
    if request.method == "POST":
        form = ScoreForm(request.POST)
        action = request.POST.get("action")
        if action not in ("save", "submit"):
            messages.error(request, "请选择“保存草稿”或“提交评分”。")
        elif form.is_valid():
            points = {c.pk: form.cleaned_data.get(f"score-{c.pk}") for c in criteria}
            try:
                evaluation_review.evaluation_review_save(
                    assignment=assignment, expert=request.user, points=points, comment=form.cleaned_data["comment"],
                    submit=action == "submit", now=now,
                )  # fmt: skip
            except ValidationError as error:
                for field, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
                messages.error(request, "未能提交：请按标红处修改（已填写的内容仍在页面上）。")
            except WorkflowError as error:
                messages.error(request, str(error))
            else:
                if action == "submit":
                    messages.success(request, "评分已提交。")
                else:
                    messages.success(request, f"评分草稿已保存（{timezone.localtime():%H:%M:%S}）。")
                return redirect("programme:evaluation_expert_score", assignment.pk)
        status = 400
    else:
        initial = {}
        if review is not None:
            initial = {f"score-{s.criterion_id}": s.points for s in review.scores.all()}
            initial["comment"] = review.comment
        form = ScoreForm(initial=initial)
    if locked:
        for field in form.fields.values():
            field.disabled = True
    # Blind until submitted: the other experts' totals (never their names) once this one's are in.
    others = []
    if review is not None and review.state == EvaluationReview.State.SUBMITTED:
        others = list(
            EvaluationReview.objects.filter(assignment__submission=submission, assignment__is_active=True, state=EvaluationReview.State.SUBMITTED)
            .exclude(assignment=assignment).order_by("submitted_at").values_list("total", flat=True)
        )  # fmt: skip
    context = _submission_content(submission) | {
        "assignment": assignment, "evaluation_round": evaluation_round, "form": form, "review": review, "locked": locked,
        "conflict_form": ConflictForm(), "others": others,
        "max_total": maximum_total({c.pk: c.max_points for c in criteria}, {c.pk: c.weight for c in criteria}),
    }  # fmt: skip
    return render(request, "programme/evaluation_review/expert_score.html", context, status=status)


@login_required
@require_POST
def evaluation_expert_conflict(request, assignment_id):
    assignment = policy.get_expert_evaluation_assignment(request.user, assignment_id)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请简要说明回避理由。")
        return redirect("programme:evaluation_expert_score", assignment.pk)
    try:
        evaluation_review.evaluation_declare_conflict(assignment=assignment, expert=request.user, reason=form.cleaned_data["reason"])
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("programme:evaluation_expert_score", assignment.pk)
    messages.success(request, "已声明回避，该申报材料已从您的评估任务中移除。")
    return redirect("programme:evaluation_expert_home")


# ---- The project group ---------------------------------------------------------------------------


def _assignment_context(evaluation_round, *, add_form=None, add_for=None):
    submissions = list(
        evaluation_review.submitted_submissions(evaluation_round)
        .select_related("experiment_school__school__province")
        .prefetch_related("assignments__expert", "assignments__review")
        .order_by("experiment_school__school__province_id", "experiment_school__school__name")
    )
    for submission in submissions:
        submission.active_assignments = [a for a in submission.assignments.all() if a.is_active]
    plan = evaluation_review.evaluation_assignment_plan(evaluation_round)
    experts = active_experts()
    return {
        "evaluation_round": evaluation_round, "submissions": submissions, "pending": len(plan.new),
        "shortfalls": evaluation_review.shortfall_lines(plan), "experts": experts,
        "add_form": add_form or ManualAssignmentForm(experts=experts), "add_for": add_for, "end_form": ReasonForm(),
        "published": evaluation_round.published_at is not None,
    }  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_staff_assignment(request, pk):
    """Automatic assignment (POST action=run) and a manual addition (POST action=add)."""
    evaluation_round = policy.get_staff_evaluation_round(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "run":
                plan, added = evaluation_review.evaluation_assign(evaluation_round=evaluation_round, actor=request.user)
                messages.success(request, f"已分配 {added} 个评估任务。" + ("".join(evaluation_review.shortfall_lines(plan)) if plan.shortfalls else ""))
                return redirect("programme:evaluation_staff_assignment", evaluation_round.pk)
            if action == "add":
                submission = policy.get_staff_evaluation_submission(request.user, request.POST.get("submission") or 0)
                experts = active_experts()
                form = ManualAssignmentForm(request.POST, experts=experts)
                if form.is_valid():
                    expert = next(p.user for p in experts if str(p.user_id) == form.cleaned_data["expert"])
                    evaluation_review.evaluation_assignment_add(
                        submission=submission, expert=expert, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, f"已为{submission.applicant_name}增加一位专家。")
                    return redirect("programme:evaluation_staff_assignment", evaluation_round.pk)
                context = _assignment_context(evaluation_round, add_form=form, add_for=submission.pk)
                return render(request, "programme/evaluation_review/staff_assignment.html", context, status=400)
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect("programme:evaluation_staff_assignment", evaluation_round.pk)
        messages.error(request, "请选择要执行的操作。")
        return redirect("programme:evaluation_staff_assignment", evaluation_round.pk)
    return render(request, "programme/evaluation_review/staff_assignment.html", _assignment_context(evaluation_round))


@login_required
@require_POST
def evaluation_staff_assignment_end(request, pk):
    assignment = policy.get_staff_evaluation_assignment(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "撤销分配须填写理由。")
    else:
        try:
            evaluation_review.evaluation_assignment_end(assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"])
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "已撤销该专家的评估任务。")
    return redirect("programme:evaluation_staff_assignment", assignment.submission.round_id)


def _ranking(request, evaluation_round):
    rank_all = request.GET.get("order") == "all"
    return evaluation_review.evaluation_ranking(evaluation_round, provisional_last=not rank_all), rank_all


@login_required
@require_safe
def evaluation_staff_ranking(request, pk):
    """The ranked table; ?order=all ranks provisional rows among complete ones; ?format=csv|xlsx."""
    evaluation_round = policy.get_staff_evaluation_round(request.user, pk)
    rows, rank_all = _ranking(request, evaluation_round)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        cells = evaluation_review.ranking_cells(rows)
        name = f"evaluation-{evaluation_round.pk}-ranking"
        if fmt == "csv":
            response = HttpResponse(table_csv(evaluation_review.RANKING_COLUMNS, cells), content_type="text/csv; charset=utf-8")
        else:
            body = table_xlsx(
                title=f"{evaluation_round.batch.short_name}·{evaluation_round.name} 评分排序", header=evaluation_review.RANKING_COLUMNS,
                subtitle=f"导出时间 {timezone.localtime():%Y-%m-%d %H:%M}（北京时间）" + ("" if rank_all else "；评分未完成的为“暂定”，排在后面"),
                rows=cells, widths=(6, 30, 10, 10, 10, 8, 8, 10, 40), sheet_name="评分排序",
            )  # fmt: skip
            response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response
    return _ranking_page(request, evaluation_round, rows, rank_all)


def _page_of(rows, submission_pk) -> int:
    """The page of the ranked table that lists `submission_pk`."""
    index = next((i for i, row in enumerate(rows) if row.submission.pk == submission_pk), 0)
    return index // RANKING_PAGE_SIZE + 1


def _ranking_page(request, evaluation_round, rows, rank_all, *, invalid=None, status=200):
    """The ranking page, RANKING_PAGE_SIZE rows a page (the ranks run on across pages): each row
    with its conclusion form laid out (`invalid`, a bound form with errors, in place of its row's,
    on the page that lists that row, so nothing typed is lost) until the results are published."""
    blank = {}
    number = _page_of(rows, int(invalid.prefix[1:])) if invalid is not None else request.GET.get("page")
    page = Paginator(rows, RANKING_PAGE_SIZE).get_page(number)

    def form_for(row):
        if invalid is not None and invalid.prefix == f"s{row.submission.pk}":
            return as_crispy_form(invalid)
        if row.decision:
            return as_crispy_form(DecisionForm(initial={"outcome": row.decision.outcome, "opinion": row.decision.opinion},
                                                   prefix=f"s{row.submission.pk}"))  # fmt: skip
        # Rows without a conclusion yet (all of them until the project group decides): one layout.
        return blank_form_html(blank, DecisionForm, row.submission.pk, prefix="s")

    return render(request, "programme/evaluation_review/staff_ranking.html", {
        "evaluation_round": evaluation_round, "rows": [(row, form_for(row) if evaluation_round.published_at is None else None) for row in page],
        "page": page, "total": len(rows), "query": "order=all" if rank_all else "", "rank_all": rank_all,
        "publish_problem": evaluation_review.publish_problem(evaluation_round), "confirm_form": ConfirmForm(),
        "excellent": len(evaluation_review.excellent_schools(evaluation_round)),
    }, status=status)  # fmt: skip


@login_required
@require_POST
def evaluation_staff_decide(request, pk):
    submission = policy.get_staff_evaluation_submission(request.user, pk)
    form = DecisionForm(request.POST, prefix=f"s{submission.pk}")
    if form.is_valid():
        try:
            evaluation_review.evaluation_decide(
                submission=submission, outcome=form.cleaned_data["outcome"], opinion=form.cleaned_data["opinion"], actor=request.user
            )
        except (WorkflowError, ValidationError) as error:
            messages.error(request, "；".join(error.messages) if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, f"已记录{submission.applicant_name}的评估结论。")
            # Back to the page that lists the row (in the page's default order), at the row.
            number = _page_of(evaluation_review.evaluation_ranking(submission.round), submission.pk)
            on_page = f"?page={number}" if number > 1 else ""
            return redirect(reverse("programme:evaluation_staff_ranking", args=[submission.round_id]) + f"{on_page}#s{submission.pk}")
    else:
        # Nothing typed is lost: the ranking page again, this row's form with its errors.
        rows, rank_all = _ranking(request, submission.round)
        return _ranking_page(request, submission.round, rows, rank_all, invalid=form, status=400)
    return redirect("programme:evaluation_staff_ranking", submission.round_id)


@login_required
@require_POST
def evaluation_staff_publish(request, pk):
    evaluation_round = policy.get_staff_evaluation_round(request.user, pk)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, "请勾选确认后再公布。")
        return redirect("programme:evaluation_staff_ranking", evaluation_round.pk)
    try:
        told = evaluation_review.evaluation_publish(evaluation_round=evaluation_round, actor=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"评估结果已公布，已通知 {told} 所实验校。")
    return redirect("programme:evaluation_staff_ranking", evaluation_round.pk)


@login_required
@require_POST
def evaluation_staff_certificates(request, pk):
    """为本轮优质校颁发证书: a job issuing a 优质校 certificate to each school the published results name
    (one held already is not issued again), its page following the progress and offering the ZIP."""
    evaluation_round = policy.get_staff_evaluation_round(request.user, pk)
    try:
        job = certificate_jobs.quality_certificates_job(evaluation_round=evaluation_round, actor=request.user,
                                                        site_url=request.build_absolute_uri("/"))  # fmt: skip
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("programme:evaluation_staff_ranking", evaluation_round.pk)
    return redirect("programme:staff_certificate_job", job.pk)

