from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand

from portal.backup import backup_to


class Command(BaseCommand):
    help = "备份数据库和上传的文件到一个 .tar.gz 文件（仅所有者可读：内含密码散列和两步验证密钥）。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="备份文件路径（默认 var/backups/portal-时间.tar.gz）")

    def handle(self, *args, path=None, **options):
        target = Path(path or f"var/backups/portal-{datetime.now():%Y%m%d-%H%M%S}.tar.gz")
        # A folder made here is its owner's only, like the archives it will hold.
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        manifest = backup_to(target)
        self.stdout.write(self.style.SUCCESS(f"已备份到 {target}（文件 {manifest['files']} 个）。"))
