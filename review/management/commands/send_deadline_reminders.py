from django.conf import settings
from django.core.management.base import BaseCommand

from review.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = "截止前提醒：未提交申请的学校、仍有待决定申请的省级协会。同一截止时间不会重复提醒。可每天由定时任务运行。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.REMINDER_DAYS_BEFORE, help="截止前多少天开始提醒（默认取 REMINDER_DAYS_BEFORE）。")

    def handle(self, *args, days, **options):
        report = send_deadline_reminders(days=days)
        self.stdout.write(f"已提醒学校 {report.schools} 所、省级协会 {report.provinces} 个。")
