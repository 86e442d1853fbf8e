"""The 荣誉证书's pages: the project group issues one on a 实验校's page (实验校证书 or an award), a
实验校 certificate for a whole batch on the 实验周期 page or an award decision's at once (both through
the certificates' job, whose page follows it to the ZIP), and revokes one with a reason; the PDF is
rendered when staff or the school download it; anyone checks a number at /verify/<number>/ (the
QR code printed on the certificate opens it) or types it at /verify/, signed in or not."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.models import Batch
from applications.workflow import WorkflowError
from portal import policy
from portal.pdf import html_to_pdf
from portal.validators import parsed_id
from programme import certificates
from programme import certificate_jobs
from programme.certificate_forms import AwardDecisionForm, CertificateIssueForm, CertificateRevokeForm, VerifyLookupForm
from programme.models import Award, Certificate, CertificateKind
from programme.staff_views import experiment_school_page
from review.national_views import job_status_response

def verify_url(request, certificate) -> str:
    """The absolute address of the certificate's public verify page, as its QR code opens it."""
    return certificates.verify_address(request.build_absolute_uri("/"), certificate.number)


# ---- The project group ----------------------------------------------------------------------------


@login_required
@require_POST
def certificate_issue(request, pk):
    """Issue one certificate to this 实验校: the page again with the error next to the field (400),
    else back to it with the new number."""
    experiment_school = policy.get_staff_experiment_school(request.user, pk)
    form = CertificateIssueForm(request.POST, experiment_school=experiment_school, auto_id="id_certificate_%s")
    if form.is_valid():
        award, level = form.award_and_level()
        try:
            issued = certificates.certificate_issue(experiment_school=experiment_school, kind=form.cleaned_data["kind"], actor=request.user,
                                                    award=award, level=level, project=form.cleaned_data["project"])  # fmt: skip
        except WorkflowError as error:
            field = {"level_missing": "award_level", "award_missing": "award_level", "project_missing": "project"}.get(error.code)
            form.add_error(field, error.message)
        else:
            messages.success(request, f"已颁发证书“{issued.title}”，证书编号 {issued.number}。")
            return redirect(reverse("programme:staff_school", args=[experiment_school.pk]) + "#certificates")
    return experiment_school_page(request, experiment_school, certificate_forms={"issue": form}, status=400)


@login_required
@require_POST
def certificate_revoke(request, pk):
    """Revoke a certificate with its reason: the page again with the error next to the field (400),
    else back to the 实验校's page."""
    certificate = policy.get_staff_certificate(request.user, pk)
    form = CertificateRevokeForm(request.POST, auto_id=f"id_revoke_{certificate.pk}_%s")
    if form.is_valid():
        try:
            certificates.certificate_revoke(certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"])
        except WorkflowError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(request, f"证书 {certificate.number} 已撤销；查验页面将显示其已撤销。")
            return redirect(reverse("programme:staff_school", args=[certificate.experiment_school_id]) + "#certificates")
    return experiment_school_page(request, certificate.experiment_school, certificate_forms={"revoke": (certificate.pk, form)}, status=400)


@login_required
@require_POST
def certificates_issue_batch(request, batch_id):
    """为本批次实验校颁发证书 (the box ticked): a job issues a 实验校 certificate for each of the
    batch's 实验校 that has none and ZIPs all the batch's live certificates; its page follows."""
    batch = policy.get_staff_published_batch(request.user, batch_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "请勾选确认后再提交。")
        return redirect("programme:staff_cycles")
    job = certificate_jobs.certificates_issue_batch_job(batch=batch, actor=request.user, site_url=request.build_absolute_uri("/"))
    return redirect("programme:staff_certificate_job", job.pk)


@login_required
@require_safe
def certificate_job(request, job_id):
    """A certificates' job: its progress, then how many it issued, what it skipped and the ZIP
    (downloaded through review's protected export download)."""
    job = policy.get_staff_certificate_job(request.user, job_id)
    award = Award.objects.filter(pk=job.selection.get("award")).first() if job.selection.get("award") else None
    # The award's certificates by level, from the highest (as staff typed the levels), then by province as the ZIP.
    rank = {level: n for n, level in enumerate(award.level_list)} if award else {}
    awarded = sorted(award.certificates.select_related("experiment_school__school"),
                     key=lambda c: (rank.get(c.award_level, len(rank)), c.experiment_school.school.province_id, c.school_name)) if award else None  # fmt: skip
    return render(request, "programme/certificates/job.html", {"job": job, "award": award, "summary": job_summary(job), "certificates": awarded})


def job_summary(job) -> str:
    """What a finished certificates' job did, as its page says it ("" until it is done)."""
    if job.state != job.State.DONE:
        return ""
    issued = job.selection.get("issued", 0)
    return (f"新颁发证书 {issued} 张" if issued else "没有需要新颁发的证书") + f"；压缩包内共 {job.done} 张有效证书的 PDF。"


@login_required
@require_safe
def certificate_job_status(request, job_id):
    """The job's state for its page's script (static/js/job-progress.js): progress, then the
    summary, what was skipped, and the ZIP's address."""
    job = policy.get_staff_certificate_job(request.user, job_id)
    done = job.state == job.State.DONE
    return job_status_response(job, download=reverse("review:export_download", args=[job.pk]) if done else None,
                               summary=job_summary(job), shortfalls=job.selection.get("skipped", []) if done else [])  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def award_decisions(request):
    """实验成果奖等获奖决定: record an award decision (the award, its levels, the winners one a line)
    and issue all its certificates at once through the certificates' job; the decisions so far.
    Errors go next to the field (400), each line's by its number, with the text kept."""
    policy.require_project_staff(request.user)
    initial_batch = Batch.objects.filter(published_at__isnull=False, pk=parsed_id(request.GET.get("batch"))).first()
    form = AwardDecisionForm(request.POST or None, initial={"batch": initial_batch, "award_name": "实验成果奖", "levels": "一等奖、二等奖、三等奖"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = certificate_jobs.award_decision_issue(batch=data["batch"], award_name=data["award_name"], levels=data["level_list"],
                                                    winners=data["winner_rows"], actor=request.user, site_url=request.build_absolute_uri("/"))  # fmt: skip
        return redirect("programme:staff_certificate_job", job.pk)
    jobs = certificate_jobs.certificate_jobs()[:30]
    return render(request, "programme/certificates/award_decisions.html", {"form": form, "jobs": jobs},
                  status=400 if request.method == "POST" else 200)  # fmt: skip


# ---- The certificate's PDF (staff, its own school) ------------------------------------------------


@login_required
@require_safe
def certificate_pdf(request, pk):
    """The certificate as printed: A4 landscape, with the QR code of its verify page and room for
    the association's seal. Rendered now, from the stored row."""
    certificate = policy.get_visible_certificate(request.user, pk)
    pdf = html_to_pdf(certificates.certificate_pdf_html(certificate, verify_url(request, certificate)), certificates.CERTIFICATE_STYLESHEETS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"证书-{certificate.school_name}-{certificate.number}.pdf")
    return response


# ---- The public verify page -----------------------------------------------------------------------


@require_safe
def verify_lookup(request):
    """/verify/: a box to type a certificate's number (any case, spaces, dashes); a number of the
    right shape goes to its /verify/<number>/, anything else comes back with the error beside the
    box and what was typed kept (400)."""
    policy.public(request.user)
    form = VerifyLookupForm(request.GET if "number" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("certificate_verify", number=form.cleaned_data["number"])
    return render(request, "programme/certificates/verify_lookup.html", {"form": form}, status=400 if form.is_bound else 200)


@require_safe
def verify(request, number):
    """Whose certificate `number` is and what it certifies (one query), or that it was revoked
    (with the date), or 未查询到该证书 (404). No personal data beyond the school's name."""
    policy.public(request.user)
    certificate = Certificate.objects.filter(number=certificates.normalise_number(number)).first()
    return render(request, "programme/certificates/verify.html", {"certificate": certificate, "number": number,
                                                                   "award_kind": CertificateKind.AWARD},
                  status=200 if certificate else 404)  # fmt: skip

