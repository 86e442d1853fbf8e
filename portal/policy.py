"""Who may do what to which object: the portal's one policy module. Every view asks it on its
first line.

Two answers besides "yes":

- **404** — the object is out of the user's reach (another school's application, another province's
  window, an expert's assignment that is not theirs). The page does not even confirm that the
  object exists, so ids cannot be probed.
- **403** — the object is within reach but the action is not the user's (a province reading an
  application may not edit it; a school may not open the project group's pages).

Anonymous visitors never get this far on a login-only page: `login_required` sends them to log in
first.

Why this module, alone in `portal`, knows every object type: the rules of who may touch an
application, a window, an assignment, a score sheet or an export job are one policy and belong in
one place, where they can be read side by side and tested as one matrix
(tests/test_access_matrix.py). Imports still flow one way, review → applications → portal, for every
static import: this module imports nothing from `applications` or `review` at module level. It
reaches their models through the app registry (`apps.get_model`) and their scoped reads
(`applications.selectors`) with imports inside the functions, at call time, when every app is
loaded. What the user may *see* stays defined once, in `applications.selectors.applications_visible_to`;
this module builds its answers on it.
"""
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.models import Role

# Roles that handle other people's data: they may protect their accounts with a second factor.
OTP_ROLES = (Role.PROVINCE, Role.STAFF, Role.EXPERT, Role.ADMIN)


def _model(app_label: str, name: str):
    return apps.get_model(app_label, name)


# ---- Role predicates ------------------------------------------------------------------------------


def is_school(user) -> bool:
    """Staff of an applicant school (with their school)."""
    return user.is_authenticated and user.role == Role.SCHOOL and user.school_id is not None


def is_provincial_reviewer(user) -> bool:
    """Staff of a provincial association (with their association)."""
    return user.is_authenticated and user.role == Role.PROVINCE and user.association_id is not None


def is_project_staff(user) -> bool:
    """The national project group; the CAEA admin may do all it does."""
    return user.is_authenticated and user.role in (Role.STAFF, Role.ADMIN)


def is_expert(user) -> bool:
    return user.is_authenticated and user.role == Role.EXPERT


def may_use_second_factor(user) -> bool:
    """Whoever handles other people's data, or may open Django admin, may turn on a
    one-time-password second factor."""
    return user.is_authenticated and (user.role in OTP_ROLES or user.is_staff or user.is_superuser)


def must_use_second_factor(user) -> bool:
    """The project group, administrators and anyone Django admin lets in (is_staff, whatever the
    role) must sign in with a second factor when settings.OTP_REQUIRED_FOR_STAFF is on
    (production's default): with the password alone their pages and admin could change any record."""
    return settings.OTP_REQUIRED_FOR_STAFF and (
        user.is_authenticated and (user.role in (Role.STAFF, Role.ADMIN) or user.is_staff or user.is_superuser)
    )


def acts_as(user, application, who: str) -> bool:
    """Whether `user` is, for `application`, the person a move of the journey names
    (applications.workflow.Who): its own school, its province's association, the project group,
    or an expert assigned to it (an assignment since ended included: a declared conflict may
    complete the review)."""
    if user is None or not user.is_authenticated:
        return False
    if who == "school":
        return is_school(user) and user.school_id == application.school_id
    if who == "province":
        return is_provincial_reviewer(user) and user.association.province_id == application.school.province_id
    if who == "staff":
        return is_project_staff(user)
    if who == "expert":
        return is_expert(user) and application.assignments.filter(expert=user).exists()
    raise ValueError(who)


# What a reader of an application (already let in by get_visible_application) is shown.


def sees_unpublished_outcome(user) -> bool:
    """Only the project group sees selected / not selected before the list is published; every
    other reader sees the status a school would."""
    return user.role in (Role.STAFF, Role.ADMIN)


def status_as_seen_by(user, application) -> str:
    """The status of `application` as `user` may know it, on every page, list and count that
    shows one: the real one for the project group; for a province, forwarded (已报送项目组) until
    the list is published (applications.workflow.status_for_province); for the school and anyone
    else, under expert review until then (status_for_school)."""
    from applications.workflow import status_for_province, status_for_school

    if sees_unpublished_outcome(user):
        return application.status
    if is_provincial_reviewer(user):
        return status_for_province(application)
    return status_for_school(application)


def sees_internal_timeline(user) -> bool:
    """Schools and experts read only the timeline rows meant for the school: the internal ones name
    experts and carry reviewers' opinions, which an expert scoring the application must not see."""
    return user.role not in (Role.SCHOOL, Role.EXPERT)


def timeline_for(user, entries) -> list:
    """The rows of an application's timeline `user` may read, each with `internal_shown` set when
    its internal comment is shown: all of them, with comments, for the project group; for a
    province the rows meant for the school plus those its reviewers wrote (with their comments: the
    rank, the 推荐意见), never the project group's internal rows (they name experts and carry the
    项目组意见, which would tell the outcome before publication); for the school and experts the
    rows meant for the school."""
    rows = []
    for entry in entries:
        if user.role in (Role.STAFF, Role.ADMIN) or user.is_superuser:
            entry.internal_shown = True
        elif user.role == Role.PROVINCE and entry.actor is not None and entry.actor.role == Role.PROVINCE:
            entry.internal_shown = True
        elif entry.visible_to_school:
            entry.internal_shown = False
        else:
            continue
        rows.append(entry)
    return rows


def sees_group_opinion(user, application) -> bool:
    """The 项目组意见 printed on the application's PDF gives the outcome away: before publication
    only the project group sees it; everyone who may read the application sees it afterwards."""
    from applications.workflow import outcome_published

    return is_project_staff(user) or outcome_published(application)


# ---- Requirements of a page, without an object ------------------------------------------------------


def public(user) -> None:
    """A page anyone may open, signed in or not (home, registration, the published list)."""


def require_signed_in(user) -> None:
    """Any signed-in user (login_required has already sent anonymous visitors to log in)."""
    if not user.is_authenticated:
        raise PermissionDenied("请先登录。")


def require_school(user) -> None:
    if not is_school(user):
        raise PermissionDenied("此页面仅供申报单位使用。")


def require_provincial_reviewer(user) -> None:
    if not is_provincial_reviewer(user):
        raise PermissionDenied("此页面仅供省级协会使用。")


def require_project_staff(user) -> None:
    if not is_project_staff(user):
        raise PermissionDenied("此页面仅供项目组使用。")


def require_expert(user) -> None:
    if not is_expert(user):
        raise PermissionDenied("此页面仅供评审专家使用。")


def require_second_factor_user(user) -> None:
    if not may_use_second_factor(user):
        raise PermissionDenied("两步验证仅供省级协会、项目组、评审专家和管理员使用。")


# ---- Batches --------------------------------------------------------------------------------------


def get_startable_batch(user, batch_id):
    """A batch a school may open its application for: schools only (403), open batches only (404)."""
    from applications.selectors import open_batches

    require_school(user)
    return get_object_or_404(open_batches(), pk=batch_id)


def get_published_batch(user, batch_id=None):
    """The batch whose list of 实验校 the public page shows: `batch_id` if that batch's list is
    published (else 404), or the latest published; None when nothing is published yet."""
    public(user)
    published = _model("applications", "Batch").objects.filter(published_at__isnull=False).order_by("-published_at")
    return get_object_or_404(published, pk=batch_id) if batch_id else published.first()


# ---- Applications and their scans -------------------------------------------------------------------


def get_visible_application(user, pk, *, with_parts: bool = False):
    """An application the user may read (applications.selectors.applications_visible_to); any
    other is a 404."""
    from applications.selectors import application_with_parts, applications_visible_to

    qs = applications_visible_to(user)
    return get_object_or_404(application_with_parts(qs) if with_parts else qs, pk=pk)


def get_own_application(user, pk, *, with_parts: bool = False, with_form_parts: bool = False):
    """The school's own application, for writing. Another school's is a 404; someone who may
    read it but is not the school (a reviewer, staff) gets a 403. `with_parts`: with what its
    pages show (selectors.application_with_parts); `with_form_parts`: with only what the form
    and its rules read (the team and the projects: the autosave)."""
    from applications.selectors import application_with_form_parts, application_with_parts, applications_editable_by

    qs = applications_editable_by(user)
    if with_parts:
        qs = application_with_parts(qs)
    elif with_form_parts:
        qs = application_with_form_parts(qs)
    application = qs.filter(pk=pk).first()
    if application is None:
        get_visible_application(user, pk)  # 404 when the user may not even see it
        raise PermissionDenied("只有申报单位本身可以修改申请表。")
    return application


def get_visible_scan(user, pk, scan_id):
    """A signed scan of an application the user may read: (application, scan). A scan of another
    application, or of one out of reach, is a 404."""
    application = get_visible_application(user, pk)
    scan = application.scans.filter(pk=scan_id).first()
    if scan is None:
        raise Http404
    return application, scan


# ---- Provincial associations ------------------------------------------------------------------------


def get_reviewer_window(user, window_id):
    """The reviewer's own association's window; any other is a 404, anyone but a provincial
    reviewer a 403."""
    require_provincial_reviewer(user)
    return get_object_or_404(
        _model("applications", "ProvincialWindow").objects.select_related("batch", "association__province"),
        pk=window_id, association_id=user.association_id,
    )  # fmt: skip


def get_reviewer_application(user, pk, *, with_parts: bool = False):
    """An application the provincial reviewer handles. Outside their province: 404 (as for anyone
    who may not see it); someone who may see it but is no provincial reviewer: 403."""
    application = get_visible_application(user, pk, with_parts=with_parts)
    require_provincial_reviewer(user)
    return application


# ---- The national project group -------------------------------------------------------------------


def get_staff_application(user, pk, *, with_parts: bool = False):
    """An application that reached the project group; others are a 404, non-staff a 403."""
    application = get_visible_application(user, pk, with_parts=with_parts)
    require_project_staff(user)
    return application


def get_staff_assignment(user, assignment_id):
    """An expert assignment (active or ended) of an application that reached the project group;
    anyone but staff: 403."""
    require_project_staff(user)
    assignment = get_object_or_404(_model("review", "Assignment"), pk=assignment_id)
    get_staff_application(user, assignment.application_id)
    return assignment


def get_staff_review(user, review_id):
    """An expert's review of an application that reached the project group (to reopen it);
    anyone but staff: 403."""
    require_project_staff(user)
    review = get_object_or_404(_model("review", "ExpertReview").objects.select_related("assignment"), pk=review_id)
    get_staff_application(user, review.assignment.application_id)
    return review


def get_staff_job(user, model_name: str, job_id):
    """A background job of the project group (review.ExportJob, a ZIP of PDFs, or
    review.AssignmentRun, an automatic assignment): every staff member sees every job; others 403."""
    require_project_staff(user)
    if model_name not in ("ExportJob", "AssignmentRun"):
        raise ValueError(model_name)
    return get_object_or_404(_model("review", model_name), pk=job_id)


# ---- Experts --------------------------------------------------------------------------------------


def get_expert_assignment(user, pk):
    """The expert's own active assignment; anyone else's (or an ended one) is a 404, anyone but
    an expert a 403."""
    require_expert(user)
    return get_object_or_404(
        _model("review", "Assignment").objects.select_related("application__batch", "application__school__province", "review"),
        pk=pk, expert=user, is_active=True,
    )  # fmt: skip


def get_score_sheet_review(user, review_id):
    """An expert's score sheet: its own expert's (even after the assignment ended) and the
    project group's for an application that reached it. To anyone else it does not exist (404),
    so that review ids cannot be probed."""
    review = get_object_or_404(
        _model("review", "ExpertReview").objects.select_related(
            "assignment__application__batch", "assignment__application__school", "assignment__expert"
        ),
        pk=review_id,
    )
    if user.pk != review.assignment.expert_id:
        if not is_project_staff(user):
            raise Http404
        get_staff_application(user, review.assignment.application_id)
    return review


# ---- The 实验周期 after selection (programme) ------------------------------------------------------


def get_experiment_school_for_school(user):
    """The signed-in school's own 实验校 record, for its workspace (programme.selectors.
    experiment_school_of: the one 实验中, else its latest). Anyone but a school: 403; a school that
    never was a 实验校: 404."""
    from programme.selectors import experiment_school_of

    require_school(user)
    experiment_school = experiment_school_of(user.school_id)
    if experiment_school is None:
        raise Http404
    return experiment_school


def may_change_experiment_school(user, experiment_school) -> bool:
    """Who may keep a 实验校's team and projects current, answer its invitations and ask to leave:
    its own school's staff, while it is 实验中."""
    return is_school(user) and user.school_id == experiment_school.school_id and experiment_school.is_active


def get_own_experiment_school(user):
    """The school's 实验校 record for writing (team, projects, a request to leave): 403 once it is
    no longer 实验中 (the pages show it read-only), as for get_experiment_school_for_school otherwise."""
    experiment_school = get_experiment_school_for_school(user)
    if not may_change_experiment_school(user, experiment_school):
        raise PermissionDenied(f"贵校实验校状态为“{experiment_school.get_status_display()}”，不能再修改。")
    return experiment_school


def get_school_invitation(user, pk):
    """An invitation of the school's own 实验校 (to answer it or check in). Another school's is a
    404; anyone but a school a 403."""
    require_school(user)
    return get_object_or_404(
        _model("programme", "Invitation").objects.select_related("activity", "experiment_school__school"),
        pk=pk, experiment_school__school_id=user.school_id,
    )  # fmt: skip


def get_visible_withdrawal_request(user, pk):
    """A request to leave (and its signed letter): its own school's and the project group's; to
    anyone else it does not exist (404)."""
    request = get_object_or_404(
        _model("programme", "WithdrawalRequest").objects.select_related("experiment_school__school"), pk=pk
    )
    if is_project_staff(user) or (is_school(user) and user.school_id == request.experiment_school.school_id):
        return request
    raise Http404


def _staff_get(user, model_name: str, pk, *related):
    require_project_staff(user)
    return get_object_or_404(_model("programme", model_name).objects.select_related(*related), pk=pk)


def get_staff_experiment_school(user, pk):
    """Any 实验校, for the project group; others 403."""
    return _staff_get(user, "ExperimentSchool", pk, "school__province", "batch")


def get_staff_published_batch(user, pk):
    """A batch whose list was published, for the project group's 实验周期 page (its cycle moved,
    its 实验校 completed); others 403, a batch not published 404."""
    require_project_staff(user)
    return get_object_or_404(_model("applications", "Batch").objects.filter(published_at__isnull=False), pk=pk)


def get_staff_activity(user, pk):
    """Any activity, for the project group (edit, invite, attendance, close); others 403."""
    return _staff_get(user, "Activity", pk)


def get_staff_invitation(user, pk):
    """Any invitation, for the project group (a leave decision, attendance); others 403."""
    return _staff_get(user, "Invitation", pk, "activity", "experiment_school__school")


def get_staff_exit_review(user, pk):
    """A review of the 七.7 queue, for the project group; others 403."""
    return _staff_get(user, "ExitReview", pk, "experiment_school__school", "first_absence__activity", "second_absence__activity")


def get_staff_withdrawal_request(user, pk):
    """A request to leave, for the project group to acknowledge; others 403."""
    return _staff_get(user, "WithdrawalRequest", pk, "experiment_school__school")


# ---- 年度工作报告 (programme: annual reports) ----------------------------------------------------


def is_report_reviewer(user, report) -> bool:
    """Who reads a report as a reviewer (comments, accepts, returns): the project group, and the
    experts it assigned to that report."""
    if is_project_staff(user):
        return True
    return is_expert(user) and report.reviewers.filter(expert=user).exists()


def get_visible_report(user, pk):
    """A 年度工作报告 (and its files, its PDF): its own school's, the project group's and its
    assigned experts'; to anyone else it does not exist (404)."""
    report = get_object_or_404(
        _model("programme", "AnnualReport").objects.select_related("experiment_school__school__province", "experiment_school__batch"),
        pk=pk,
    )  # fmt: skip
    if (is_school(user) and user.school_id == report.experiment_school.school_id) or is_report_reviewer(user, report):
        return report
    raise Http404


def get_own_report(user, pk):
    """A report its school writes (save, upload, submit): the owner school gets it; its reviewers
    may read but not write it (403); anyone else 404."""
    report = get_visible_report(user, pk)
    if not (is_school(user) and user.school_id == report.experiment_school.school_id):
        raise PermissionDenied("只有提交报告的实验校可以修改报告。")
    return report


def get_reviewable_report(user, pk):
    """A report to comment on, accept or return: its reviewers; the owner school 403; anyone else 404."""
    report = get_visible_report(user, pk)
    if not is_report_reviewer(user, report):
        raise PermissionDenied("只有项目组和指派的专家可以审阅报告。")
    return report


def get_visible_report_attachment(user, pk, attachment_id):
    """A photo or attachment of a report the user may read; another report's is a 404."""
    report = get_visible_report(user, pk)
    return get_object_or_404(report.attachments.all(), pk=attachment_id), report


def get_staff_report_reviewer(user, pk):
    """An expert's assignment to a report, for the project group to remove; others 403."""
    return _staff_get(user, "ReportReviewer", pk, "report", "expert")


# ---- 荣誉证书 (programme: certificates) -------------------------------------------------------------


def get_staff_certificate(user, pk):
    """Any certificate, for the project group to revoke; others 403."""
    return _staff_get(user, "Certificate", pk, "experiment_school__school")


def get_staff_certificate_job(user, job_id):
    """A certificates' job (programme.certificate_jobs: a review.ExportJob whose selection says
    certificates), for the project group; others 403, an applications' ZIP 404 here."""
    require_project_staff(user)
    return get_object_or_404(_model("review", "ExportJob").objects.select_related("batch"), pk=job_id, selection__scope="certificates")


def get_visible_certificate(user, pk):
    """A certificate's PDF: the project group's (any, a revoked one too: it prints as revoked), and
    its own school's while it is valid; to anyone else it does not exist (404)."""
    certificate = get_object_or_404(_model("programme", "Certificate").objects.select_related("experiment_school"), pk=pk)
    if is_project_staff(user):
        return certificate
    if is_school(user) and user.school_id == certificate.experiment_school.school_id and not certificate.is_revoked:
        return certificate
    raise Http404


# ---- 优质校评估 (programme: evaluation) ---------------------------------------------------------


def is_evaluation_expert(user, submission) -> bool:
    """An expert the project group assigned (and has not taken off) to score this submission."""
    return is_expert(user) and submission.assignments.filter(expert=user, is_active=True).exists()


def get_staff_evaluation_round(user, pk):
    """Any evaluation round, for the project group; others 403."""
    return _staff_get(user, "EvaluationRound", pk, "standard", "batch")


def get_school_evaluation_round(user, pk):
    """A round the signed-in 实验校 may open: of its own batch, its 建设标准 published. Returns
    (round, experiment_school). Anyone but a school 403; a school that never was a 实验校, or
    another batch's round, 404 (whether it may apply is the service's answer, with its reason)."""
    experiment_school = get_experiment_school_for_school(user)
    evaluation_round = get_object_or_404(
        _model("programme", "EvaluationRound").objects.select_related("standard", "batch"),
        pk=pk, batch_id=experiment_school.batch_id, standard__published_at__isnull=False,
    )  # fmt: skip
    return evaluation_round, experiment_school


def get_visible_evaluation_submission(user, pk):
    """A 优质校评估申报材料 (its page, files and PDF): its own school's, the project group's, and
    (once submitted) its assigned experts'; to anyone else it does not exist (404)."""
    submission = get_object_or_404(
        _model("programme", "EvaluationSubmission").objects.select_related(
            "round__standard", "round__batch", "experiment_school__school__province", "experiment_school__batch"
        ),
        pk=pk,
    )  # fmt: skip
    if is_school(user) and user.school_id == submission.experiment_school.school_id:
        return submission
    if is_project_staff(user):
        return submission
    if submission.state == "submitted" and is_evaluation_expert(user, submission):
        return submission
    raise Http404


def get_own_evaluation_submission(user, pk):
    """A submission its school writes (save, upload, submit): the owner school gets it; its other
    readers 403; anyone else 404."""
    submission = get_visible_evaluation_submission(user, pk)
    if not (is_school(user) and user.school_id == submission.experiment_school.school_id):
        raise PermissionDenied("只有申报的实验校可以修改申报材料。")
    return submission


def get_visible_evaluation_evidence(user, pk, evidence_id):
    """An evidence file of a submission the user may read; another submission's is a 404."""
    submission = get_visible_evaluation_submission(user, pk)
    return get_object_or_404(submission.evidence.all(), pk=evidence_id), submission


def get_visible_evaluation_declaration(user, pk, declaration_id):
    """A declaration scan of a submission the user may read; another submission's is a 404."""
    submission = get_visible_evaluation_submission(user, pk)
    return get_object_or_404(submission.declarations.all(), pk=declaration_id), submission


# ---- 优质校评估: experts, ranking, conclusions (programme: evaluation_review) -------------------------


def get_staff_evaluation_submission(user, pk):
    """Any submitted 优质校评估申报材料, for the project group's conclusion; others 403, a draft 404
    (a draft is the school's own until it submits)."""
    require_project_staff(user)
    return get_object_or_404(
        _model("programme", "EvaluationSubmission").objects.select_related("round__batch", "experiment_school__school__province"),
        pk=pk, state="submitted",
    )  # fmt: skip


def get_staff_evaluation_assignment(user, pk):
    """An active evaluation assignment, for the project group taking an expert off; others 403."""
    require_project_staff(user)
    return get_object_or_404(
        _model("programme", "EvaluationAssignment").objects.select_related("submission__round", "expert"), pk=pk, is_active=True
    )


def get_expert_evaluation_assignment(user, pk):
    """The expert's own active evaluation assignment; anyone else's (or an ended one) is a 404,
    anyone but an expert a 403."""
    require_expert(user)
    return get_object_or_404(
        _model("programme", "EvaluationAssignment").objects.select_related(
            "submission__round__standard", "submission__round__batch", "submission__experiment_school__school__province"
        ),
        pk=pk, expert=user, is_active=True,
    )  # fmt: skip


# ---- 建设动态 and 成果展示 (programme: showcase) ------------------------------------------------------


def post_is_public(post) -> bool:
    """A post (its page, photos, attachment, feed entry) is public once the project group
    approved it, and until it is unpublished (已发布 only), while its school is one the public sees
    (PUBLIC_EXPERIMENT_STATUSES: a school that left takes its posts with it)."""
    return post.state == "published" and post.experiment_school.status in PUBLIC_EXPERIMENT_STATUSES


def _may_see_post(user, post) -> bool:
    """Who sees a post's photos and attachment: anyone once it is public; before, its own school
    and the project group."""
    return post_is_public(post) or is_project_staff(user) or (is_school(user) and user.school_id == post.experiment_school.school_id)


def get_own_post(user, pk):
    """A 建设动态 of the signed-in school's own 实验校 (to read, edit, submit): another school's,
    and anyone else's, is a 404; anyone but a school a 403. Whether it may still be changed is the
    service's question (programme.showcase: its state and the 实验校's)."""
    require_school(user)
    return get_object_or_404(
        _model("programme", "ShowcasePost").objects.select_related("experiment_school__school", "experiment_school__batch"),
        pk=pk, experiment_school__school_id=user.school_id,
    )  # fmt: skip


def get_staff_post(user, pk):
    """Any post, for the project group (审核, unpublish, feature); others 403."""
    return _staff_get(user, "ShowcasePost", pk, "experiment_school__school__province", "experiment_school__batch")


def get_public_post(user, pk):
    """A published post of a school the public sees (PUBLIC_EXPERIMENT_STATUSES), for anyone (no
    login); any other (a draft, 待审核, returned, unpublished, a left school's) is a 404 to all: its
    school and the project group read it on their own pages."""
    return get_object_or_404(
        _model("programme", "ShowcasePost").objects.select_related("experiment_school__school__province", "experiment_school__batch"),
        pk=pk, state="published", experiment_school__status__in=PUBLIC_EXPERIMENT_STATUSES,
    )  # fmt: skip


def get_visible_post_photo(user, key):
    """A post's photo by its random key: anyone's once the post is published; before, its own
    school's and the project group's; to anyone else it does not exist (404)."""
    photo = get_object_or_404(_model("programme", "ShowcasePhoto").objects.select_related("post__experiment_school"), key=key)
    if not _may_see_post(user, photo.post):
        raise Http404
    return photo


def get_visible_post_attachment(user, pk):
    """A post whose attachment the user may download, as for its photos; no attachment is a 404."""
    post = get_object_or_404(_model("programme", "ShowcasePost").objects.select_related("experiment_school"), pk=pk)
    if not post.attachment or not _may_see_post(user, post):
        raise Http404
    return post


# ---- 项目展示推广网络平台: the public pages (programme: showcase, public part) --------------------------

# The 实验校 the public sees: 实验中, and 已结项 (its cycle done, its record kept); a school that left
# (自愿退出 or 视为退出) is no longer shown as one (issue 16).
PUBLIC_EXPERIMENT_STATUSES = ("active", "completed")


def get_public_experiment_school(user, pk):
    """A 实验校's public page, for anyone (no login), while it is 实验中 or 已结项; a school that
    left the programme is a 404 to everyone, as if it had no page."""
    return get_object_or_404(
        _model("programme", "ExperimentSchool").objects.select_related("school__province", "batch", "featured"),
        pk=pk, status__in=PUBLIC_EXPERIMENT_STATUSES,
    )  # fmt: skip

