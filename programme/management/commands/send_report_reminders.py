from django.conf import settings
from django.core.management.base import BaseCommand

from programme.reports import send_report_reminders


class Command(BaseCommand):
    help = "年度工作报告提醒：截止前与逾期后各提醒一次尚未提交报告的实验校（工作台通知和邮件），同一报告同一类提醒不会重复。可每天由定时任务运行。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.REMINDER_DAYS_BEFORE, help="截止前多少天开始提醒（默认取 REMINDER_DAYS_BEFORE）。")

    def handle(self, *args, days, **options):
        count = send_report_reminders(days=days)
        self.stdout.write(f"已发截止前提醒 {count.due_soon} 份、逾期提醒 {count.late} 份。")
