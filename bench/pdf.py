"""One application PDF: the time of each render and the memory it takes.

    python bench/pdf.py --count 20 --out pdf.json

Renders applications.documents.application_pdf (what the PDF view and the ZIP job call) for
--count applications at the national steps, the longest plans among them, after one render that
loads the fonts (reported apart as the cold start); those are PDF/A, as every application past
the school's hands. Then the same applications' HTML laid out as a plain PDF and as PDF/A in turn:
what the archival variant costs. The process's peak RSS is read by the caller
(os.wait4); the Python heap peak of one render comes from tracemalloc.
"""
import argparse
import io
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_setup, scale_batch, summary_ms, write_json  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    django_setup()
    from django.db.models.functions import Length

    from applications.documents import APPLICATION_PDF_STYLESHEETS, application_pdf, application_pdf_html
    from applications.models import NATIONAL_STATUSES, Application
    from applications.selectors import application_with_parts
    from portal.pdf import html_to_pdf
    from pypdf import PdfReader

    batch = scale_batch()
    # Half the longest plans (6,000 字 runs to several pages), half from across the batch.
    by_length = (
        Application.objects.filter(batch=batch, status__in=NATIONAL_STATUSES)
        .annotate(size=Length("plan_content") + Length("plan_steps") + Length("plan_goals") + Length("plan_features"))
        .order_by("-size", "pk").values_list("pk", flat=True)
    )  # fmt: skip
    ids = list(by_length[: args.count // 2])
    everything = list(by_length)
    step = max(1, len(everything) // (args.count - len(ids) + 1))
    ids += [pk for pk in everything[step::step] if pk not in ids][: args.count - len(ids)]

    def load(pk):
        return application_with_parts(Application.objects.select_related("batch", "school__province")).get(pk=pk)

    started = time.perf_counter()
    application_pdf(load(everything[-1]))
    cold = time.perf_counter() - started
    times, sizes, pages = [], [], []
    for pk in ids:
        started = time.perf_counter()
        pdf = application_pdf(load(pk))
        times.append(time.perf_counter() - started)
        sizes.append(len(pdf))
        pages.append(len(PdfReader(io.BytesIO(pdf)).pages))
    tracemalloc.start()
    application_pdf(load(ids[0]))
    _current, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # What PDF/A costs (the application as submitted is archived: portal.pdf.ARCHIVAL_PDF_VARIANT):
    # the same HTML laid out as a plain PDF and as PDF/A, one after the other for each
    # application, so that both meet the same load on the machine.
    plain, archival = [], []
    for pk in ids:
        html = application_pdf_html(load(pk))
        for archive, into in ((False, plain), (True, archival)):
            started = time.perf_counter()
            html_to_pdf(html, APPLICATION_PDF_STYLESHEETS, archival=archive)
            into.append(time.perf_counter() - started)
    extra = sorted(a - p for a, p in zip(archival, plain))
    result = {"cold_seconds": round(cold, 3), "renders": summary_ms(times), "median_ms": round(sorted(times)[len(times) // 2] * 1000, 1),
              "bytes_max": max(sizes), "pages_max": max(pages), "python_heap_peak_mb": round(heap_peak / 2**20, 1),
              "plain_layout": summary_ms(plain), "pdfa_layout": summary_ms(archival),
              "pdfa_extra_median_ms": round(extra[len(extra) // 2] * 1000, 1)}  # fmt: skip
    write_json(args.out, result)
    print(f"    PDF: cold {cold * 1000:.0f} ms; {len(times)} renders median {result['median_ms']} ms, worst {result['renders']['max']} ms; "
          f"up to {max(pages)} pages, {max(sizes) // 1024} KB; Python heap peak {result['python_heap_peak_mb']} MB")  # fmt: skip
    print(f"    layout alone: plain PDF median {result['plain_layout']['p50']} ms, PDF/A-2b {result['pdfa_layout']['p50']} ms "
          f"(median extra {result['pdfa_extra_median_ms']} ms a PDF)")  # fmt: skip


if __name__ == "__main__":
    main()
