"""The project group's pages: formal check, assignment, progress, the ranked table, decisions,
publication, documents and PDF bundles. Staff only (portal.policy on the first line)."""
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.models import NATIONAL_STATUSES, Application, Batch, Status
from applications.pages import application_page
from applications.selectors import LONG_TEXT_FIELDS, applications_visible_to, current_batch, memberships_of_applicants, page_in_order
from applications.workflow import WorkflowError
from portal import policy
from portal.emails import queue_mail
from portal.protected import protected_file_response
from portal.validators import parsed_id, posted_ids
from review import dashboards, decisions, expert_assignment, expert_scoring
from review.formal_check import formal_check_decide, formal_check_items
from review.documents import (
    RANKING_COLUMNS, provisional_note, ranking_cells, ranking_pdf, score_sheet_pdf, selected_list_pdf, table_csv, table_xlsx,
)  # fmt: skip
from review.exports import export_create
from review.forms import (
    AssignExpertForm, BulkDecisionForm, DecisionForm, EndAssignmentForm, ExportForm, FilingForm, FormalCheckForm, NationalListFilterForm,
    PublishForm, RankFilterForm, ReopenForm, add_workflow_error,
)  # fmt: skip
from review.models import Assignment, AssignmentRun, CriterionScore, ExpertTally, ExportJob, Forwarding
from review.selectors import RankFilters, paper_copy_states, ranked_page, ranked_table

User = get_user_model()


def _batch(request) -> Batch:
    """The batch the page is about: ?batch=<id>, else the current one. A value that cannot be an
    id ("abc", "²", a number past the database's range) is no such batch: 404, never a 500."""
    batch_id = request.GET.get("batch") or request.POST.get("batch")
    if batch_id:
        pk = parsed_id(batch_id)
        if pk is None:
            raise Http404("没有该申报批次")
        return get_object_or_404(Batch, pk=pk)
    batch = current_batch()
    if batch is None:
        raise Http404("没有申报批次")
    return batch


@login_required
@require_safe
def national_home(request):
    policy.require_project_staff(request.user)
    batch = _batch(request)
    counts = dict(Application.objects.filter(batch=batch).values("status").annotate(n=Count("pk")).values_list("status", "n"))
    status_rows = [(value, label, counts.get(value, 0)) for value, label in Status.choices]
    return render(
        request,
        "review/national_home.html",
        {"batch": batch, "batches": Batch.objects.all(), "status_rows": status_rows,
         "at_national": counts.get(Status.AT_NATIONAL, 0), "publication_problems": decisions.publication_problems(batch),
         "filing": decisions.current_filing(batch),
         "forwardings": Forwarding.objects.filter(window__batch=batch).select_related("window__association").order_by("window__association__province"),
         "charts": [dashboards.national_funnel(batch), dashboards.province_stage_chart(batch), dashboards.category_chart(batch)]},
    )  # fmt: skip


def _national_list_applications(request, batch):
    """The national list's applications under the page's ?status and ?q, in its order (by
    province, then number), with the filters as read."""
    filters = NationalListFilterForm(request.GET).filters()
    qs = applications_visible_to(request.user).filter(batch=batch, status__in=NATIONAL_STATUSES + (Status.RETURNED,))
    if filters["status"]:
        qs = qs.filter(status=filters["status"])
    if filters["q"]:
        q = filters["q"]
        qs = qs.filter(Q(school__name__icontains=q) | Q(number__icontains=q) | Q(lead_name__icontains=q))
    return qs.select_related("school__province").defer(*LONG_TEXT_FIELDS).order_by("school__province_id", "number"), filters


def _with_flags(applications):
    """Set each application's paper_state and earlier_memberships (a few queries however many)."""
    papers = paper_copy_states(applications)
    memberships = memberships_of_applicants(applications)
    for application in applications:
        application.paper_state = papers[application.pk]
        application.earlier_memberships = memberships[application.pk]
    return applications


NATIONAL_LIST_COLUMNS = ("申请编号", "学校名称", "省份", "学校类型", "途径", "状态", "纸质版", "既往实验校")


def _national_list_cells(applications) -> list[tuple]:
    """The national list's columns as the page shows them, one tuple a row."""
    return [
        (a.number, a.applicant_name, a.school.province.name, a.school.get_school_type_display(), a.get_route_display(),
         a.get_status_display(), a.paper_state[1], "；".join(m.label for m in a.earlier_memberships))
        for a in applications
    ]  # fmt: skip


@login_required
@require_safe
def national_list(request, fmt="html"):
    """Every application that reached the project group, filterable by status and searchable;
    CSV and XLSX of the whole filtered list (the same rows, in the same order)."""
    policy.require_project_staff(request.user)
    batch = _batch(request)
    qs, filters = _national_list_applications(request, batch)
    status, q = filters["status"], filters["q"]
    if fmt == "html":
        page = page_in_order(qs, request.GET.get("page"), 50)
        _with_flags(page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "review/national_list.html", {"batch": batch, "page": page, "status": status, "q": q, "query": query.urlencode(),
                                                             "statuses": [(s, Status(s).label) for s in NATIONAL_STATUSES]})  # fmt: skip
    cells = _national_list_cells(_with_flags(list(qs)))
    if fmt == "csv":
        response = HttpResponse(table_csv(NATIONAL_LIST_COLUMNS, cells), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        label = "筛选：" + ("、".join(filter(None, [Status(status).label if status else "", f"搜索“{q}”" if q else ""])) or "全部")
        data = table_xlsx(title=f"{batch.short_name}申请列表（项目组）", subtitle=f"{label}　共 {len(cells)} 份", header=NATIONAL_LIST_COLUMNS,
                          rows=cells, widths=(18, 30, 12, 14, 10, 12, 16, 24), sheet_name="申请列表")  # fmt: skip
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise Http404
    response["Content-Disposition"] = content_disposition_header(True, f"{batch.short_name}-申请列表.{fmt}")
    return response


def _detail_context(request, application, **forms):
    assignments = list(
        Assignment.objects.filter(application=application).select_related("expert__expert_profile", "review").order_by("-is_active", "assigned_at")
    )
    scores = {}
    for score in CriterionScore.objects.filter(review__assignment__application=application).select_related("criterion"):
        scores.setdefault(score.review_id, []).append(score)
    context = application_page(application, request.user)
    context["action_links"] = national_action_links(application, context["allowed"])
    return context | {
        "paper_state": paper_copy_states([application])[application.pk],
        "list_filed": decisions.current_filing(application.batch) is not None,
        "earlier_memberships": memberships_of_applicants([application])[application.pk],
        "formal_items": formal_check_items(application),
        "formal_check": getattr(application, "formal_check", None),
        "assignments": [(a, scores.get(getattr(getattr(a, "review", None), "pk", None), [])) for a in assignments],
        "formal_form": forms.get("formal_form") or FormalCheckForm(initial={"correction_deadline": timezone.localtime() + timedelta(days=7)}),
        "assign_form": forms.get("assign_form") or AssignExpertForm(),
        "end_form": EndAssignmentForm(),
        "reopen_form": ReopenForm(initial={"until": timezone.localtime() + timedelta(days=3)}),
        "decision_form": forms.get("decision_form") or DecisionForm(initial={"opinion": application.group_opinion,
                                                                              "signer": application.group_opinion_signer}),  # fmt: skip
    }


def national_action_links(application, allowed) -> list[tuple[str, str, str]]:
    """The jump links of the page's action bar (templates/review/_actions.html): (anchor of the
    form, label, button class), only for the forms the page shows now."""
    links = []
    if "formal_pass" in allowed or "formal_return" in allowed:
        links.append(("fc-heading", "形式审查", "btn-primary"))
    if application.in_review:
        links.append(("as-heading", "分配专家", "btn-outline-primary"))
    if "decide" in allowed:
        links.append(("dc-heading", "作出决定", "btn-success"))
    return links


@login_required
@require_safe
def national_application(request, pk):
    application = policy.get_staff_application(request.user, pk, with_parts=True)
    return render(request, "review/national_application.html", _detail_context(request, application))


def _rerender(request, pk, status=400, **forms):
    application = policy.get_staff_application(request.user, pk, with_parts=True)
    return render(request, "review/national_application.html", _detail_context(request, application, **forms), status=status)


@login_required
@require_POST
def formal_check(request, pk):
    application = policy.get_staff_application(request.user, pk)
    form = FormalCheckForm(request.POST)
    if form.is_valid():
        try:
            formal_check_decide(application=application, actor=request.user, **form.cleaned_data)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "形式审查结论已记录。")
            return redirect("review:national_application", pk)
    return _rerender(request, pk, formal_form=form)


@login_required
@require_POST
def assign_expert(request, pk):
    application = policy.get_staff_application(request.user, pk)
    form = AssignExpertForm(request.POST)
    if form.is_valid():
        try:
            expert_assignment.assignment_add(application=application, expert=form.cleaned_data["expert"], actor=request.user, reason=form.cleaned_data["reason"])
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "已分配专家。")
            return redirect("review:national_application", pk)
    return _rerender(request, pk, assign_form=form)


@login_required
@require_POST
def end_assignment(request, assignment_id):
    assignment = policy.get_staff_assignment(request.user, assignment_id)
    form = EndAssignmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "撤销分配须填写理由。")
    else:
        try:
            expert_assignment.assignment_remove(assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"])
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "已撤销该分配。")
    return redirect("review:national_application", assignment.application_id)


@login_required
@require_POST
def reopen_review(request, review_id):
    review = policy.get_staff_review(request.user, review_id)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写理由和开放截止时间。")
    else:
        try:
            expert_scoring.review_reopen(review=review, actor=request.user, reason=form.cleaned_data["reason"], until=form.cleaned_data["until"])
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "已重新开放该专家的评分。")
    return redirect("review:national_application", review.assignment.application_id)


@login_required
@require_POST
def decide(request, pk):
    application = policy.get_staff_application(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decisions.decide(application=application, actor=request.user, **form.cleaned_data)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "决定已记录（名单公布前学校看不到）。")
            return redirect("review:national_application", pk)
    return _rerender(request, pk, decision_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def assignment(request):
    """Automatic assignment: a preview of what it would do, then applying it."""
    policy.require_project_staff(request.user)
    batch = _batch(request)
    plan = expert_assignment.assignment_plan(batch)
    if request.method == "POST":
        if not plan.new and not plan.dropped:
            messages.info(request, "没有需要新增或撤销的专家分配。")
            return redirect(f"{reverse('review:assignment')}?batch={batch.pk}")
        # Written by the job worker in steps; the run's page shows the progress.
        run = expert_assignment.assignment_run_start(batch=batch, actor=request.user)
        return redirect("review:assignment_run", run.pk)
    experts = {u.pk: u for u in User.objects.filter(pk__in=plan.load).select_related("expert_profile")}
    shown = plan.new[:300]
    applications = {a.pk: a for a in Application.objects.filter(pk__in={p.application_id for p in shown}).select_related("school__province")}
    preview = [(applications[p.application_id], experts.get(p.expert_id)) for p in shown]
    return render(
        request,
        "review/assignment.html",
        {"batch": batch, "plan": plan, "preview": preview, "more": max(0, len(plan.new) - 300),
         "loads": sorted(((experts.get(e), n) for e, n in plan.load.items()), key=lambda x: -x[1]),
         "shortfalls": expert_assignment.shortfall_lines(plan) if plan.shortfalls else [],
         "runs": AssignmentRun.objects.filter(batch=batch).select_related("requested_by")[:5]},
    )  # fmt: skip


@login_required
@require_safe
def assignment_run(request, run_id):
    """One run of automatic assignment: its progress bar, then what it did."""
    run = policy.get_staff_job(request.user, "AssignmentRun", run_id)
    return render(request, "review/assignment_run.html", {"run": run, "batch": run.batch})


@login_required
@require_safe
def assignment_run_status(request, run_id):
    run = policy.get_staff_job(request.user, "AssignmentRun", run_id)
    return job_status_response(run, summary=run.summary, shortfalls=run.shortfalls)


def job_status_response(job, **extra) -> JsonResponse:
    """A background job's state as its page's script (static/js/job-progress.js) reads it."""
    return JsonResponse({"state": job.state, "label": job.get_state_display(), "done": job.done, "total": job.total,
                         "percent": job.percent, "error": job.error, **extra})  # fmt: skip


PROGRESS_ROWS = 100


@login_required
@require_http_methods(["GET", "POST"])
def progress(request):
    """Reviews done and missing, per expert and per application; remind the late experts."""
    policy.require_project_staff(request.user)
    batch = _batch(request)
    # The review tallies (review.tallies) hold the counts: a few narrow rows, not every review.
    per_expert = (
        ExpertTally.objects.filter(batch=batch, assigned__gt=0)
        .values("expert_id", "expert__last_name", "expert__first_name", "expert__username", "expert__email", total=F("assigned"), done=F("submitted"))
        .order_by("-total", "expert_id")
    )  # fmt: skip
    if request.method == "POST":
        late = [row for row in per_expert if row["done"] < row["total"]]
        for row in late:
            queue_mail(to=[row["expert__email"]], template="expert_reminder",
                       context={"batch": batch, "missing": row["total"] - row["done"], "total": row["total"]})  # fmt: skip
        messages.success(request, f"已提醒 {len(late)} 位尚未完成评分的专家。")
        return redirect(f"{reverse('review:progress')}?batch={batch.pk}")
    in_review = Application.objects.filter(batch=batch, status__in=[Status.IN_EXPERT_REVIEW, Status.SCORED])
    # The least advanced first, a page's worth: at national scale thousands are in review, and
    # only the number, the school and the two counts are shown (nothing else is read).
    per_application = (
        in_review.annotate(assigned=Coalesce("review_tally__assigned", 0), done=Coalesce("review_tally__submitted", 0))
        .select_related("school")
        .only("number", "status", "submitted_school_name", "school__name")
        .order_by("done", "number")[:PROGRESS_ROWS]
    )
    return render(request, "review/progress.html", {"batch": batch, "per_expert": per_expert, "per_application": per_application,
                                                    "in_review": in_review.count(), "shown": PROGRESS_ROWS})  # fmt: skip


def _rank_filters(request):
    form = RankFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = RankFilters(
        province=data["province"].code if data.get("province") else "",
        school_type=data.get("school_type", ""),
        category=data["category"].code if data.get("category") else "",
        status=data.get("status", ""),
        provisional_mixed=data.get("provisional") == "mixed",
    )
    # The label the PDF and XLSX print: what each filter chose, as the page's menus say it.
    labels = [dict(form.fields[k].choices)[v] if k in ("school_type", "status") else str(v)
              for k, v in data.items() if v and k != "provisional"]  # fmt: skip
    return form, filters, "筛选：" + ("、".join(labels) if labels else "全部")


@login_required
@require_safe
def ranking(request, fmt="html"):
    """The ranked table, a page at a time, and CSV, XLSX and PDF of the whole filtered table."""
    policy.require_project_staff(request.user)
    batch = _batch(request)
    form, filters, label = _rank_filters(request)
    if fmt == "html":
        page = ranked_page(batch, filters, request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "review/ranking.html", {"batch": batch, "form": form, "page": page, "rows": page.object_list,
                                                       "query": query.urlencode(), "bulk_form": BulkDecisionForm(),
                                                       "provisional_mixed": filters.provisional_mixed,
                                                       "published": batch.published_at is not None})  # fmt: skip
    rows = ranked_table(batch, filters)
    if fmt == "csv":
        response = HttpResponse(table_csv(RANKING_COLUMNS, ranking_cells(rows)), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        subtitle = " ".join(filter(None, [label, provisional_note(rows, mixed=filters.provisional_mixed)]))
        data = table_xlsx(title=f"{batch.short_name}评审排名表", subtitle=subtitle, header=RANKING_COLUMNS, rows=ranking_cells(rows),
                          widths=(10, 16, 30, 12, 12, 36, 8, 8, 8, 8, 10), sheet_name="评审排名")  # fmt: skip
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    elif fmt == "pdf":
        response = HttpResponse(ranking_pdf(batch, rows, filters_label=label, provisional_mixed=filters.provisional_mixed), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = content_disposition_header(fmt != "pdf", f"{batch.short_name}-评审排名表.{fmt}")
    return response


@login_required
@require_POST
def bulk_decide(request):
    """Decide the ticked applications at once: a confirmation page first, then the decision."""
    policy.require_project_staff(request.user)
    batch = _batch(request)
    ids = posted_ids(request.POST.getlist("application"))
    applications = list(applications_visible_to(request.user).filter(batch=batch, pk__in=ids).select_related("school"))
    form = BulkDecisionForm(request.POST)
    if not applications:
        messages.error(request, "请先勾选申请。")
        return redirect(f"{reverse('review:ranking')}?batch={batch.pk}")
    if not form.is_valid():
        messages.error(request, "请选择决定并填写项目组意见。")
        return redirect(f"{reverse('review:ranking')}?batch={batch.pk}")
    if request.POST.get("confirm") != "yes":
        return render(request, "review/bulk_decide_confirm.html", {"batch": batch, "applications": applications, "form": form})
    try:
        count = decisions.decide_many(applications=applications, actor=request.user, **form.cleaned_data)
    except WorkflowError as error:
        messages.error(request, f"未能全部决定（没有做任何更改）：{error}")
    else:
        messages.success(request, f"已对 {count} 份申请作出决定。")
    return redirect(f"{reverse('review:ranking')}?batch={batch.pk}")


def _publish_page(request, batch, publish_form=None, filing_form=None, status=200):
    """The two steps in the notice's order: 八.2 the filing with the association, 八.3 publication."""
    from review.models import ListFiling

    filing = decisions.current_filing(batch)
    return render(
        request, "review/publish.html",
        {"batch": batch, "problems": decisions.publication_problems(batch),
         "selected": Application.objects.filter(batch=batch, status=Status.SELECTED).count(),
         "filing": filing, "voided_filing": None if filing else ListFiling.objects.filter(batch=batch).first(),
         "publish_form": publish_form or PublishForm(), "filing_form": filing_form or FilingForm()},
        status=status,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def publish(request):
    """八.3: publication of the list, named for the 项目工作会议 that announced it (after 八.2's filing)."""
    policy.require_project_staff(request.user)
    batch = _batch(request)
    if request.method == "GET":
        return _publish_page(request, batch)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            selected = decisions.publish(batch=batch, actor=request.user, **form.cleaned_data)
        except WorkflowError as error:
            if not add_workflow_error(form, error):
                messages.error(request, f"未能公布：{error}")
        else:
            messages.success(request, f"名单已公布，共 {selected} 所实验校。")
            return redirect(f"{reverse('review:national_home')}?batch={batch.pk}")
    return _publish_page(request, batch, publish_form=form, status=400)


@login_required
@require_POST
def file_list(request):
    """八.2: record that the list was filed with the association; the filed PDF is made and kept now."""
    policy.require_project_staff(request.user)
    batch = _batch(request)
    form = FilingForm(request.POST)
    if not form.is_valid():
        return _publish_page(request, batch, filing_form=form, status=400)
    try:
        decisions.file_list(batch=batch, actor=request.user, note=form.cleaned_data["note"])
    except WorkflowError as error:
        messages.error(request, f"未能备案：{error}")
    else:
        messages.success(request, "已登记实验校名单报中国成人教育协会备案，备案名单 PDF 已保存。")
    return redirect(f"{reverse('review:publish')}?batch={batch.pk}")


@login_required
@require_safe
def filing_pdf(request):
    """The 实验校名单 exactly as filed (the copy kept at filing time, voided or not)."""
    policy.require_project_staff(request.user)
    batch = _batch(request)
    filing = getattr(batch, "list_filing", None)
    if filing is None or not filing.file:
        raise Http404("名单尚未备案")
    return protected_file_response(filing.file, content_type="application/pdf", filename=f"{batch.short_name}名单-备案.pdf", attachment=False)


@login_required
@require_safe
def selected_list(request, kind):
    policy.require_project_staff(request.user)
    batch = _batch(request)
    if kind not in ("filing", "public"):
        raise Http404
    response = HttpResponse(selected_list_pdf(batch, for_filing=kind == "filing"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{batch.short_name}名单-{'备案' if kind == 'filing' else '公布'}.pdf")
    return response


@login_required
@require_safe
def score_sheet(request, review_id):
    """A score sheet: staff see every one; an expert only their own."""
    review = policy.get_score_sheet_review(request.user, review_id)
    criteria = expert_scoring.criteria_of(review.assignment.application.batch)
    scores = {s.criterion_id: s.points for s in review.scores.all()}
    response = HttpResponse(score_sheet_pdf(review, criteria, scores), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"专家评分表-{review.assignment.application.number}.pdf")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def exports(request):
    policy.require_project_staff(request.user)
    batch = _batch(request)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = export_create(batch=batch, actor=request.user, scope=form.cleaned_data["scope"], province=form.cleaned_data.get("province"))
        return redirect("review:export_detail", job.pk)
    # The 荣誉证书's ZIPs (programme.certificate_jobs, scope "certificates") are listed on their own page.
    jobs = ExportJob.objects.filter(batch=batch).exclude(selection__scope="certificates").select_related("requested_by")[:20]
    return render(request, "review/exports.html", {"batch": batch, "form": form, "jobs": jobs})


@login_required
@require_safe
def export_detail(request, job_id):
    job = policy.get_staff_job(request.user, "ExportJob", job_id)
    return render(request, "review/export_detail.html", {"job": job})


@login_required
@require_safe
def export_status(request, job_id):
    job = policy.get_staff_job(request.user, "ExportJob", job_id)
    return job_status_response(job, download=reverse("review:export_download", args=[job.pk]) if job.state == job.State.DONE else None)


@login_required
@require_safe
def export_download(request, job_id):
    job = policy.get_staff_job(request.user, "ExportJob", job_id)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404
    return protected_file_response(job.file, content_type="application/zip", filename=job.file.name.rsplit("/", 1)[-1], attachment=True)


