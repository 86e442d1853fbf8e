"""The provincial association's pages: the queue, one application with its actions, forwarding
and the 推荐汇总表. Access is checked on the first line (portal.policy)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.models import ProvincialWindow, Status
from applications.pages import application_page
from applications.selectors import memberships_of_applicants, page_in_order
from applications.workflow import WorkflowError
from portal import policy
from portal.protected import protected_file_response
from review import dashboards, provincial
from review.documents import recommendation_rows, summary_pdf, summary_xlsx
from review.forms import (
    PROVINCIAL_STATUSES, CopyForm, DeclineForm, PaperForm, QueueFilterForm, RankForm, RecommendForm, ReturnForm, add_workflow_error,
)  # fmt: skip
from review.models import Forwarding
from review.selectors import QueueFilters, provincial_queue, queue_flags, status_counts

PAGE_SIZE = 50


@login_required
@require_safe
def province_home(request):
    """The reviewer's current window: the open batch's, else the latest."""
    policy.require_provincial_reviewer(request.user)
    window = (
        ProvincialWindow.objects.filter(association_id=request.user.association_id)
        .order_by("-batch__is_open", "-batch__national_deadline")
        .first()
    )
    if window is None:
        return render(request, "review/province_no_window.html")
    return redirect("review:province_queue", window.pk)


@login_required
@require_safe
def province_queue(request, window_id):
    window = policy.get_reviewer_window(request.user, window_id)
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = QueueFilters(
        status=data.get("status", ""),
        school_type=data.get("school_type", ""),
        q=data.get("q", "").strip(),
        sort=data.get("sort") or "submitted",
    )
    page = page_in_order(provincial_queue(window, filters), request.GET.get("page"), PAGE_SIZE)
    memberships = memberships_of_applicants(page.object_list)
    for application in page.object_list:
        application.earlier_memberships = memberships[application.pk]
        application.shown_status = policy.status_as_seen_by(request.user, application)
        application.shown_status_label = Status(application.shown_status).label
    rows = [(application, queue_flags(application)) for application in page.object_list]
    forwarding = Forwarding.objects.filter(window=window).first()
    counts = status_counts(window)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/province_queue.html",
        {
            "window": window,
            "form": form,
            "page": page,
            "rows": rows,
            "status_tabs": [(value, label, counts.get(value, 0)) for value, label in PROVINCIAL_STATUSES if value],
            "undecided": counts.get("submitted", 0),
            "recommended": counts.get("recommended", 0),
            "forwarding": forwarding,
            "forward_problems": provincial.forwarding_problems(window) if forwarding is None else [],
            "query": query.urlencode(),
            "other_windows": ProvincialWindow.objects.filter(association_id=window.association_id).exclude(pk=window.pk).select_related("batch"),
            "now": timezone.now(),
            "funnel": dashboards.province_funnel(window),
            "school_time_left": dashboards.time_left(window.school_deadline),
            "national_time_left": dashboards.time_left(window.batch.national_deadline),
        },
    )


def _application_context(request, application, **forms):
    window = ProvincialWindow.objects.select_related("association").filter(
        batch=application.batch, association_id=request.user.association_id
    ).first()
    context = application_page(application, request.user)
    forwarded = Forwarding.objects.filter(window=window).exists()
    context.update({
        "review": getattr(application, "provincial_review", None),
        "window": window,
        "forwarded": forwarded,
        # A rank is not a move of the journey: it may change while the set is still with the province.
        "rank_changeable": application.status == Status.RECOMMENDED and not forwarded,
        "return_form": forms.get("return_form") or ReturnForm(),
        "recommend_form": forms.get("recommend_form") or RecommendForm(initial={"rank": provincial.next_free_rank(window)} if window else None),
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "rank_form": forms.get("rank_form") or RankForm(),
        "paper_form": forms.get("paper_form") or PaperForm(),
    })  # fmt: skip
    context["action_links"] = province_action_links(context["allowed"], rank_changeable=context["rank_changeable"])
    return context


def province_action_links(allowed, *, rank_changeable: bool) -> list[tuple[str, str, str]]:
    """The jump links of the page's action bar (templates/review/_actions.html): (anchor of the
    form, label, button class), only for what the province may do now; 纸质版 always."""
    links = [(f"act-{action}", label, css) for action, label, css in (
        ("province_recommend", "推荐", "btn-success"), ("province_return", "退回修改", "btn-warning"),
        ("province_decline", "不予推荐", "btn-outline-danger"),
    ) if action in allowed]  # fmt: skip
    if rank_changeable:
        links.append(("act-rank", "调整排名", "btn-outline-primary"))
    return links + [("act-paper", "纸质版", "btn-outline-secondary")]


@login_required
@require_safe
def province_application(request, pk):
    application = policy.get_reviewer_application(request.user, pk, with_parts=True)
    return render(request, "review/province_application.html", _application_context(request, application))


# Each action: its form, the service it calls, and what the service needs from the form.
ACTIONS = {
    "return": (ReturnForm, "return_form", lambda a, u, d: provincial.province_return(application=a, actor=u, reason=d["reason"]), "已退回学校修改。"),
    "recommend": (RecommendForm, "recommend_form", lambda a, u, d: provincial.province_recommend(application=a, actor=u, opinion=d["opinion"], rank=d["rank"]), "已推荐。"),
    "decline": (DeclineForm, "decline_form", lambda a, u, d: provincial.province_decline(application=a, actor=u, reason=d["reason"]), "已记录不予推荐。"),
    "rank": (RankForm, "rank_form", lambda a, u, d: provincial.province_change_rank(application=a, actor=u, rank=d["rank"]), "推荐排名已调整。"),
    "paper": (PaperForm, "paper_form", lambda a, u, d: provincial.province_mark_paper_received(application=a, actor=u, received_on=d["received_on"]), "已登记纸质版收到日期。"),
}  # fmt: skip


@login_required
@require_POST
def province_action(request, pk, action):
    application = policy.get_reviewer_application(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form_class, form_name, perform, done = ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            perform(application, request.user, form.cleaned_data)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
            return redirect("review:province_application", application.pk)
    application = policy.get_reviewer_application(request.user, pk, with_parts=True)
    context = _application_context(request, application, **{form_name: form})
    return render(request, "review/province_application.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def province_forward(request, window_id):
    window = policy.get_reviewer_window(request.user, window_id)
    if request.method == "POST":
        try:
            forwarding = provincial.province_forward(window=window, actor=request.user)
        except WorkflowError as error:
            messages.error(request, f"未能报送：{error}")
            return redirect("review:province_queue", window.pk)
        messages.success(request, f"已将 {forwarding.application_count} 份推荐申请报送项目组，推荐汇总表已保存。")
        return redirect("review:province_queue", window.pk)
    return _forward_page(request, window)


def _forward_page(request, window, copy_form=None, status=200):
    forwarding = Forwarding.objects.filter(window=window).select_related("copy_recorded_by").first()
    if copy_form is None and forwarding is not None:
        copy_form = CopyForm(initial={"copied_on": forwarding.copied_on or timezone.localdate(), "copied_to": forwarding.copied_to,
                                      "note": forwarding.copy_note})  # fmt: skip
    return render(
        request,
        "review/province_forward.html",
        {"window": window, "rows": recommendation_rows(window), "problems": provincial.forwarding_problems(window),
         "forwarding": forwarding, "copy_form": copy_form},
        status=status,
    )  # fmt: skip


@login_required
@require_POST
def province_record_copy(request, window_id):
    """After forwarding: when and to whom the 推荐汇总表 was sent (抄报 the provincial education department)."""
    window = policy.get_reviewer_window(request.user, window_id)
    form = CopyForm(request.POST)
    if form.is_valid():
        try:
            provincial.province_record_copy(window=window, actor=request.user, copied_on=form.cleaned_data["copied_on"],
                                            copied_to=form.cleaned_data["copied_to"], note=form.cleaned_data["note"])  # fmt: skip
        except WorkflowError as error:
            if not add_workflow_error(form, error):
                messages.error(request, str(error))
        else:
            messages.success(request, "已登记推荐汇总表的抄报情况。")
            return redirect("review:province_forward", window.pk)
    return _forward_page(request, window, copy_form=form, status=400)


@login_required
@require_safe
def province_summary(request, window_id, fmt):
    """The 推荐汇总表: the copy kept at forwarding once forwarded, else a preview of today's."""
    window = policy.get_reviewer_window(request.user, window_id)
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    forwarding = Forwarding.objects.filter(window=window).first()
    name = f"{window.association.name}-推荐汇总表.{fmt}"
    content_type = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if forwarding is not None:
        stored = forwarding.summary_pdf if fmt == "pdf" else forwarding.summary_xlsx
        return protected_file_response(stored, content_type=content_type, filename=name, attachment=fmt == "xlsx")
    else:
        rows = recommendation_rows(window)
        data = summary_pdf(window, rows) if fmt == "pdf" else summary_xlsx(window, rows)
        response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(fmt == "xlsx", name)
    return response
