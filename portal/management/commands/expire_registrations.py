from django.conf import settings
from django.core.management.base import BaseCommand

from portal.services import registrations_expire


class Command(BaseCommand):
    help = "删除超过 REGISTRATION_CONFIRM_HOURS 小时仍未确认邮箱的学校注册（账号及其学校），释放学校名称、统一社会信用代码和邮箱（由定时任务调用）。"

    def handle(self, *args, **options):
        removed = registrations_expire()
        self.stdout.write(f"已删除 {removed} 个超过 {settings.REGISTRATION_CONFIRM_HOURS} 小时未确认的注册。")
