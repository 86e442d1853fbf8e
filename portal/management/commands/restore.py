from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import restore_from


class Command(BaseCommand):
    help = "从 backup 生成的 .tar.gz 恢复数据库和上传的文件（会替换当前全部数据；请先运行 migrate）。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="不再确认，直接替换当前数据。")

    def handle(self, *args, path, yes=False, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"找不到备份文件：{source}")
        if not yes and input("恢复会替换当前全部数据和文件。继续请输入 yes：").strip() != "yes":
            raise CommandError("已取消。")
        manifest = restore_from(source)
        self.stdout.write(self.style.SUCCESS(f"已从 {source} 恢复（备份时间 {manifest['created']}，文件 {manifest['files']} 个）。"))
