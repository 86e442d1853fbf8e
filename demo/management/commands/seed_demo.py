"""Demo data modelled on the notice: the second batch (中成协〔2023〕010号) with its deadlines moved
into the future, the Zhejiang and Jiangsu windows (浙成职协〔2023〕6号), schools in nine provinces,
applications at every provincial step (draft, submitted, returned, recommended, declined) and at
every national one, the first batch (2022) forwarded, scored, decided and published on its 2022
calendar moved to about fifteen months ago, its 实验校 in year 2 of their cycle with activities held
and to come, each outcome of 七.7 (FIRST_BATCH_FATES) and their 年度工作报告 (FIRST_BATCH_REPORTS),
and one account per role.

Every step of an application's journey goes through the service the pages call (the draft through
the edit page's form and team table, the scan, the submission, the province's and the project
group's steps), and every step of the 实验周期 through programme's services, so the demo cannot show
a state the portal could not reach, and a rule that changes there changes here. Safe to run again:
what exists is left as it is, and a second run writes nothing."""
import io
import secrets
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageDraw

from applications.documents import application_pdf
from applications.forms import ApplicationForm, TeamMemberForm, team_formset
from applications.models import Application, Batch, ProjectCategory, ProvincialWindow, SignedScan, Status, TimelineEntry
from applications.services import application_get_or_create, application_save_draft, scan_upload
from applications.uploads import generated_page_count
from applications.selectors import window_for
from applications.workflow import submit
from portal.models import Association, Province, Role, School, SchoolType
from programme import activities, attendance, certificate_jobs, certificates, exits, reports, showcase
from programme.experiment_schools import MemberRow, experiment_schools_create_for, team_update
from programme.models import (
    Activity, ActivityKind, AnnualReport, Certificate, CertificateKind, ExperimentLogEntry, ExperimentSchool, ExperimentStatus,
    ReachedGroup, ReportAttachment, ReportDeadline, ShowcasePost, reached_field,
)  # fmt: skip
from review import decisions, expert_assignment, expert_scoring, formal_check, rubric
from review.models import Assignment, ExpertProfile, Forwarding
from review.provincial import (
    next_free_rank, province_decline, province_forward, province_mark_paper_received, province_recommend, province_record_copy,
    province_return,
)  # fmt: skip
from review.roles import sync_staff_group

User = get_user_model()

PLAN_PARAGRAPHS = {
    "plan_content": [
        "学校立足区域经济社会发展和全民终身学习需求，依托专业群和实训基地资源，面向社区居民、乡村群众、老年人、在职人员和新市民开展多层次、多形式的学习服务，构建“学校—社区—乡村”三级联动的终身学习服务网络。",
        "一是建设社区学院分院和乡村学习点，按照“一点一特色”的思路，把智能手机应用、家庭理财、健康养生、传统手工艺、电商直播等课程送到居民家门口；二是开发线上线下融合的课程资源，建成覆盖二十个专业方向的微课资源库，面向社会免费开放；三是组建由专业教师、行业能手和社区志愿者组成的讲师团，常态化开展送教服务。",
        "项目坚持需求导向，每学期开展一次学习需求调查，根据居民反馈动态调整课程菜单；坚持质量导向，建立课程准入、过程督导和效果评价制度；坚持共建共享，与街道、乡镇、行业企业和老年大学签订合作协议，形成资源互补、优势叠加的工作格局。",
    ],
    "plan_steps": [
        "第一阶段（第一年）：调研与启动。成立由副校长任组长的项目领导小组，完成区域学习需求调查，制订实施细则和管理制度，建成首批五个社区（乡村）学习点，开发首批三十门课程。",
        "第二阶段（第二年）：推进与完善。学习点扩展到十五个，课程资源达到一百门，培训社区教育骨干教师一百名，形成可复制的“课程超市”和“订单式送教”服务模式，开展中期评估并改进。",
        "第三阶段（第三年）：总结与推广。全面总结实验成果，编写典型案例集，举办成果展示和经验交流活动，参加项目组组织的优质校评估，将成熟做法在全省职业院校推广。",
    ],
    "plan_goals": [
        "三年内累计开展各类培训不少于三万人次，其中老年教育一万人次、新市民素质提升培训八千人次、在职人员继续教育一万人次；建成线上课程资源一百门以上，居民满意度达到百分之九十以上。",
        "形成一套职业院校服务全民终身学习的制度体系和运行机制，培育两到三个在省内有影响力的品牌项目，打造一支专兼结合的终身学习服务团队，为建设学习型城市、学习型社会贡献职业教育力量。",
    ],
    "plan_features": [
        "特色一：专业赋能。发挥学校智能制造、现代服务、数字商贸等专业优势，把专业课程转化为居民看得懂、学得会、用得上的生活技能课程。",
        "特色二：数字融合。依托学校智慧教学平台，建设“指尖上的课堂”，实现报名、学习、评价一站式服务，让老年人和新市民跨越数字鸿沟。",
        "特色三：多方协同。政府主导、学校主体、社区参与、企业支持，形成协同推进的长效机制，确保项目可持续发展。",
    ],
}


def demo_plan(school_name: str, repeat: int = 3) -> dict[str, str]:
    """A plan of about 2,400 字: the paragraphs above, repeated with a round number."""
    plan = {"plan_name": f"{school_name}“技能惠民·终身学习”社区教育融通实验项目"}
    for field, paragraphs in PLAN_PARAGRAPHS.items():
        rounds = [f"（第{n}部分）" + "".join(paragraphs) for n in range(1, repeat + 1)] if field == "plan_content" else paragraphs
        plan[field] = "\n".join(rounds)
    return plan


def scan_image(text: str, *, name: str = "scan.png") -> SimpleUploadedFile:
    """A small PNG standing in for a scanned, sealed form or letter."""
    image = Image.new("RGB", (620, 877), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([20, 20, 600, 857], outline="black", width=2)
    draw.ellipse([420, 650, 560, 790], outline="red", width=4)
    draw.text((40, 40), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


SCHOOLS = [
    # key, name, province code, type, address, postcode, lead name, lead title
    ("zj1", "浙江示范职业技术学院", "330000", SchoolType.HIGHER_VOCATIONAL, "浙江省杭州市西湖区学院路 88 号", "310012", "陈明华", "副院长"),
    ("zj2", "宁波市甬江职业高级中学", "330000", SchoolType.SECONDARY_VOCATIONAL, "浙江省宁波市江北区育才路 16 号", "315020", "王晓燕", "副校长"),
    ("zj3", "温州市瓯海区职业教育中心", "330000", SchoolType.VOCATIONAL_CENTER, "浙江省温州市瓯海区娄桥街道职教路 1 号", "325014", "林志强", "副主任"),
    ("zj4", "绍兴市柯桥区职业教育中心", "330000", SchoolType.VOCATIONAL_CENTER, "浙江省绍兴市柯桥区笛扬路 300 号", "312030", "赵建国", "教务处处长"),
    ("zj5", "湖州市长兴县职业技术学校", "330000", SchoolType.SECONDARY_VOCATIONAL, "浙江省湖州市长兴县雉城街道职教路 5 号", "313100", "沈玉兰", "副校长"),
    ("zj6", "金华职业技术示范学院", "330000", SchoolType.HIGHER_VOCATIONAL, "浙江省金华市婺城区海棠西路 1188 号", "321017", "郑海涛", "副院长"),
    ("js1", "江苏示范职业技术学院", "320000", SchoolType.HIGHER_VOCATIONAL, "江苏省南京市栖霞区文澜路 99 号", "210046", "周文斌", "副院长"),
    ("js2", "苏州市吴中区职业教育中心", "320000", SchoolType.VOCATIONAL_CENTER, "江苏省苏州市吴中区东吴北路 200 号", "215128", "钱丽萍", "副主任"),
    ("sc1", "四川示范职业技术学院", "510000", SchoolType.HIGHER_VOCATIONAL, "四川省成都市郫都区德源大道 6 号", "611730", "李德军", "副院长"),
    ("sc2", "绵阳市安州区职业中学", "510000", SchoolType.SECONDARY_VOCATIONAL, "四川省绵阳市安州区花菱镇职中路 8 号", "622650", "张秀英", "副校长"),
    ("gd1", "广东示范职业技术学院", "440000", SchoolType.HIGHER_VOCATIONAL, "广东省广州市天河区科韵路 50 号", "510665", "黄志明", "副院长"),
    ("hb1", "武汉市江夏区职业教育中心", "420000", SchoolType.VOCATIONAL_CENTER, "湖北省武汉市江夏区文化大道 20 号", "430200", "胡建平", "副主任"),
    ("sd1", "山东示范职业技术学院", "370000", SchoolType.HIGHER_VOCATIONAL, "山东省济南市长清区大学路 3 号", "250300", "孙立新", "副院长"),
    ("ha1", "洛阳市职业技术中等专业学校", "410000", SchoolType.SECONDARY_VOCATIONAL, "河南省洛阳市洛龙区开元大道 9 号", "471000", "杨春梅", "副校长"),
    ("fj1", "福建示范职业技术学院", "350000", SchoolType.HIGHER_VOCATIONAL, "福建省福州市闽侯县上街镇学府路 2 号", "350108", "陈国栋", "副院长"),
]
# Experts: username, name, institution, province, expertise (project category codes).
EXPERTS = [
    ("demo-expert", "吴", "教授", "北京终身教育研究院", "110000", ("elderly-education", "community-governance")),
    ("demo-expert-2", "郑", "研究员", "上海开放大学社区教育研究所", "310000", ("continuing-education", "employment-training")),
    ("demo-expert-3", "冯", "教授", "天津职业技术师范大学", "120000", ("rural-revitalisation", "migrant-workers")),
    ("demo-expert-4", "蒋", "副教授", "重庆市终身教育促进会", "500000", ("elderly-education", "employment-training")),
    ("demo-expert-5", "韩", "教授", "陕西省职业技术教育学会", "610000", ("community-governance", "rural-revitalisation")),
]
# Where each school's application of the current batch stands in the demo, so every role finds
# work at each of its steps. ("partial": a draft half filled in; "empty": a draft with one row.)
CURRENT_STATES = {
    "zj1": "partial", "zj2": "recommended", "zj3": "submitted", "zj4": "returned", "zj5": "declined",
    "zj6": "submitted", "js1": "submitted", "js2": "empty", "sc1": "submitted", "sc2": "empty",
    # Direct applications at the national steps (see NATIONAL_STATES).
    "gd1": "submitted", "hb1": "submitted", "sd1": "submitted", "ha1": "submitted", "fj1": "submitted",
}  # fmt: skip
# How far the national review of each direct application has gone in the current batch:
# sc1 waits for the formal check; gd1 and hb1 are with demo-expert (gd1 scored by them, hb1 not);
# sd1 is fully scored; ha1 and fj1 are decided (the list is not published yet).
NATIONAL_STATES = {"gd1": "partly_scored", "hb1": "assigned", "sd1": "scored", "ha1": "selected", "fj1": "not_selected"}
# The first batch (2022): these Zhejiang schools were recommended and forwarded; these applied
# straight to the project group (Jiangsu and Sichuan ran no window that year). All four were selected.
FIRST_BATCH_FORWARDED = ("zj2", "zj3")
FIRST_BATCH_DIRECT = ("js2", "sc2")


# Where `bin/run` serves the demo: the host its certificates' QR codes point at.
DEMO_SITE = "http://127.0.0.1:8000/"

# Who the schools ask, the same in both batches: the project group (notice 九) and the Zhejiang association.
PROJECT_GROUP_CONTACT = {"contact_name": "彭老师", "contact_phones": "010-81299751 18611285756", "contact_email": "pengfang@enaea.edu.cn"}
ZHEJIANG_CONTACT = {"contact_name": "周依依", "contact_phone": "0571-88031215", "contact_email": "zj_czjxh@163.com"}
# The first batch (2022) as it happened: the dates of each step (Beijing time). The demo plays it
# on these days moved by whole weeks (first_batch_shift), so that its 实验校 are in year 2 of their
# three-year cycle on the day seed_demo runs; the gaps between the steps stay as they were.
FIRST_BATCH_DATES = {
    "created": datetime(2022, 4, 20, 9, 0),
    "saved": datetime(2022, 5, 9, 15, 0),
    "scanned": datetime(2022, 5, 10, 11, 0),
    "submitted": datetime(2022, 5, 11, 10, 0),
    "recommended": datetime(2022, 5, 16, 10, 0),
    "forwarded": datetime(2022, 5, 26, 10, 0),
    "checked": datetime(2022, 5, 31, 10, 0),
    "assigned": datetime(2022, 6, 1, 9, 0),
    "scored": datetime(2022, 6, 10, 16, 0),
    "decided": datetime(2022, 6, 20, 10, 0),
    "filed": datetime(2022, 6, 24, 10, 0),
    "published": datetime(2022, 6, 28, 9, 0),
}
FIRST_BATCH_ISSUED_ON = date(2022, 4, 1)
FIRST_BATCH_DEADLINE = datetime(2022, 5, 31, 23, 59, 59)
# The 抄报 of Zhejiang's 推荐汇总表 to the provincial education department (八.1), and the paper
# copies that reached Zhejiang before it forwarded (one school's did, one's did not).
FIRST_BATCH_COPY = {"copied_on": date(2022, 5, 27), "copied_to": "浙江省教育厅", "note": "随浙成职协〔2022〕5号报送"}
FIRST_BATCH_PAPER_RECEIVED = {"zj2": date(2022, 5, 20)}
# The 项目工作会议 that announced the list (八.3), held on the day of publication; its name carries its year.
FIRST_BATCH_MEETING = "{year}年职业院校服务全民终身学习项目工作会议"
# How long before the day seed_demo runs the first batch's list was published: about fifteen months,
# so that its 实验校 are three months into year 2 of their cycle, with nine months of it to go.
FIRST_BATCH_PUBLISHED_AGO = timedelta(days=456)


def first_batch_shift(today: date) -> timedelta:
    """How far the demo moves the first batch's 2022 dates: whole weeks (each step keeps its
    weekday and hour), so that the list is published FIRST_BATCH_PUBLISHED_AGO before `today`,
    or up to six days more."""
    days = (today - FIRST_BATCH_PUBLISHED_AGO - FIRST_BATCH_DATES["published"].date()).days
    return timedelta(days=days - days % 7)


# How the first batch's 实验校 have fared in year 1 and 2 of their cycle (notice 五 and 七.7), as
# experiment_cycle() plays it and README's demo table tells it.
FIRST_BATCH_FATES = {
    "zj2": "实验中：参加了每次活动；项目小组换过一次成员；已报名即将举行的活动",
    "zj3": "实验中：第二次活动请假未获同意又未参加，连续缺席 1 次，已收到“再缺席一次将视为退出”的提醒",
    "sc2": "实验中：连续两次未参与项目组活动，在项目组的视为退出审核队列中；即将举行的活动请假待审核",
    "js2": "已退出（自愿）：第一次活动请假获准，参加了第二次，此后申请退出项目实施，项目组已确认",
}


# The activities of the first batch's cycle (the project group's, 五: 每年组织 2-3 次项目研讨交流会议;
# 共同培训项目实施团队; 经验交流): two held, counted from the cycle's first day, and one to come.
TRAINING_TITLE = "第一批实验校项目实施团队线上培训"
SEMINAR_TITLE = "第一批实验校项目研讨交流会议（第二年）"
EXCHANGE_TITLE = "第一批实验校经验交流会"
EXPERIMENT_STORY_DAYS = 445  # the cycle's day of the last step in the past (zj2's draft of its year-2 report saved)
UPCOMING_IN_DAYS = 24  # the exchange meeting, this many days after the day seed_demo runs

# The 年度工作报告 (五: 业务指导、实验评估) as experiment_cycle() plays them and README's demo table
# tells them: year 1's filed, year 2's begun.
FIRST_BATCH_REPORTS = {
    "zj2": "第1年度工作报告已通过（项目组业务指导意见 1 条，照片 2 张、附件 1 个）；第2年度工作报告草稿填写中",
    "zj3": "第1年度工作报告退回修改（退回原因见工作台），修改稿已保存、尚未重新提交",
    "sc2": "第1年度工作报告已提交（截止前收到提醒），项目组已指派 demo-expert 审阅",
    "js2": "第1年度工作报告截止前收到提醒，未提交即退出项目实施",
}
# When the batch's reports are due, as the project group set them in year 1 (the reports'
# deadline page): about two weeks after the cycle year ends, at 17:00; a cycle day of each year.
REPORT_DUE_DAYS = {1: 379, 2: 744}
# The zj3 report's return, in the reviewers' words; README and the tests quote it.
REPORT_RETURN_REASON = "“乡村居民”服务人数 1200 人与“开展的培训”所列乡村培训 6 期 180 人次出入较大，请核实后修改，并补充乡村学习点的活动照片。"
# 宁波's photos and attachment of year 1: kind, file name, caption.
REPORT_FILES = (
    (ReportAttachment.Kind.PHOTO, "智能手机应用课堂.png", "社区学院分院“智能手机应用”课堂"),
    (ReportAttachment.Kind.PHOTO, "电商直播培训.png", "乡村学习点电商直播培训"),
    (ReportAttachment.Kind.DOCUMENT, "项目实施情况统计表.png", "第一年度项目实施情况统计表（盖章）"),
)
# What a report says was done, one text a project in the school's order.
REPORT_WORK = (
    "依托社区学院分院和 5 个乡村学习点开展讲座、送教下乡和线上课程，组织电商直播、种养技术培训，全年服务居民逾千人次。",
    "在社区老年学校开设智能手机应用、健康养生、书法绘画等课程，组织志愿者“一对一”帮老年人跨越数字鸿沟。",
)
REPORT_COMMENT = ("第一年工作扎实，社区学院分院与乡村学习点布局合理，老年人智能手机应用课程有特色。建议第二年把课程资源向乡村学习点延伸，"
                  "并按群体做好服务人次的过程记录，为中期评估积累材料。")  # fmt: skip


# The 建设动态 (五: 展示宣传各实验校建设动态和成果) as showcase_posts() plays them and README's demo
# table tells them: (school, title, text, photo captions, cycle day written, what became of it).
SHOWCASE_POSTS = (
    ("zj2", "社区学院分院“智能手机应用”课堂开课", "我校社区学院分院本周开设“智能手机应用”课堂，首期 40 名社区老年居民参加。\n\n"
     "课程由信息技术专业教师和学生志愿者“一对一”授课，内容包括微信视频通话、健康码与出行码、网上挂号和防范电信诈骗。",
     ("课堂上学生志愿者一对一指导", "老年学员练习视频通话", "结业合影"), 200, "published_featured"),
    ("zj2", "乡村学习点电商直播培训走进横街镇", "学校电子商务专业教师团队走进横街镇乡村学习点，为 32 名农户开展电商直播培训，"
     "现场指导搭建直播间、拍摄农产品短视频。", ("直播间搭建实训", "农产品短视频拍摄"), 395, "published"),
    ("zj3", "职教中心送教下乡：家政服务技能培训", "瓯海区职业教育中心组织家政专业教师到娄桥街道开展家政服务技能培训。",
     ("培训现场",), 410, "returned"),
    ("sc2", "安州区社区老年学校书法班结业", "绵阳市安州区职业中学承办的社区老年学校书法班结业，28 名学员展示了一学期的作品。",
     ("学员作品展",), 440, "waiting"),
    ("zj2", "第二年项目实施中期小结（草稿）", "", (), 445, "draft"),
)
SHOWCASE_RETURN_REASON = "照片中可辨认学员正面肖像，请征得本人同意或更换照片，并在正文中补充培训的时间和人次。"
SHOWCASE_FEATURED_NOTE = "社区学院分院和乡村学习点布局合理，老年人智能手机应用课程有特色。"


def demo_photo(caption: str, n: int) -> SimpleUploadedFile:
    """A JPEG as a phone takes it (2400 × 1600, with the camera's EXIF and GPS of 宁波), drawn by
    Pillow: a sky, a building and people. The portal strips the metadata when it is uploaded."""
    from PIL import ExifTags

    image = Image.new("RGB", (2400, 1600), (120 + 20 * (n % 4), 170, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 1100, 2400, 1600], fill=(110, 150, 90))
    draw.rectangle([300 + 80 * n, 500, 1500 + 80 * n, 1100], fill=(200, 190, 170), outline=(90, 80, 70), width=8)
    for x in range(5):
        draw.ellipse([400 + 320 * x, 1150, 520 + 320 * x, 1270], fill=(230, 190, 150))
        draw.rectangle([410 + 320 * x, 1270, 510 + 320 * x, 1480], fill=(60 + 30 * x, 90, 160))
    draw.text((60, 60), caption, fill="black")
    exif = Image.Exif()
    exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = "DemoPhone", "Demo 12"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (29.0, 52.0, 12.0),
                                  ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (121.0, 33.0, 2.0)}  # fmt: skip
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif)
    return SimpleUploadedFile(f"IMG_20{n:02d}.jpg", buffer.getvalue(), content_type="image/jpeg")


def ensure(model, *, defaults, **lookup):
    """The row `lookup` finds, created with `defaults`, or updated where it differs from them.
    Unlike update_or_create it saves nothing when nothing differs, so a second run writes no
    row, no history record and no new `updated_at`."""
    obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
    changed = [] if created else [name for name, value in defaults.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, defaults[name])
        obj.save(update_fields=changed)
    return obj


# The rows the services stamp with the clock rather than the `now` they are given (auto_now_add
# or a default of timezone.now), and the field that holds the stamp.
CLOCK_STAMPED = (
    (TimelineEntry, "at"), (ExperimentSchool, "created_at"), (ExperimentLogEntry, "at"), (Activity, "created_at"),
    (AnnualReport, "created_at"),
)  # fmt: skip
# The rows whose stamp of the clock (auto_now) is renewed on every save, and the field.
CLOCK_RENEWED = ((AnnualReport, "updated_at"), (ReportDeadline, "updated_at"))


@contextmanager
def dated(moment: datetime | None):
    """A step of the past, taken on `moment` (Beijing time, naive or aware): yields it, aware, as
    the `now` to pass to the service. The services take `now` for their rules, but some rows they
    write are stamped with the clock (CLOCK_STAMPED: timeline rows, a new 实验校 and its first log
    row, an activity, a report; CLOCK_RENEWED: a report's or a due date's last save); for display,
    those written inside the block are dated `moment` afterwards. With None (a step of today),
    yields None: the services use the clock, and nothing is redated."""
    if moment is None:
        yield None
        return
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    since = {model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model, _field in CLOCK_STAMPED}
    began = timezone.now()
    yield moment
    for model, field in CLOCK_STAMPED:
        model.objects.filter(pk__gt=since[model]).update(**{field: moment})
    for model, field in CLOCK_RENEWED:  # saved inside the block: stamped since it began
        model.objects.filter(**{f"{field}__gte": began}).update(**{field: moment})


class Command(BaseCommand):
    help = "建立演示数据（第二批实验校申报、浙江省推荐渠道、各省学校、第一批实验校的实验周期与各角色演示账号）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--password", help="所有演示账号的密码；不提供时随机生成并打印。")

    def handle(self, *args, password=None, **options):
        generated = password is None
        password = password or secrets.token_urlsafe(9)
        with transaction.atomic():
            batch, windows = self.batch_and_windows()
            schools = self.schools()
            users = self.users(password, schools, windows)
            self.applications(batch, schools, users)
            self.national_review(batch, schools, users)
            first = self.first_batch(schools, users)
            self.experiment_cycle(first, schools, users)
            self.certificates(first, schools, users)
            self.evaluation_round(first, schools, users)
            self.evaluation_results(first, schools, users)
            self.showcase_posts(first, schools, users)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        self.stdout.write("演示账号：demo-school、demo-province（浙江）、demo-staff、demo-expert、demo-admin（超级管理员）")
        self.stdout.write(f"密码：{password}" + ("（随机生成，请记下）" if generated else ""))

    # ---- batches, schools, accounts ------------------------------------------------------

    def batch_and_windows(self):
        # The real deadlines were 2023-04-28 (national) and 2023-04-20 (Zhejiang); the demo keeps
        # their gap of eight days but moves them 60 days ahead of today.
        today = timezone.localdate()
        national_deadline = timezone.make_aware(datetime.combine(today + timedelta(days=60), time(23, 59, 59)))
        batch = ensure(
            Batch,
            document_number="中成协〔2023〕010号",
            defaults={
                "title": "关于申报“职业院校服务全民终身学习项目”第二批实验校的通知",
                "short_name": "第二批实验校",
                "year": 2023,
                "issued_on": date(2023, 3, 14),
                "national_deadline": national_deadline,
                "allow_direct": True,
                "is_open": True,
                **PROJECT_GROUP_CONTACT,
                "summary": "中国成人教育协会决定在全国遴选“职业院校服务全民终身学习项目”第二批实验校。全国各职业院校（职教中心）及相关单位均可申报，实验周期三年，实施 1–2 个具体项目。",
            },
        )
        zhejiang = ensure(
            Association,
            province=Province.objects.get(code="330000"),
            defaults={"name": "浙江省成人教育与职业教育协会", "address": "杭州市教工路 42 号 A803", "email": "zj_czjxh@163.com"},
        )
        jiangsu = ensure(Association, province=Province.objects.get(code="320000"), defaults={"name": "江苏省成人教育协会"})
        windows = {
            "zj": ensure(
                ProvincialWindow,
                batch=batch,
                association=zhejiang,
                defaults={
                    "forwarding_number": "浙成职协〔2023〕6号",
                    "school_deadline": national_deadline - timedelta(days=8),
                    **ZHEJIANG_CONTACT,
                    "paper_address": "杭州市教工路 42 号 A803（请寄顺丰）",
                    "paper_required": True,
                },
            ),
            "js": ensure(
                ProvincialWindow,
                batch=batch,
                association=jiangsu,
                defaults={"school_deadline": national_deadline - timedelta(days=6), "contact_name": "孙老师", "contact_phone": "025-83335566"},
            ),
        }
        return batch, windows

    def schools(self):
        schools = {}
        for n, (key, name, province, kind, address, postcode, *_lead) in enumerate(SCHOOLS):
            schools[key] = ensure(
                School,
                name=name,
                defaults={
                    "province_id": province,
                    "school_type": kind,
                    "address": address,
                    "postcode": postcode,
                    "contact_email": f"{key}@demo.example.cn",
                    "contact_mobile": f"1390000{n:04d}",
                },
            )
        return schools

    def users(self, password, schools, windows):
        specs = {
            "demo-school": {"role": Role.SCHOOL, "school": schools["zj1"], "last_name": "许", "first_name": "老师"},
            "demo-province": {"role": Role.PROVINCE, "association": windows["zj"].association, "last_name": "周", "first_name": "依依"},
            "demo-staff": {"role": Role.STAFF, "is_staff": True, "last_name": "彭", "first_name": "老师"},
            "demo-admin": {"role": Role.ADMIN, "is_staff": True, "is_superuser": True, "last_name": "管理员", "first_name": ""},
        }
        for key in schools:
            if key != "zj1":
                specs[f"demo-school-{key}"] = {"role": Role.SCHOOL, "school": schools[key], "last_name": "联系人", "first_name": ""}
        for username, last, first, *_rest in EXPERTS:
            specs[username] = {"role": Role.EXPERT, "last_name": last, "first_name": first}
        users = {}
        for username, fields in specs.items():
            user = ensure(User, username=username, defaults={"email": f"{username}@demo.example.cn", "is_active": True, **fields})
            if not user.check_password(password):  # the same password again: nothing to write
                user.set_password(password)
                user.save(update_fields=["password"])
            users[username] = user
        users["demo-staff"].groups.add(sync_staff_group())
        for username, _last, _first, institution, province, expertise in EXPERTS:
            profile = ensure(ExpertProfile, user=users[username], defaults={"institution": institution, "province_id": province, "is_active": True})
            profile.expertise.set(ProjectCategory.objects.filter(code__in=expertise))
        return users

    @staticmethod
    def school_user(users, key):
        return users["demo-school" if key == "zj1" else f"demo-school-{key}"]

    # ---- the school's steps --------------------------------------------------------------

    def posted_form(self, application, n: int, *, content: str, now=None) -> dict:
        """What the school types into the edit page, as the page posts it: "complete" (ready to
        submit), "partial" (a short plan), or "empty" (the lead, the liaison and one team row)."""
        _key, name, _p, _t, _a, _pc, lead_name, lead_title = SCHOOLS[n]
        complete = content == "complete"
        data = {
            "revision": str(application.revision),
            "route": application.route,
            "lead_name": lead_name,
            "lead_title": lead_title,
            "lead_mobile": f"1380000{n:04d}",
            "lead_title_note": "" if "副" in lead_title else "学校副校长岗位空缺，由分管社会培训的教务处处长牵头。",
            "liaison_name": "何晓东",
            "liaison_title": "继续教育学院办公室主任",
            "liaison_mobile": f"1370000{n:04d}",
        }
        if content != "empty":
            data.update(demo_plan(name, repeat=5 if complete else 1))
        if complete:
            data.update(
                {
                    "pledge_signatory": lead_name,
                    "pledge_accept": "on",
                    "unit_opinion": "同意申报，学校将在人员、经费、场地等方面给予保障。",
                    "supervisor_name": f"{application.school.province.name[:2]}教育厅（局）职业教育处",
                }
            )
        categories = list(ProjectCategory.objects.filter(is_other=False).order_by("position"))
        data["projects"] = [str(c.pk) for c in categories[n % 5 : n % 5 + (2 if complete else 1)]]
        members = [
            (lead_name, lead_title, "校领导", f"1380000{n:04d}", "项目总负责"),
            ("何晓东", "讲师", "继续教育学院", f"1370000{n:04d}", "项目对接与日常管理"),
            ("刘芳", "副教授", "社区教育中心", f"1360000{n:04d}", "课程开发"),
        ]
        if content == "empty":
            members = members[:1]
        # New rows only: the demo fills in drafts nobody has saved yet (see applications()).
        data.update({"team-TOTAL_FORMS": str(len(members)), "team-INITIAL_FORMS": "0", "team-MIN_NUM_FORMS": "0", "team-MAX_NUM_FORMS": "30"})
        for i, member in enumerate(members):
            data.update({f"team-{i}-{field}": value for field, value in zip(TeamMemberForm.Meta.fields, member)})
        return data

    def save_draft(self, application, n: int, actor, *, content: str, now=None) -> Application:
        """Save the school's draft through the edit page's form and team table."""
        data = self.posted_form(application, n, content=content, now=now)
        form = ApplicationForm(data, instance=application)
        formset = team_formset(application=application, data=data)
        if not (form.is_valid() and formset.is_valid()):
            # The demo's content no longer fits the form: say so rather than store it around the form.
            raise CommandError(f"演示数据 {application.school.name} 未通过申请表的校验：{form.errors.as_text()} {formset.errors}")
        return application_save_draft(application=application, form=form, team_formset=formset, actor=actor,
                                      expected_revision=form.cleaned_data.get("revision"), now=now)  # fmt: skip

    def submitted(self, batch, n, school, actor, *, dates=None) -> Application:
        """Open, fill in, upload the signed scan and submit, as the school does on its pages.
        With `dates` (a past batch), each step carries its day."""
        dates = dates or {}
        with dated(dates.get("created")):
            application = application_get_or_create(batch=batch, school=school, actor=actor)
        with dated(dates.get("saved")) as moment:
            application = self.save_draft(application, n, actor, content="complete", now=moment)
        with dated(dates.get("scanned")) as moment:
            # One photo a page of the printed form, as a school photographs it (issue 17: the scan as
            # several pages), so the demo's scans carry no page-count warning.
            pages = self.form_pages(application)
            photos = [scan_image(f"{application.number} 第 {n} 页", name=f"第{n}页.png") for n in range(1, pages + 1)]
            scan = scan_upload(application=application, uploaded_files=photos, actor=actor)
            if moment is not None:  # shown beside the scan: the day it was uploaded
                SignedScan.objects.filter(pk=scan.pk).update(uploaded_at=moment)
        with dated(dates.get("submitted")) as moment:
            return submit(application=application, actor=actor, now=moment)

    def form_pages(self, application) -> int:
        """How many pages the printed form has (the demo's complete forms all have the same), laid
        out once a run."""
        if getattr(self, "_form_pages", None) is None:
            self._form_pages = generated_page_count(application_pdf(application, show_group_opinion=False)) or 1
        return self._form_pages

    def applications(self, batch, schools, users):
        """The current batch: every school's application in the state CURRENT_STATES gives it."""
        reviewer = users["demo-province"]
        for n, (key, *_rest) in enumerate(SCHOOLS):
            school = schools[key]
            actor = self.school_user(users, key)
            existing = Application.objects.filter(batch=batch, school=school).first()
            if existing is not None and existing.revision:
                continue  # filled in by an earlier run (or by a person since): leave it
            state = CURRENT_STATES[key]
            if state in ("partial", "empty"):
                application = application_get_or_create(batch=batch, school=school, actor=actor)
                self.save_draft(application, n, actor, content=state)
                continue
            application = self.submitted(batch, n, school, actor)
            if state == "recommended":
                province_recommend(
                    application=application, actor=reviewer, rank=next_free_rank(window_for(batch, school.province)),
                    opinion="学校领导重视，项目方案扎实，特色鲜明，同意推荐。",
                )  # fmt: skip
                province_mark_paper_received(application=application, actor=reviewer, received_on=timezone.localdate())
            elif state == "returned":
                province_return(application=application, actor=reviewer, reason="负责人非副校长，请补充说明由校领导牵头的项目领导小组情况，并补盖上级主管部门公章。")
            elif state == "declined":
                province_decline(application=application, actor=reviewer, reason="实验方案与本地社区教育需求结合不够，本批次暂不推荐。")
        drafts = Application.objects.filter(batch=batch, status=Status.DRAFT).count()
        self.stdout.write(f"本批次申请表：{Application.objects.filter(batch=batch).count()} 份，其中草稿 {drafts} 份。")

    # ---- the project group's and the experts' steps --------------------------------------

    def score(self, assignment, *, now=None, low: bool = False) -> None:
        """Score an assignment as its expert would: good marks, or weaker ones with `low`."""
        criteria = expert_scoring.criteria_of(assignment.application.batch)
        # Experts differ a little from each other, as they do.
        share = Decimal("0.55" if low else "0.78") + Decimal(assignment.expert_id % 4) * Decimal("0.05")
        points = {c.pk: (c.max_points * share * 2).quantize(Decimal("1")) / 2 for c in criteria}
        expert_scoring.review_save(
            assignment=assignment, expert=assignment.expert, points=points, submit=True, now=now,
            recommendation="no" if low else "yes",
            comment="方案目标明确、步骤清晰，与区域社区教育需求结合紧密，团队分工合理。" if not low else "方案内容较笼统，实施步骤与保障措施需要细化。",
        )  # fmt: skip

    def take_through_review(self, application, state, staff, *, dates=None) -> None:
        """Formal check, assignment, scores and decision up to `state`. With `dates` (a past
        batch), each step carries its day."""
        dates = dates or {}
        with dated(dates.get("checked")) as moment:
            formal_check.formal_check_decide(application=application, actor=staff, outcome="passed", seals_present=True,
                                             seals_legible=True, consistent=True, now=moment)  # fmt: skip
        if state == "formal":
            return
        with dated(dates.get("assigned")):
            expert_assignment.assignment_apply(batch=application.batch, actor=staff)
            if state in ("partly_scored", "assigned"):
                self.demo_expert_and_a_conflict(application, staff)
        assignments = list(Assignment.objects.filter(application=application, is_active=True).select_related("expert", "application__batch"))
        with dated(dates.get("scored")) as moment:
            for assignment in assignments:
                if state == "assigned" or (state == "partly_scored" and assignment.expert.username != "demo-expert"):
                    continue
                self.score(assignment, now=moment, low=state == "not_selected")
        if state in ("selected", "not_selected"):
            with dated(dates.get("decided")) as moment:
                decisions.decide(application=application, actor=staff, selected=state == "selected",
                                 opinion="经专家评审，同意列为实验校。" if state == "selected" else "经专家评审，本批次暂不列入。",
                                 opinion_date=timezone.localdate(moment) if moment else None)  # fmt: skip

    def demo_expert_and_a_conflict(self, application, staff) -> None:
        """demo-expert gets this application (staff assign them by hand when the automatic run
        did not), and another of its experts declares a conflict instead of scoring; a
        replacement is assigned if the application is left short."""
        demo = User.objects.get(username="demo-expert")
        if not Assignment.objects.filter(application=application, expert=demo, is_active=True).exists():
            expert_assignment.assignment_add(application=application, expert=demo, actor=staff, reason="项目组指定 demo-expert 评审")
        other = Assignment.objects.filter(application=application, is_active=True).exclude(expert=demo).select_related("expert").order_by("pk").first()
        expert_assignment.expert_declare_conflict(assignment=other, expert=other.expert, reason="本人曾为该校社区教育项目提供咨询服务，申请回避。")

    def national_review(self, batch, schools, users):
        """The direct applications of the current batch at every national step."""
        rubric.rubric_ensure_default(batch)
        staff = users["demo-staff"]
        for key, state in NATIONAL_STATES.items():
            application = Application.objects.get(batch=batch, school=schools[key])
            if application.status == Status.AT_NATIONAL:  # not yet taken through by an earlier run
                self.take_through_review(application, state, staff)

    def first_batch(self, schools, users):
        """The first batch (2022), closed: Zhejiang forwarded two recommended schools, two others
        applied directly; the project group checked, had them scored, selected all four and
        published the list, each step on its day of 2022 moved by first_batch_shift (an earlier
        run's batch keeps the days it was played on)."""
        played = Batch.objects.filter(document_number="中成协〔2022〕012号").only("issued_on").first()
        shift = played.issued_on - FIRST_BATCH_ISSUED_ON if played else first_batch_shift(timezone.localdate())
        steps = {step: moment + shift for step, moment in FIRST_BATCH_DATES.items()}
        national_deadline = timezone.make_aware(FIRST_BATCH_DEADLINE + shift)
        batch = ensure(
            Batch,
            document_number="中成协〔2022〕012号",
            defaults={
                "title": "关于申报“职业院校服务全民终身学习项目”第一批实验校的通知",
                "short_name": "第一批实验校",
                "year": 2022,
                "issued_on": FIRST_BATCH_ISSUED_ON + shift,
                "national_deadline": national_deadline,
                "allow_direct": True,
                **PROJECT_GROUP_CONTACT,
            },
        )
        window = ensure(
            ProvincialWindow,
            batch=batch,
            association=Association.objects.get(province_id="330000"),
            defaults={
                "forwarding_number": "浙成职协〔2022〕5号",
                "school_deadline": national_deadline - timedelta(days=8),
                **ZHEJIANG_CONTACT,
                "paper_address": "杭州市教工路 42 号 A803（请寄顺丰）",
                "paper_required": True,
            },
        )
        if Forwarding.objects.filter(window=window).exists():
            return batch  # played out by an earlier run
        # Played out as it happened in 2022, while the batch was open; staff close it at the end,
        # as they do in admin.
        batch.is_open = True
        batch.save(update_fields=["is_open"])
        reviewer, staff = users["demo-province"], users["demo-staff"]
        keys = [k for k, *_r in SCHOOLS]
        for rank, key in enumerate(FIRST_BATCH_FORWARDED, start=1):
            application = self.submitted(batch, keys.index(key), schools[key], self.school_user(users, key), dates=steps)
            with dated(steps["recommended"]) as moment:
                province_recommend(application=application, actor=reviewer, rank=rank, opinion="同意推荐。", now=moment)
            if key in FIRST_BATCH_PAPER_RECEIVED:
                with dated(steps["recommended"]):
                    province_mark_paper_received(application=application, actor=reviewer, received_on=FIRST_BATCH_PAPER_RECEIVED[key] + shift)
        for key in FIRST_BATCH_DIRECT:
            self.submitted(batch, keys.index(key), schools[key], self.school_user(users, key), dates=steps)
        with dated(steps["forwarded"]) as moment:
            province_forward(window=window, actor=reviewer, now=moment)
            copy = {**FIRST_BATCH_COPY, "copied_on": FIRST_BATCH_COPY["copied_on"] + shift}
            province_record_copy(window=window, actor=reviewer, now=moment + timedelta(days=1), **copy)
        rubric.rubric_ensure_default(batch)
        for key in FIRST_BATCH_FORWARDED + FIRST_BATCH_DIRECT:
            application = Application.objects.get(batch=batch, school=schools[key])
            self.take_through_review(application, "selected", staff, dates=steps)
        with dated(steps["filed"]) as moment:
            decisions.file_list(batch=batch, actor=staff, note="报中国成人教育协会秘书处", now=moment)
        meeting_on = steps["published"].date()
        with dated(steps["published"]) as moment:
            # Publication makes the four schools 实验校 (programme.experiment_schools, on list_published).
            decisions.publish(batch=batch, actor=staff, meeting=FIRST_BATCH_MEETING.format(year=meeting_on.year),
                              meeting_on=meeting_on, now=moment)  # fmt: skip
        batch.is_open = False
        batch.save(update_fields=["is_open"])
        return batch

    # ---- the 实验周期 of the first batch ---------------------------------------------------

    def experiment_cycle(self, batch, schools, users):
        """The first batch's 实验校 in year 2 of their cycle (notice 五, 七.7), every step through the
        programme's services on its day, counted from the cycle's start: an online training (year
        1) and a seminar at a venue (year 2) held, attended and closed, with a leave request accepted
        and one refused; zj2's team changed once; js2's request to leave acknowledged; and an
        activity in three weeks, with registrations and a leave request waiting; the 年度工作报告 of
        year 1 filed, reviewed and reminded about, one of year 2 begun. What each school shows:
        FIRST_BATCH_FATES and FIRST_BATCH_REPORTS. Played once: a later run finds the training and
        leaves it all."""
        if Activity.objects.filter(title=TRAINING_TITLE).exists():
            return  # played by an earlier run
        experiment_schools_create_for(batch=batch)  # makes none, unless the list was published before the programme app
        member = {key: ExperimentSchool.objects.get(batch=batch, school=schools[key]) for key in FIRST_BATCH_FORWARDED + FIRST_BATCH_DIRECT}
        starts, ends = member["zj2"].cycle_starts_on, member["zj2"].cycle_ends_on
        today = timezone.localdate()
        if not (starts + timedelta(days=EXPERIMENT_STORY_DAYS) < today and today + timedelta(days=UPCOMING_IN_DAYS) <= ends):
            # A database seeded before the first batch's dates were moved (its cycle is over): the
            # story does not fit today's calendar, and the batch's past cannot be rewritten.
            self.stdout.write(f"第一批实验校的实验周期（{starts:%Y-%m-%d} 至 {ends:%Y-%m-%d}）与今天不符（数据库由旧版 seed_demo 建立），"
                              f"未建立实验周期的演示数据；删除数据库后重新运行 seed_demo 即可。")  # fmt: skip
            return
        staff = users["demo-staff"]
        user = {key: self.school_user(users, key) for key in member}

        def day(n: int, hour: int, minute: int = 0) -> datetime:
            """Day `n` of the cycle (0: the 项目工作会议) at hour:minute, Beijing time."""
            return timezone.make_aware(datetime.combine(starts + timedelta(days=n), time(hour, minute)))

        # Year 1: an online training. zj2 and zj3 take part (the meeting platform's list imported);
        # js2 is excused; sc2 never answers: its first absence, and a warning.
        training = self.activity(batch, staff, kind=ActivityKind.TRAINING, title=TRAINING_TITLE, starts_at=day(126, 14),
                                 hours=3, online_url="https://meeting.example.cn/caea-training-2",
                                 agenda="一、项目实施方案的细化与任务分解\n二、社区（乡村）学习需求调查的方法\n三、线上课程资源建设规范")  # fmt: skip
        self.attendees(training, member["zj2"], user["zj2"], now=day(108, 10))
        self.attendees(training, member["zj3"], user["zj3"], now=day(109, 15), count=1)
        self.leave(training, member["js2"], user["js2"], staff, reason="同期承办全省中职学校技能大赛，项目小组成员均在赛场。",
                   accept=True, now=day(110, 9))  # fmt: skip
        attendance.attendance_import(activity=training, actor=staff, school_names=[schools["zj2"].name, schools["zj3"].name],
                                     now=day(126, 17, 30))  # fmt: skip
        attendance.activity_close(activity=training, actor=staff, now=day(127, 10))

        # A new member replaces one who left the 项目小组 of zj2 (its only change of team).
        zj2 = member["zj2"]
        rows = [MemberRow(m.name, m.title, m.department, m.mobile, m.duty) for m in zj2.team.all()]
        rows[-1] = MemberRow("陈静", "讲师", "社区教育中心", "13500000001", f"课程开发（接替{rows[-1].name}）")
        team_update(experiment_school=zj2, actor=user["zj2"], lead_name=zj2.lead_name, lead_title=zj2.lead_title,
                    lead_mobile=zj2.lead_mobile, lead_title_note=zj2.lead_title_note, liaison_name=zj2.liaison_name,
                    liaison_title=zj2.liaison_title, liaison_mobile=zj2.liaison_mobile, members=rows, now=day(203, 10))  # fmt: skip

        # Year 2: a seminar at a venue. zj2 checks in with the code, staff mark js2 present; zj3's
        # leave is refused and nobody comes (its first absence: warned); sc2 registers but nobody
        # comes (its second in a row: the staff queue).
        seminar = self.activity(batch, staff, kind=ActivityKind.SEMINAR, title=SEMINAR_TITLE, starts_at=day(392, 9), hours=8,
                                place="北京市海淀区 中国成人教育协会第一会议室",
                                agenda="一、各实验校汇报第一年项目实施进展\n二、专家点评与业务指导\n三、部署第二年工作与年度工作报告")  # fmt: skip
        zj2_invitation = self.attendees(seminar, member["zj2"], user["zj2"], now=day(373, 10))
        self.attendees(seminar, member["js2"], user["js2"], now=day(374, 11), count=1)
        self.attendees(seminar, member["sc2"], user["sc2"], now=day(375, 16), count=1)
        self.leave(seminar, member["zj3"], user["zj3"], staff, reason="学校同期迎接省教育厅中职学校办学水平评估，无法派员参会。",
                   accept=False, note="本次会议交流第一年实施进展并部署第二年工作，请贵校另派项目小组成员参会。", now=day(376, 9))  # fmt: skip
        attendance.checkin(invitation=zj2_invitation, actor=user["zj2"], code=seminar.checkin_code,
                           attendee=zj2_invitation.attendees.first().pk, now=day(392, 9, 5))  # fmt: skip
        attendance.attendance_mark(invitation=seminar.invitations.get(experiment_school=member["js2"]), actor=staff, now=day(392, 9, 20))
        attendance.activity_close(activity=seminar, actor=staff, now=day(393, 10))

        # Year 1's 年度工作报告, due as the project group set them; one reminder run before the date
        # (FIRST_BATCH_REPORTS). Played before js2 leaves: it is reminded while still 实验中.
        self.reports_of_year_1(batch, member, user, staff, day)

        # js2 asks to leave, with its signed letter (七.7: 实验校有退出项目实施的权力); staff acknowledge it.
        request = exits.withdrawal_request(
            experiment_school=member["js2"], actor=user["js2"], now=day(420, 10), letter=scan_image("退出申请函", name="退出申请函.png"),
            reason="学校内设机构调整，社区教育工作划归区社区学院统筹，经校长办公会研究，申请退出项目实施。",
        )  # fmt: skip
        exits.withdrawal_acknowledge(request=request, actor=staff, now=day(423, 15))

        # Year 2's report: zj2 has begun it, a draft half written (FIRST_BATCH_REPORTS).
        self.report_of_year_2(member["zj2"], user["zj2"], day)

        # In three weeks: an exchange meeting, registration open. zj2 and zj3 have registered;
        # sc2 asks for leave, which waits for the project group.
        first_day = timezone.make_aware(datetime.combine(today + timedelta(days=UPCOMING_IN_DAYS), time(9, 30)))
        exchange = self.activity(batch, staff, kind=ActivityKind.EXCHANGE, title=EXCHANGE_TITLE, starts_at=first_day, hours=7,
                                 place="浙江省杭州市西湖区学院路 88 号 浙江示范职业技术学院报告厅",
                                 online_url="https://meeting.example.cn/caea-exchange-2", past=False,
                                 agenda="一、实验校典型经验交流\n二、社区教育课程资源共建共享\n三、参观学校社区学院分院")  # fmt: skip
        self.attendees(exchange, member["zj2"], user["zj2"])
        self.attendees(exchange, member["zj3"], user["zj3"], count=1)
        self.leave(exchange, member["sc2"], user["sc2"], staff, reason="同期承办全市社区教育活动周，学校负责人需在现场。")
        self.stdout.write(f"第一批实验校（实验周期自 {starts:%Y-%m-%d} 起，今天为第 {member['zj2'].cycle_year(today)} 年）：")
        for key, fate in FIRST_BATCH_FATES.items():
            self.stdout.write(f"  {schools[key].name}（{self.school_user(users, key).username}）：{fate}；{FIRST_BATCH_REPORTS[key]}")

    def activity(self, batch, staff, *, kind, title, starts_at, hours, place="", online_url="", agenda="", past=True):
        """Staff create an activity that counts for 七.7 (registration closing a week before, two a
        school) and invite the batch's 实验校: a past one three weeks before it, on that day; an
        upcoming one (`past=False`) today."""
        with dated(starts_at - timedelta(days=21) if past else None) as moment:
            activity = activities.activity_create(
                actor=staff, kind=kind, title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                registration_deadline=starts_at - timedelta(days=7), place=place, online_url=online_url, agenda=agenda,
                max_attendees_per_school=2, counts_for_attendance=True,
            )  # fmt: skip
            activities.activity_invite(activity=activity, actor=staff, batches=[batch], now=moment)
        return activity

    def attendees(self, activity, experiment_school, actor, *, now=None, count=2):
        """The school's 回执: its 负责人 and, with count=2, its 项目对接人."""
        people = [activities.AttendeeRow(experiment_school.lead_name, experiment_school.lead_title, experiment_school.lead_mobile),
                  activities.AttendeeRow(experiment_school.liaison_name, experiment_school.liaison_title, experiment_school.liaison_mobile)]  # fmt: skip
        invitation = activity.invitations.get(experiment_school=experiment_school)
        return activities.invitation_register(invitation=invitation, actor=actor, attendees=people[:count], now=now)

    def leave(self, activity, experiment_school, actor, staff, *, reason, accept=None, note="", now=None):
        """The school asks for leave on `now`; with `accept`, staff decide the next day."""
        invitation = activity.invitations.get(experiment_school=experiment_school)
        invitation = activities.invitation_request_leave(invitation=invitation, actor=actor, reason=reason, now=now)
        if accept is not None:
            activities.leave_decide(invitation=invitation, actor=staff, accept=accept, note=note, now=now + timedelta(days=1))
        return invitation

    # ---- the 年度工作报告 of the first batch ---------------------------------------------------

    def reports_of_year_1(self, batch, member, user, staff, day):
        """The reports of cycle year 1 through programme.reports, each step on its cycle day: the
        project group sets the batch's due dates (REPORT_DUE_DAYS, years 1 and 2); zj2 writes, adds
        photos and an attachment, submits, and is accepted with a comment (业务指导); zj3 submits
        and is returned with REPORT_RETURN_REASON, then saves a revision it has not resubmitted;
        send_report_reminders runs once, three days before the date, and reminds the two schools
        that have not submitted (sc2, js2); sc2 submits on the last day and the project group
        assigns it to demo-expert. js2 files nothing before it leaves."""
        expert = User.objects.get(username="demo-expert")
        for year, cycle_day in REPORT_DUE_DAYS.items():
            with dated(day(300, 10)):
                reports.report_deadline_set(batch=batch, year=year, due_at=day(cycle_day, 17), actor=staff)

        zj2 = self.report_started(member["zj2"], 1, user["zj2"], day(340, 9))
        self.report_written(zj2, user["zj2"], day(345, 16), numbers=(1860, None, 1340, None, None, None, None))
        for n, (kind, name, caption) in enumerate(REPORT_FILES):
            with dated(day(352, 10, 10 * n)) as moment:
                reports.report_attachment_add(report=zj2, kind=kind, uploaded_file=scan_image(caption, name=name), caption=caption,
                                              actor=user["zj2"], now=moment)  # fmt: skip
        self.report_written(zj2, user["zj2"], day(358, 15), numbers=(1860, 920, 1340, 610, 150, 420, 80), other="社区残疾人及其家属")
        zj2 = self.report_submitted(zj2, user["zj2"], day(360, 10))
        with dated(day(368, 10)) as moment:
            reports.report_comment(report=zj2, actor=staff, body=REPORT_COMMENT, now=moment)
        with dated(day(368, 10, 30)) as moment:
            reports.report_accept(report=zj2, actor=staff, now=moment)

        zj3 = self.report_started(member["zj3"], 1, user["zj3"], day(350, 14))
        self.report_written(zj3, user["zj3"], day(366, 16), numbers=(900, 1200, 300, 0, 40, 60, 0))
        self.report_submitted(zj3, user["zj3"], day(372, 14))

        with dated(day(REPORT_DUE_DAYS[1] - 2, 8)) as moment:  # the daily run at 08:00, within its 3 days
            reports.send_report_reminders(days=3, now=moment)
        with dated(day(378, 10)) as moment:
            reports.report_return(report=zj3, actor=staff, reason=REPORT_RETURN_REASON, now=moment)

        sc2 = self.report_started(member["sc2"], 1, user["sc2"], day(378, 9))
        self.report_written(sc2, user["sc2"], day(379, 11), numbers=(450, 1300, 520, 80, 210, 30, 0))
        self.report_submitted(sc2, user["sc2"], day(379, 16, 30))
        with dated(day(383, 10)) as moment:
            reports.report_reviewers_assign(reports=[sc2], expert=expert, actor=staff, now=moment)

        # After the seminar, zj3 revises the figures it was asked to check; not resubmitted yet.
        self.report_written(zj3, user["zj3"], day(405, 15), numbers=(900, 420, 300, 0, 40, 60, 0))

    def report_of_year_2(self, experiment_school, actor, day):
        """zj2's report of year 2, begun in that year and saved half written: the first groups'
        numbers and its courses; the rest still empty."""
        report = self.report_started(experiment_school, 2, actor, day(436, 9))
        with dated(day(EXPERIMENT_STORY_DAYS, 16)):
            reports.report_save_draft(
                report=report, actor=actor, expected_revision=report.revision,
                values={reached_field(ReachedGroup.COMMUNITY): 1020, reached_field(ReachedGroup.ELDERLY): 760,
                        "courses_resources": "新建“乡村电商直播”“家庭急救常识”线上课程 2 门，社区学院分院课程菜单更新至 48 门。"},
                work={report.project_work.first().pk: "乡村学习点由 5 个增至 9 个，送教下乡 14 场。"},
            )  # fmt: skip

    @staticmethod
    def report_started(experiment_school, year, actor, moment):
        with dated(moment) as moment:
            return reports.report_start(experiment_school=experiment_school, year=year, actor=actor, now=moment)

    @staticmethod
    def report_written(report, actor, moment, *, numbers, other=""):
        """The school saves its report: `numbers` by group in the notice's order (None: left empty),
        who the 其它 are, each project's work and the four texts, as its edit page posts them."""
        values = {reached_field(group): n for group, n in zip(ReachedGroup.values, numbers)}
        values.update(
            reached_other_note=other,
            courses_resources="建成社区学院分院课程菜单 36 门，其中线上微课 22 门；编写《老年人智能手机应用》《乡村电商实务》校本教材 2 本。",
            training="开展社区教育工作者和送教志愿者培训 4 期 260 人次；面向乡村学习点开展电商直播、种养技术培训 6 期 180 人次。",
            problems="乡村学习点网络条件和场地不足，部分线上课程只能改为线下送教；服务人次的过程记录还不够规范。",
            next_plan="新增乡村学习点 4 个，完成 10 门课程的线上化，建立按群体统计服务人次的台账，参加项目组中期评估。",
        )
        work = {row.pk: REPORT_WORK[row.position % len(REPORT_WORK)] for row in report.project_work.all()}
        with dated(moment):
            current = AnnualReport.objects.get(pk=report.pk)
            return reports.report_save_draft(report=current, values=values, work=work, actor=actor, expected_revision=current.revision)

    @staticmethod
    def report_submitted(report, actor, moment):
        with dated(moment) as moment:
            return reports.report_submit(report=report, actor=actor, now=moment)

    def showcase_posts(self, batch, schools, users):
        """The first batch's 建设动态 through programme.showcase, each on its cycle day
        (SHOWCASE_POSTS): zj2's two published (the first featured on the home page, and zj2 itself
        featured), zj3's returned with SHOWCASE_RETURN_REASON, sc2's waiting for 审核, zj2's draft;
        photos drawn by Pillow with GPS, stripped on upload. Played once: a later run finds the
        first post and leaves it all."""
        if ShowcasePost.objects.filter(title=SHOWCASE_POSTS[0][1]).exists():
            return  # played by an earlier run
        member = {key: ExperimentSchool.objects.filter(batch=batch, school=schools[key]).first() for key in ("zj2", "zj3", "sc2")}
        if any(m is None or m.status != ExperimentStatus.ACTIVE for m in member.values()):
            return  # the 实验周期's story was not played (an old database): no 实验校 to write
        staff = users["demo-staff"]
        starts = member["zj2"].cycle_starts_on

        def day(n: int, hour: int, minute: int = 0) -> datetime:
            return timezone.make_aware(datetime.combine(starts + timedelta(days=n), time(hour, minute)))

        photo_number = 0
        for key, title, body, captions, cycle_day, fate in SHOWCASE_POSTS:
            author = self.school_user(users, key)
            post = showcase.post_create(experiment_school=member[key], title=title, body=body, actor=author, now=day(cycle_day, 9))
            for n, caption in enumerate(captions):
                photo_number += 1
                showcase.post_photo_add(post=post, uploaded_file=demo_photo(caption, photo_number), caption=caption, actor=author,
                                        now=day(cycle_day, 9, 10 + n))  # fmt: skip
            if fate == "draft":
                continue
            showcase.post_submit(post=post, actor=author, now=day(cycle_day, 10))
            if fate.startswith("published"):
                showcase.post_approve(post=post, actor=staff, now=day(cycle_day + 1, 15))
            if fate == "published_featured":
                showcase.post_feature(post=post, actor=staff, featured=True, now=day(cycle_day + 1, 15, 5))
                showcase.school_feature(experiment_school=member[key], actor=staff, note=SHOWCASE_FEATURED_NOTE, now=day(cycle_day + 1, 15, 6))
            if fate == "returned":
                showcase.post_return(post=post, actor=staff, reason=SHOWCASE_RETURN_REASON, now=day(cycle_day + 1, 11))

    # ---- 荣誉证书 (issue 16) ----------------------------------------------------------------

    def certificates(self, batch, schools, users):
        """The first batch's 荣誉证书 (notice 五: 颁发实验成果奖和荣誉证书), through programme's services:
        a 实验校 certificate for each 实验校 still in the programme, issued the day after the list's
        项目工作会议 (js2, which left, holds none); zj3's revoked with a reason (its verify page says
        so, with the date); and one award decision, 实验成果奖 一等奖 (zj2) and 二等奖 (zj3), issued
        at once through the certificates' job, whose ZIP is on its page (listed on /programme/staff/certificates/awards/).
        The numbers to type into /verify/ are printed. Played once: a later run finds the batch's
        certificates and leaves them."""
        if Certificate.objects.filter(experiment_school__batch=batch).exists():
            return  # played by an earlier run
        member = {key: ExperimentSchool.objects.filter(batch=batch, school=schools[key]).first() for key in ("zj2", "zj3")}
        if None in member.values():
            return  # the cycle's story was not played (experiment_cycle says why)
        batch = member["zj2"].batch  # as published (the instance first_batch returned predates its publication)
        staff = users["demo-staff"]
        with dated(datetime.combine(member["zj2"].cycle_starts_on + timedelta(days=1), time(10, 0))) as moment:
            certificates.certificates_issue_for_batch(batch=batch, actor=staff, now=moment)
        revoked = Certificate.objects.get(experiment_school=member["zj3"], kind=CertificateKind.EXPERIMENT_SCHOOL)
        with dated(datetime.combine(member["zj2"].cycle_starts_on + timedelta(days=15), time(16, 0))) as moment:
            certificates.certificate_revoke(certificate=revoked, actor=staff, now=moment,
                                            reason="颁发有误，本证书作废；以项目组另行颁发的证书为准。")  # fmt: skip
        winners = [("一等奖", member["zj2"], member["zj2"].projects.first()), ("二等奖", member["zj3"], member["zj3"].projects.first())]
        job = certificate_jobs.award_decision_issue(batch=batch, award_name="实验成果奖", levels=["一等奖", "二等奖", "三等奖"],
                                                    winners=winners, actor=staff, site_url=DEMO_SITE)  # fmt: skip
        job.refresh_from_db()
        if job.state != job.State.DONE:  # queued for the job worker: run it now, so the demo has its certificates (the worker finds it done)
            certificate_jobs.issue_and_zip_certificates.call(job.pk)
        valid = Certificate.objects.get(experiment_school=member["zj2"], kind=CertificateKind.EXPERIMENT_SCHOOL)
        self.stdout.write(f"荣誉证书（查验：{DEMO_SITE}verify/）：{schools['zj2'].name}的实验校证书 {valid.number}（有效）；"
                          f"{schools['zj3'].name}的 {revoked.number}（已撤销）；实验成果奖 一等奖、二等奖各一份。")  # fmt: skip

    # ---- 优质校评估 (issue 16) ---------------------------------------------------------------

    def evaluation_round(self, batch, schools, users):
        """The first batch's 优质校评估 (五: 项目评估：实验校提交项目优质校评估申报材料), its window over:
        the default 建设标准 published on cycle day 388, a round for 实验校 from year 2 on (the demo's
        calendar has no third year yet) open from day 396 09:00 to day 430 23:59, two experts a
        submission, scoring due on day 450; zj2 submitted on day 428 and zj3 in the last minutes
        (each with evidence and its signed declaration), sc2 left a draft it never submitted; js2
        had left. What each school shows: EVALUATION_SUBMISSIONS. It leaves no expert assigned, no
        score and no decision (the experts' and decisions' seeding adds those on top). Played once:
        a later run finds the round and leaves it all."""
        from programme import evaluation
        from programme.models import EvaluationRound, EvaluationSelfAssessment, EvaluationStandard, EvaluationSubmission

        if EvaluationRound.objects.filter(batch=batch, name=EVALUATION_ROUND_NAME).exists():
            return  # played by an earlier run
        member = {key: ExperimentSchool.objects.filter(batch=batch, school=schools[key]).first() for key in EVALUATION_SUBMISSIONS}
        if not all(member.values()) or not Activity.objects.filter(title=TRAINING_TITLE).exists():
            return  # the cycle's story was not played (an old database): neither is its evaluation
        starts = member["zj2"].cycle_starts_on
        if not starts + timedelta(days=EVALUATION_DAYS["review_deadline"]) < timezone.localdate():
            return

        def day(n: int, hour: int, minute: int = 0) -> datetime:
            return timezone.make_aware(datetime.combine(starts + timedelta(days=n), time(hour, minute)))

        staff = users["demo-staff"]
        standard = evaluation.standard_ensure_default(batch, published_at=day(EVALUATION_DAYS["standard"], 10))
        evaluation_round = evaluation.round_save(values={
            "standard": standard, "name": EVALUATION_ROUND_NAME, "opens_at": day(EVALUATION_DAYS["opens"], 9),
            "deadline": day(EVALUATION_DAYS["deadline"], 23, 59), "eligible_from_year": 2, "include_completed": True,
            "review_deadline": day(EVALUATION_DAYS["review_deadline"], 17), "experts_per_submission": 2,
        }, actor=staff)  # fmt: skip
        EvaluationStandard.objects.filter(pk=standard.pk).update(created_at=day(EVALUATION_DAYS["standard"] - 2, 15))
        EvaluationRound.objects.filter(pk=evaluation_round.pk).update(created_at=day(EVALUATION_DAYS["opens"] - 6, 11))
        for key, (started, written, submitted, texts) in EVALUATION_STEPS.items():
            actor = self.school_user(users, key)
            submission = evaluation.submission_start(evaluation_round=evaluation_round, experiment_school=member[key], actor=actor, now=day(*started))
            rows = evaluation.sync_assessments(submission)
            summary, *by_criterion = texts
            submission = evaluation.submission_save_draft(
                submission=submission, summary=summary, actor=actor, expected_revision=submission.revision, now=day(*written),
                texts={row.criterion_id: text for row, text in zip(rows, by_criterion)},
            )  # fmt: skip
            if submitted is not None:
                for position, (name, caption) in EVALUATION_EVIDENCE.get(key, {}).items():
                    evaluation.evidence_add(submission=submission, criterion_id=rows[position].criterion_id, caption=caption, actor=actor,
                                            uploaded_file=scan_image(caption, name=name), now=day(*written))  # fmt: skip
                submission = EvaluationSubmission.objects.get(pk=submission.pk)
                evaluation.declaration_upload(submission=submission, uploaded_file=scan_image(f"申报声明 版本码 {submission.version_code}",
                                              name="申报声明（签字盖章）.png"), actor=actor, now=day(*submitted))  # fmt: skip
                evaluation.submission_submit(submission=submission, actor=actor, now=day(*submitted))
            last = day(*(submitted or written))
            EvaluationSubmission.objects.filter(pk=submission.pk).update(created_at=day(*started), updated_at=last)
            EvaluationSelfAssessment.objects.filter(submission=submission).update(updated_at=day(*written))
        self.stdout.write(f"第一批实验校{EVALUATION_ROUND_NAME}（申报已于 {day(EVALUATION_DAYS['deadline'], 23, 59):%Y-%m-%d %H:%M} 截止）：")
        for key, state in EVALUATION_SUBMISSIONS.items():
            self.stdout.write(f"  {schools[key].name}：{state}")


    def evaluation_results(self, batch, schools, users):
        """The first batch's 优质校评估 finished, on top of evaluation_round(): two experts for each
        submitted 申报材料, assigned by the selection's rules two days after the window closed,
        scored before the scoring deadline (demo-expert among them); the project group's conclusions
        (EVALUATION_OUTCOMES) recorded the day after it and published the day after that, and
        宁波's 优质校 certificate issued through the certificates' job. Played once: a later run finds the round published."""
        from programme import evaluation_review
        from programme.models import EvaluationAssignment, EvaluationOutcome, EvaluationRound

        evaluation_round = EvaluationRound.objects.filter(batch=batch, name=EVALUATION_ROUND_NAME).first()
        if evaluation_round is None or evaluation_round.published_at is not None:
            return  # no round (an old database), or played by an earlier run
        if EvaluationAssignment.objects.filter(submission__round=evaluation_round).exists():
            return
        starts = ExperimentSchool.objects.get(batch=batch, school=schools["zj2"]).cycle_starts_on

        def day(n: int, hour: int, minute: int = 0) -> datetime:
            return timezone.make_aware(datetime.combine(starts + timedelta(days=n), time(hour, minute)))

        published_on = EVALUATION_DAYS["review_deadline"] + 2
        if not starts + timedelta(days=published_on) < timezone.localdate():
            return
        staff = users["demo-staff"]
        evaluation_review.evaluation_assign(evaluation_round=evaluation_round, actor=staff, now=day(EVALUATION_DAYS["deadline"] + 2, 10))
        criteria = evaluation_review.criteria_of_round(evaluation_round)
        assignments = EvaluationAssignment.objects.filter(submission__round=evaluation_round, is_active=True).select_related(
            "submission__experiment_school__school", "expert"
        ).order_by("submission_id", "expert_id")
        for n, assignment in enumerate(assignments):
            key = next(k for k, school in schools.items() if school.pk == assignment.submission.experiment_school.school_id)
            share = EVALUATION_SCORE_SHARES[key] + Decimal(n % 2) * Decimal("0.04")
            points = {c.pk: (c.max_points * share * 2).quantize(Decimal("1")) / 2 for c in criteria}
            evaluation_review.evaluation_review_save(
                assignment=assignment, expert=assignment.expert, points=points, comment=EVALUATION_EXPERT_COMMENTS[key], submit=True,
                now=day(EVALUATION_DAYS["deadline"] + 6 + n, 15),
            )  # fmt: skip
        for key, (outcome, opinion) in EVALUATION_OUTCOMES.items():
            submission = evaluation_round.submissions.get(experiment_school__school=schools[key])
            evaluation_review.evaluation_decide(submission=submission, outcome=outcome, opinion=opinion, actor=staff,
                                                now=day(EVALUATION_DAYS["review_deadline"] + 1, 10))  # fmt: skip
        evaluation_review.evaluation_publish(evaluation_round=evaluation_round, actor=staff, now=day(published_on, 10))
        job = certificate_jobs.quality_certificates_job(evaluation_round=EvaluationRound.objects.get(pk=evaluation_round.pk), actor=staff,
                                                        site_url=DEMO_SITE)  # fmt: skip
        job.refresh_from_db()
        if job.state != job.State.DONE:  # queued for the job worker: run it now (the worker finds it done)
            certificate_jobs.issue_and_zip_certificates.call(job.pk)
        Certificate.objects.filter(kind=CertificateKind.QUALITY_SCHOOL, experiment_school__batch=batch).update(issued_at=day(published_on, 15))
        self.stdout.write(f"{EVALUATION_ROUND_NAME}结果已于 {day(published_on, 10):%Y-%m-%d} 公布：" +
                          "；".join(f"{schools[k].name} {dict(EvaluationOutcome.choices)[o]}" for k, (o, _t) in EVALUATION_OUTCOMES.items()))

# ---- 优质校评估 (issue 16): the first batch's round, as evaluation_round() plays it ------------------

EVALUATION_ROUND_NAME = "第一批实验校项目优质校评估"
# Cycle days of the round: the 建设标准 published, the window, the experts' deadline.
EVALUATION_DAYS = {"standard": 388, "opens": 396, "deadline": 430, "review_deadline": 450}
# What each school's 申报材料 is, as README's demo table tells it.
EVALUATION_SUBMISSIONS = {
    "zj2": "已提交（佐证材料 2 个，申报声明与版本码一致）",
    "zj3": "已提交（截止当天 23:40 提交）",
    "sc2": "草稿，截止前未提交",
}
# Per school: (cycle day, hour[, minute]) started, last saved, submitted (None: never), and the
# summary followed by the self-assessment of each default criterion in its order.
EVALUATION_STEPS = {
    "zj2": ((400, 9), (426, 16), (428, 15), (
        "两年来，学校以社区学院分院和 9 个乡村学习点为依托，实施职业教育助力乡村振兴、老年教育赋能提质两个项目，累计服务居民 1.1 万人次，"
        "形成“分院＋学习点＋线上课堂”的服务模式。",
        "两个项目均按实施方案推进：乡村学习点由 5 个增至 9 个，送教下乡 40 场；社区老年学校开设课程 24 门。",
        "成立由分管副校长任组长的项目领导小组，制定项目管理办法和经费使用办法，每年安排专项经费 30 万元。",
        "项目小组 6 人分工明确，全员参加项目组线上培训和研讨交流会议，2 人获评市级社区教育优秀教师。",
        "面向乡村居民、老年人、在职人员开展服务，第一年服务 5,380 人次，满意度调查 96%。",
        "参加项目组全部活动，在项目展示推广网络平台发布建设动态 12 条，在经验交流会上作典型发言。",
        "“老年人智能手机应用”课程被区老年大学采用，乡村电商直播培训模式在全区 3 所学校推广。",
    )),
    "zj3": ((405, 14), (430, 22, 30), (430, 23, 40), (
        "学校围绕职业教育融入社区治理实施项目，建设社区治理人才培训基地，开展社区工作者和居民骨干培训。",
        "完成社区治理人才培训基地建设，开发培训模块 6 个，培训社区工作者 420 人次。",
        "项目领导小组由区教育局分管领导牵头，学校设项目办公室，经费列入年度预算。",
        "项目小组 5 人，其中 1 人因工作调整更换，新成员已参加项目组培训。",
        "服务社区居民 2,100 人次、社区工作者 420 人次；乡村居民服务人次的统计已按项目组意见核实修改。",
        "参加项目组研讨交流会议 1 次（另 1 次请假），在平台发布建设动态 5 条。",
        "形成“社区点单、学校派单”的服务机制，区内 2 个街道采用。",
    )),
    "sc2": ((415, 10), (418, 16), None, (
        "学校实施城乡待业人员就业培训项目，开展电工、家政、电商等短期技能培训。",
        "开展短期技能培训 8 期。",
    )),
}
# The evidence uploaded, by school: the criterion's position in the 建设标准 → (file name, caption).
EVALUATION_EVIDENCE = {
    "zj2": {0: ("乡村学习点分布图.png", "乡村学习点分布及送教下乡记录"), 3: ("服务人次台账.png", "第一年按群体统计的服务人次台账（盖章）")},
}

# The experts' marks (a share of each criterion's maximum) and comments, and the project group's
# conclusions, of evaluation_results(); README's demo table tells them.
EVALUATION_SCORE_SHARES = {"zj2": Decimal("0.88"), "zj3": Decimal("0.72")}
EVALUATION_EXPERT_COMMENTS = {
    "zj2": "社区学院分院与乡村学习点布局合理，老年教育和乡村振兴两个项目成效显著、过程材料完整，达到优质校建设标准。",
    "zj3": "项目推进有序，但服务人次统计与佐证材料不够一致，示范辐射作用有待加强。",
}
EVALUATION_OUTCOMES = {
    "zj2": ("excellent", "建设成效突出，特色鲜明，评为项目优质校，请总结经验并在经验交流会上介绍。"),
    "zj3": ("qualified", "达到项目建设基本要求，评为合格；请加强过程记录，提升示范辐射作用。"),
}
