"""Recompute the review tallies (review.tallies) from the assignments and reviews: after loading
rows in bulk, or if a tally is ever suspected of being wrong. Safe to run at any time."""
from django.core.management.base import BaseCommand
from django.db import transaction

from applications.models import Batch
from review.tallies import rebuild_tallies


class Command(BaseCommand):
    help = "重新计算评审汇总（排名表与评审进度所用的数字）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, help="只计算这个批次（id）")

    def handle(self, *args, batch=None, **options):
        with transaction.atomic():
            n = rebuild_tallies(Batch.objects.get(pk=batch) if batch else None)
        self.stdout.write(f"已重新计算 {n} 份申请的评审汇总。")
