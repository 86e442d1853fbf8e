from django.core.management.base import BaseCommand

from programme.experiment_schools import experiment_schools_complete_due


class Command(BaseCommand):
    help = "实验周期期满结项：三年实验周期已结束、仍为“实验中”的实验校改为“已结项”（已结项或已退出的不变）。可每天由定时任务运行。"

    def handle(self, *args, **options):
        count = experiment_schools_complete_due()
        self.stdout.write(f"已结项 {count} 所实验校。")
