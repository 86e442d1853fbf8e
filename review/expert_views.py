"""The expert's pages: their assignments with progress, and scoring one application. An expert
sees only their own assignments and scores, never another expert's name or score."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.pages import application_page
from applications.selectors import application_with_parts
from applications.models import Application
from applications.workflow import WorkflowError
from portal import policy
from review import expert_assignment, expert_scoring
from review.forms import ConflictForm, score_form_class
from review.models import ExpertReview
from review.selectors import expert_queue


def _progress(assignments) -> tuple[int, int]:
    done = sum(1 for a in assignments if _is_done(a))
    return done, len(assignments)


@login_required
@require_safe
def expert_home(request):
    policy.require_expert(request.user)
    everything = list(expert_queue(request.user))
    assignments = [a for a in everything if a.application.batch.is_open]
    past = [a for a in everything if not a.application.batch.is_open]
    done, total = _progress(assignments)
    return render(request, "review/expert_home.html", {"assignments": assignments, "past": past, "done": done, "total": total})


def _is_done(assignment) -> bool:
    review = getattr(assignment, "review", None)
    return review is not None and review.state == ExpertReview.State.SUBMITTED


def _next_assignment(expert, current):
    """"Save and next": the next assignment still to score after the current one in queue
    order, wrapping round to the first; None when all are done."""
    queue = list(expert_queue(expert))
    position = next((i for i, a in enumerate(queue) if a.pk == current.pk), -1)
    rotated = queue[position + 1 :] + queue[: position + 1]
    return next((a for a in rotated if a.pk != current.pk and not _is_done(a)), None)


@login_required
@require_http_methods(["GET", "POST"])
def score(request, assignment_id):
    assignment = policy.get_expert_assignment(request.user, assignment_id)
    application = application_with_parts(Application.objects.select_related("batch", "school__province")).get(pk=assignment.application_id)
    criteria = expert_scoring.criteria_of(application.batch)
    ScoreForm = score_form_class(criteria)
    review = getattr(assignment, "review", None)
    now = timezone.now()
    locked = review is not None and review.state == ExpertReview.State.SUBMITTED or expert_scoring.scoring_locked(review, application.batch, now=now)
    if request.method == "POST":
        form = ScoreForm(request.POST)
        action = request.POST.get("action", "save")
        if form.is_valid():
            points = {c.pk: form.cleaned_data.get(f"score-{c.pk}") for c in criteria}
            try:
                expert_scoring.review_save(
                    assignment=assignment, expert=request.user, points=points, comment=form.cleaned_data["comment"],
                    recommendation=form.cleaned_data["recommendation"], submit=action in ("submit", "submit_next"), now=now,
                )  # fmt: skip
            except ValidationError as error:
                for field, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
                messages.error(request, "未能提交：请按标红处修改（已填写的内容仍在页面上）。")
            except WorkflowError as error:
                messages.error(request, str(error))
            else:
                if action == "save":
                    messages.success(request, f"评分草稿已保存（{timezone.localtime():%H:%M:%S}）。")
                    return redirect("review:expert_score", assignment.pk)
                messages.success(request, "评分已提交。")
                following = _next_assignment(request.user, assignment) if action == "submit_next" else None
                return redirect("review:expert_score", following.pk) if following else redirect("review:expert_home")
    else:
        initial = {}
        if review is not None:
            initial = {f"score-{s.criterion_id}": s.points for s in review.scores.all()}
            initial.update(comment=review.comment, recommendation=review.recommendation)
        form = ScoreForm(initial=initial)
    if locked:
        for field in form.fields.values():
            field.disabled = True
    done, total = _progress([a for a in expert_queue(request.user) if a.application.batch_id == application.batch_id])
    context = application_page(application, request.user) | {
        "assignment": assignment, "form": form, "review": review, "locked": locked, "criteria": criteria, "done": done, "total": total,
        "conflict_form": ConflictForm(), "max_total": sum(c.max_points * c.weight for c in criteria),
    }  # fmt: skip
    return render(request, "review/expert_score.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def declare_conflict(request, assignment_id):
    assignment = policy.get_expert_assignment(request.user, assignment_id)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请简要说明回避理由。")
        return redirect("review:expert_score", assignment.pk)
    try:
        expert_assignment.expert_declare_conflict(assignment=assignment, expert=request.user, reason=form.cleaned_data["reason"])
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("review:expert_score", assignment.pk)
    messages.success(request, "已声明回避，该申请已从您的评审任务中移除。")
    return redirect("review:expert_home")
