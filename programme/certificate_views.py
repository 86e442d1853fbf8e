"""The 荣誉证书's pages: the project group issues one on a 实验校's page (实验校证书 or an award) or a
实验校 certificate for a whole batch on the 实验周期 page, and revokes one with a reason; the PDF is
rendered when staff or the school download it; anyone checks a number at /verify/<number>/ (the
QR code printed on the certificate opens it), signed in or not."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from applications.workflow import WorkflowError
from portal import policy
from portal.pdf import render_pdf
from programme import certificates
from programme.certificate_forms import CertificateIssueForm, CertificateRevokeForm
from programme.checkin_qr import qr_svg
from programme.models import Certificate, CertificateKind
from programme.staff_views import experiment_school_page

CERTIFICATE_STYLESHEETS = ("css/print-certificate.css",)


def verify_url(request, certificate) -> str:
    """The absolute address of the certificate's public verify page, as its QR code opens it."""
    return request.build_absolute_uri(reverse("certificate_verify", kwargs={"number": certificate.number}))


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
    """为本批次实验校颁发证书 (the box ticked): a 实验校 certificate for each of the batch's 实验校
    that has none. Synchronous: rows only, the PDFs are rendered on download."""
    batch = policy.get_staff_published_batch(request.user, batch_id)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "请勾选确认后再提交。")
        return redirect("programme:staff_cycles")
    issued = certificates.certificates_issue_for_batch(batch=batch, actor=request.user)
    messages.success(request, f"{batch.short_name}：已为 {issued} 所实验校颁发实验校证书。" if issued
                     else f"{batch.short_name}：每所实验校均已有实验校证书，未重复颁发。")  # fmt: skip
    return redirect("programme:staff_cycles")


# ---- The certificate's PDF (staff, its own school) ------------------------------------------------


@login_required
@require_safe
def certificate_pdf(request, pk):
    """The certificate as printed: A4 landscape, with the QR code of its verify page and room for
    the association's seal. Rendered now, from the stored row."""
    certificate = policy.get_visible_certificate(request.user, pk)
    url = verify_url(request, certificate)
    pdf = render_pdf("programme/certificates/pdf.html", {
        "certificate": certificate, "verify_url": url, "qr": mark_safe(qr_svg(url, label="证书查验二维码")),
    }, stylesheets=CERTIFICATE_STYLESHEETS)  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"证书-{certificate.school_name}-{certificate.number}.pdf")
    return response


# ---- The public verify page -----------------------------------------------------------------------


@require_safe
def verify(request, number):
    """Whose certificate `number` is and what it certifies (one query), or that it was revoked
    (with the date), or 未查询到该证书 (404). No personal data beyond the school's name."""
    policy.public(request.user)
    certificate = Certificate.objects.filter(number=certificates.normalise_number(number)).first()
    return render(request, "programme/certificates/verify.html", {"certificate": certificate, "number": number,
                                                                   "award_kind": CertificateKind.AWARD},
                  status=200 if certificate else 404)  # fmt: skip

