"""Make the selected schools of a published batch 实验校, for lists published before publication
did it itself (review.decisions.list_published). Safe to run again: it adds only the missing ones."""
from django.core.management.base import BaseCommand, CommandError

from applications.models import Batch
from applications.workflow import WorkflowError
from programme.experiment_schools import experiment_schools_create_for


class Command(BaseCommand):
    help = "把已公布名单中入选的学校设为该批次的实验校（已是实验校的不重复创建）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, required=True, help="批次编号（数据库 id）")

    def handle(self, *args, batch, **options):
        found = Batch.objects.filter(pk=batch).first()
        if found is None:
            raise CommandError(f"没有编号为 {batch} 的批次。")
        try:
            made = experiment_schools_create_for(batch=found)
        except WorkflowError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{found.short_name}：新增实验校 {made} 所。")
