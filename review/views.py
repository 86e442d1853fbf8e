"""The provincial association's pages: the queue, one application with its actions, forwarding
and the 推荐汇总表. Access is checked on the first line (portal.policy)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.documents import project_choices
from applications.models import Batch, ProvincialWindow
from applications.models import Status
from applications.workflow import WorkflowError, current_scan, deadline_for, scan_is_current, status_for_school
from applications.rules import check_application
from applications.selectors import page_in_order
from portal import policy
from portal.protected import protected_file_response
from review import dashboards, services
from review.documents import recommendation_rows, selected_groups, summary_pdf, summary_xlsx
from review.forms import PROVINCIAL_STATUSES, DeclineForm, PaperForm, QueueFilterForm, RankForm, RecommendForm, ReturnForm
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
            "forward_problems": services.forwarding_problems(window) if forwarding is None else [],
            "query": query.urlencode(),
            "other_windows": ProvincialWindow.objects.filter(association_id=window.association_id).exclude(pk=window.pk).select_related("batch"),
            "now": timezone.now(),
            "funnel": dashboards.province_funnel(window),
            "school_time_left": dashboards.time_left(window.school_deadline),
            "national_time_left": dashboards.time_left(window.batch.national_deadline),
        },
    )


def _application_context(request, application, **forms):
    check = check_application(application)
    scan = current_scan(application)
    window = ProvincialWindow.objects.select_related("association").filter(
        batch=application.batch, association_id=request.user.association_id
    ).first()
    shown_status = status_for_school(application)  # provinces, like schools, see no outcome before publication
    return {
        "application": application,
        "shown_status": shown_status,
        "shown_status_label": Status(shown_status).label,
        "check": check,
        "deadline": deadline_for(application),
        "scan": scan,
        "scan_current": scan_is_current(application, scan),
        "team": [row for row in application.team.all() if not row.is_blank()],
        "projects": project_choices(application),
        "timeline": list(application.timeline.all()),
        "show_internal": True,
        "review": getattr(application, "provincial_review", None),
        "window": window,
        "forwarded": Forwarding.objects.filter(window=window).exists(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "recommend_form": forms.get("recommend_form") or RecommendForm(initial={"rank": services.next_free_rank(window)} if window else None),
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "rank_form": forms.get("rank_form") or RankForm(),
        "paper_form": forms.get("paper_form") or PaperForm(),
    }


@login_required
@require_safe
def province_application(request, pk):
    application = policy.get_reviewer_application(request.user, pk, with_parts=True)
    return render(request, "review/province_application.html", _application_context(request, application))


# Each action: its form, the service it calls, and what the service needs from the form.
ACTIONS = {
    "return": (ReturnForm, "return_form", lambda a, u, d: services.province_return(application=a, actor=u, reason=d["reason"]), "已退回学校修改。"),
    "recommend": (RecommendForm, "recommend_form", lambda a, u, d: services.province_recommend(application=a, actor=u, opinion=d["opinion"], rank=d["rank"]), "已推荐。"),
    "decline": (DeclineForm, "decline_form", lambda a, u, d: services.province_decline(application=a, actor=u, reason=d["reason"]), "已记录不予推荐。"),
    "rank": (RankForm, "rank_form", lambda a, u, d: services.province_change_rank(application=a, actor=u, rank=d["rank"]), "推荐排名已调整。"),
    "paper": (PaperForm, "paper_form", lambda a, u, d: services.province_mark_paper_received(application=a, actor=u, received_on=d["received_on"]), "已登记纸质版收到日期。"),
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
            forwarding = services.province_forward(window=window, actor=request.user)
        except WorkflowError as error:
            messages.error(request, f"未能报送：{error}")
            return redirect("review:province_queue", window.pk)
        messages.success(request, f"已将 {forwarding.application_count} 份推荐申请报送项目组，推荐汇总表已保存。")
        return redirect("review:province_queue", window.pk)
    return render(
        request,
        "review/province_forward.html",
        {"window": window, "rows": recommendation_rows(window), "problems": services.forwarding_problems(window),
         "forwarding": Forwarding.objects.filter(window=window).first()},
    )  # fmt: skip


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




@require_safe
def public_list(request, batch_id=None):
    """The published list of 实验校, by province and school type (public, no login)."""
    batch = policy.get_published_batch(request.user, batch_id)
    published = Batch.objects.filter(published_at__isnull=False).order_by("-published_at")
    groups = selected_groups(batch, names_only=True) if batch else []
    return render(
        request,
        "review/public_list.html",
        {"batch": batch, "groups": groups, "batches": published, "count": sum(len(apps) for _p, by_type in groups for _t, apps in by_type)},
    )
