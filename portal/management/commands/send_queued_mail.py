from django.core.management.base import BaseCommand

from portal.emails import send_due_mail


class Command(BaseCommand):
    help = "发送所有到期的待发邮件（邮件服务器恢复后或由定时任务调用）。"

    def handle(self, *args, **options):
        sent, failed = send_due_mail()
        self.stdout.write(f"已发送 {sent} 封，失败 {failed} 封（失败的将按间隔重试）。")
