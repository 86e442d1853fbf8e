"""What the school's dashboard says about each open batch: the one deadline that applies to it with
the time left, how much of the form is done, the step it is at (填写 → 下载打印 → 签章上传 → 提交) in
words, and where to post the paper copy when its province asks for one.

Read-only: nothing here writes. The rules are the journey's own (workflow.deadline_for, the rules'
check, the scan's version code); this module only puts them in the school's words."""
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from applications.models import Application, Route, Status
from applications.pages import ReturnNotice, return_notice, revising_after_return
from applications.rules import SECTIONS, check_application
from applications.services import default_route
from applications.workflow import Deadline, current_scan, deadline_end, deadline_for, deadline_passed, scan_is_current

# The four steps every application goes through, in order (the edit page's 八、打印、签章与上传 explains them).
STEPS = (("fill", "填写"), ("print", "下载打印"), ("upload", "签章上传"), ("submit", "提交"))
RETURNED_PROGRESS = "请按退回意见修改"


def time_left_in_words(deadline: Deadline, now: datetime | None = None) -> str:
    """The time left before `deadline` as the school reads it: 还剩 12 天 5 小时, 还剩 3 小时 20 分钟,
    还剩 8 分钟; 已截止 once its minute is over (workflow.deadline_end, Beijing time)."""
    left = deadline_end(deadline.at) - (now or timezone.now())
    if left.total_seconds() <= 0:
        return "已截止"
    minutes = int(left.total_seconds() // 60)
    days, hours, minutes = minutes // (24 * 60), minutes // 60 % 24, minutes % 60
    if days:
        return f"还剩 {days} 天 {hours} 小时"
    if hours:
        return f"还剩 {hours} 小时 {minutes} 分钟"
    return f"还剩 {max(minutes, 1)} 分钟" if minutes else "还剩不到 1 分钟"


def deadline_for_school(batch, school, application: Application | None) -> Deadline:
    """The one deadline that applies: the application's (workflow.deadline_for: a 补正's, its
    province's window when it goes through one, else the national one), or, before the school has
    started, the one its new application would get (routed as services.default_route routes it)."""
    if application is None:
        application = Application(batch=batch, school=school, route=default_route(batch, school))
    return deadline_for(application)


@dataclass
class Step:
    key: str
    label: str
    state: str  # done, current, todo

    @property
    def state_label(self) -> str:
        return {"done": "已完成", "current": "当前步骤", "todo": "未开始"}[self.state]


@dataclass
class NextStep:
    """The dashboard's guidance for one batch."""

    deadline: Deadline
    time_left: str
    passed: bool
    steps: list[Step] = field(default_factory=list)
    progress: str = ""  # "5/7 部分已完成", or 请按退回意见修改 while a return is being acted on
    words: str = ""  # the next thing to do, in a sentence
    paper_window: object = None  # the ProvincialWindow asking for a paper copy, before submission
    return_notice: ReturnNotice | None = None
    applies: bool = True  # False once submitted: no deadline left to meet

    @property
    def shows_deadline(self) -> bool:
        """Whether the deadline gets its own line: while one applies, unless the return notice
        already gives it (with the time left)."""
        return self.applies and self.return_notice is None


def _steps(current: str | None) -> list[Step]:
    keys = [key for key, _label in STEPS]
    at = keys.index(current) if current in keys else len(keys)
    return [Step(key, label, "done" if i < at else "current" if i == at else "todo") for i, (key, label) in enumerate(STEPS)]


def next_step(batch, school, application: Application | None, window, now: datetime | None = None) -> NextStep:
    """What the school should do next for `batch` (`application` its application or None,
    `window` its province's window for the batch or None)."""
    deadline = deadline_for_school(batch, school, application)
    passed = deadline.passed(now)
    guide = NextStep(deadline=deadline, time_left=time_left_in_words(deadline, now), passed=passed)
    goes_to_province = window is not None and (application is None or (application.route == Route.PROVINCIAL and application.correction_deadline is None))
    # Past its province's window, a school may still apply directly where the batch allows it.
    direct_open = goes_to_province and batch.allow_direct and not deadline_passed(batch.national_deadline, now)
    too_late = (
        f"本省推荐渠道的提交截止时间已过；仍可在 {timezone.localtime(batch.national_deadline):%Y年%m月%d日 %H:%M}（北京时间）前"
        "改为直接向项目组申报（申请表“一、学校基本信息”中的申报途径）。"
        if direct_open else "提交截止时间已过，不能再提交。"
    )
    # Said ahead, as part of the steps, until the first submission; from then on the application's
    # own notice (_paper_copy.html, selectors.paper_copy_window) says where it goes.
    if goes_to_province and window.paper_required and (application is None or application.submitted_at is None):
        guide.paper_window = window
    if application is None:
        guide.steps = _steps("fill")
        guide.progress = f"0/{len(SECTIONS)} 部分已完成"
        guide.words = too_late if passed else f"开始填写实验校资格申请表，在截止时间前提交至{deadline.owner}。"
        return guide
    if not application.is_editable:
        guide.applies = False
        # Past the school's steps: the status says where it is; the steps stand done while it
        # stands submitted (not once withdrawn).
        if application.submitted_at is not None and application.status != Status.WITHDRAWN:
            guide.steps = _steps(None)
        if application.status == Status.SUBMITTED:
            guide.words = f"已提交至{deadline.owner}，等待审核推荐。"
        elif application.status == Status.WITHDRAWN:
            guide.words = "申请已撤回。" + ("" if passed else "截止时间前可在申请页面重新填写。")
        return guide
    check = check_application(application)
    done = sum(1 for state in check.sections.values() if state.complete)
    scan = current_scan(application)
    guide.return_notice = return_notice(application)
    revising = revising_after_return(application, guide.return_notice, scan)
    guide.progress = RETURNED_PROGRESS if revising else f"{done}/{len(SECTIONS)} 部分已完成"
    owner = deadline.owner
    if revising:
        guide.steps = _steps("fill")
        guide.words = f"请按退回意见修改申请表，然后重新下载打印、签字盖章、上传扫描件，再次提交至{owner}。"
    elif not check.complete:
        guide.steps = _steps("fill")
        todo = "、".join(title.split("、", 1)[1] for key, title, _f in SECTIONS if not check.sections[key].complete)
        guide.words = f"继续填写：还有 {len(SECTIONS) - done} 个部分未完成（{todo}）。"
    elif not scan_is_current(application, scan):
        guide.steps = _steps("print")
        again = "上传的扫描件与当前内容不一致，请重新" if scan is not None else "申请表已填写完整：请"
        guide.words = f"{again}下载打印申请表 PDF（版本码 {application.version_code}），由负责人签字、加盖公章后扫描上传。"
    else:
        guide.steps = _steps("submit")
        guide.words = f"已上传与当前内容一致的盖章扫描件：请检查并提交至{owner}。"
    if passed:
        guide.words = too_late
    return guide


def earlier_application_to_start_from(batch, school) -> Application | None:
    """The school's latest application, submitted, of a batch before `batch` (by national
    deadline): what the dashboard offers to start `batch`'s application from
    (services.application_start_from_earlier)."""
    return (
        Application.objects.filter(school=school, submitted_at__isnull=False, batch__national_deadline__lt=batch.national_deadline)
        .select_related("batch")
        .order_by("-batch__national_deadline", "-pk")
        .first()
    )
