"""The ZIP of application PDFs through the background job, as staff start it.

    python bench/zipjob.py enqueue --count 320 --out job.json   (queue review.exports.build_pdf_zip)
    python bench/zipjob.py check --job job.json --out done.json

`enqueue` goes through review.exports.export_create (the service the exports page calls) with the
database task backend, so the job waits in the database until a real `manage.py db_worker` takes it
(the caller starts one and measures it). The selection is the batch's selected schools (320 of
10,000, the real second batch) topped up with other national applications to --count.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_setup, read_json, scale_batch, write_json  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("enqueue")
    p.add_argument("--count", type=int, default=320)
    p.add_argument("--out", required=True)
    p = sub.add_parser("check")
    p.add_argument("--job", required=True)
    p.add_argument("--out", required=True)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from applications.models import NATIONAL_STATUSES, Application, Status
    from review.exports import export_create
    from review.models import ExportJob

    if args.command == "enqueue":
        assert "DatabaseBackend" in settings.TASKS["default"]["BACKEND"], "the benchmark needs the database task backend"
        batch = scale_batch()
        staff = get_user_model().objects.get(username="scale-staff")
        selected = list(Application.objects.filter(batch=batch, status=Status.SELECTED).order_by("pk").values_list("pk", flat=True))
        others = Application.objects.filter(batch=batch, status__in=NATIONAL_STATUSES).exclude(status=Status.SELECTED).order_by("pk")
        ids = (selected + list(others.values_list("pk", flat=True)[: max(0, args.count - len(selected))]))[: args.count]
        job = export_create(batch=batch, actor=staff, scope="ids", ids=ids)
        write_json(args.out, {"job": job.pk, "count": len(ids)})
        print(f"    queued ZIP job {job.pk} for {len(ids)} applications")
    else:
        job = ExportJob.objects.get(pk=read_json(args.job)["job"])
        size = job.file.size if job.file else 0
        seconds = (job.finished_at - job.created_at).total_seconds() if job.finished_at else None
        write_json(args.out, {"state": job.state, "done": job.done, "total": job.total, "bytes": size, "error": job.error,
                              "queued_to_finished_seconds": seconds})  # fmt: skip


if __name__ == "__main__":
    main()
