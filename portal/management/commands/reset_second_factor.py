from django.core.management.base import BaseCommand, CommandError

from portal.models import User
from portal.second_factor import reset_second_factor


class Command(BaseCommand):
    help = "重置一个账号的两步验证（手机丢失或更换）：删除其验证器，下次登录时凭邮件中的设置码重新设置。供无法进入管理后台时使用（如唯一的管理员丢失手机）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的账号。")
        removed = reset_second_factor(user)
        if removed:
            self.stdout.write(f"已重置 {username} 的两步验证：下次登录时需重新设置（设置码发送至 {user.email or '（未登记邮箱）'}）。")
        else:
            self.stdout.write(f"{username} 没有设置两步验证，无需重置。")
