"""The rules of the 实验校资格申请表, checked on the server over what is stored.

A draft may break any rule; saving never loses what was typed. The same check decides each
section's state on the form page, what the submit step refuses, and (later) the machine items of
the formal check. A rule either reports a *missing* value (the section is incomplete) or an
*invalid* one (shown next to its field at once).
"""
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from applications.wordcount import count_zi
from portal.models import SchoolType
from portal.validators import validate_mobile

PLAN_MIN_ZI = 2000
TEAM_MIN_SIZE = 3
PROJECTS_MIN, PROJECTS_MAX = 1, 2
PLAN_FIELDS = ("plan_name", "plan_content", "plan_steps", "plan_goals", "plan_features")
TEAM_REQUIRED_FIELDS = ("name", "title", "mobile", "duty")

# The longest a section of the form may be, in characters (each line break one, as the school
# sees it). The notice asks 至少 2000 字 for the whole 实验方案 (名称、内容、步骤、目标、特色 together);
# real plans run to 2,000–6,000 字 in all (the largest seen in the 2022 batch about 6,000), so
# 20,000 characters in one section is more than three real plans in that section alone: a school
# never meets it, while a pasted book (500,000 字 took 16.7 s to lay out, four such sections killed
# a gunicorn worker) is refused. At these caps the longest possible application lays out in seconds
# (bench/README.md, "The longest application"). The opinions are a few sentences above a
# seal or a signature; 2,000 is what the province's 推荐意见 and the 项目组意见 forms already allow.
# Measured (tests/applications/test_section_caps.py, every text at its cap and 30 full team rows):
# 5.5 s and about 100 MB on the 2-core machine, 9.5 s while it was busy with other work.
PLAN_SECTION_MAX_CHARS = 20_000
OPINION_MAX_CHARS = 2_000
# The long text fields of Application and their caps (plan_name is a CharField of 200, the
# lead_title_note one of 300: the database holds those to their lengths already).
TEXT_MAX_CHARS = {
    "plan_content": PLAN_SECTION_MAX_CHARS,
    "plan_steps": PLAN_SECTION_MAX_CHARS,
    "plan_goals": PLAN_SECTION_MAX_CHARS,
    "plan_features": PLAN_SECTION_MAX_CHARS,
    "unit_opinion": OPINION_MAX_CHARS,
    "supervisor_opinion": OPINION_MAX_CHARS,
    "group_opinion": OPINION_MAX_CHARS,
}


def character_count(text: str | None) -> int:
    """The characters of `text` as the school sees them: a line break is one, though the browser
    sends it as two (CR LF). static/js/wordcount.js counts the same (Array.from over the
    textarea's value, whose line breaks are LF)."""
    if not text:
        return 0
    return len(text) - text.count("\r\n")


@deconstructible
class MaxCharactersValidator:
    """Refuses a text longer than `limit` characters (character_count), saying by how much."""

    code = "too_long"

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value):
        count = character_count(value)
        if count > self.limit:
            raise ValidationError(
                f"本栏最多 {self.limit} 个字符（含标点、空格和换行），目前 {count} 个字符，请删去至少 {count - self.limit} 个字符。",
                code=self.code, params={"limit": self.limit, "count": count},
            )  # fmt: skip

    def __eq__(self, other):
        return isinstance(other, MaxCharactersValidator) and other.limit == self.limit


def too_long_message(field_name: str, text: str | None) -> str | None:
    """The message for `text` in `field_name` when it is over that field's cap, else None."""
    try:
        MaxCharactersValidator(TEXT_MAX_CHARS[field_name])(text)
    except ValidationError as error:
        return error.messages[0]
    return None

# (key, title, fields of the application that belong to it)
SECTIONS = (
    ("basic", "一、学校基本信息", ("route",)),
    ("people", "二、负责人与项目对接人",
     ("lead_name", "lead_title", "lead_mobile", "lead_title_note", "liaison_name", "liaison_title", "liaison_mobile")),
    ("team", "三、项目小组成员", ("team",)),
    ("projects", "四、具体实施项目", ("projects", "other_project_name")),
    ("plan", "五、实验方案", PLAN_FIELDS),
    ("pledge", "六、单位承诺书", ("pledge_signatory", "pledge_accept")),
    # The 上级主管部门意见 itself (opinion, seal, date) is the authority's, written by hand on the
    # printed form; the school may only name the authority.
    ("opinions", "七、单位意见与上级主管部门意见", ("unit_opinion", "supervisor_name")),
)  # fmt: skip
SECTION_OF_FIELD = {name: key for key, _title, names in SECTIONS for name in names}


# 七、4. 有团队：应成立由副校长为项目负责人的项目小组。A 副校长 leads in any kind of school. Where the
# kind of school is headed by a 院长 (a 高等职业院校 is a 学院) or a 主任 (a 职教中心) instead of a 校长,
# the deputy of that head is the school's vice-principal, in that kind of school only: elsewhere a
# 副院长 or 副主任 is the deputy head of a department or an office. 其他相关单位 say nothing of who
# heads them, so only a 副校长 passes there without a note. 常务 names the executive one of the
# deputies, of the same rank, so 常务副校长 passes too; nothing else does (副校长助理, 原副校长,
# 继续教育学院副院长, 办公室副主任 ...): every other title needs the school's explanation and is flagged
# to the reviewers.
VICE_PRINCIPAL = "副校长"
HEAD_DEPUTY_OF_SCHOOL_TYPE = {SchoolType.HIGHER_VOCATIONAL: "副院长", SchoolType.VOCATIONAL_CENTER: "副主任"}
EXECUTIVE_PREFIX = "常务"
LEAD_TITLE_RULE = "通知要求由副校长担任项目负责人（高等职业院校也可为副院长，职教中心也可为副主任）"


def vice_principal_titles(school_type: str) -> frozenset[str]:
    """The whole titles that make a lead a vice-principal in this kind of school."""
    deputies = [VICE_PRINCIPAL]
    if school_type in HEAD_DEPUTY_OF_SCHOOL_TYPE:
        deputies.append(HEAD_DEPUTY_OF_SCHOOL_TYPE[school_type])
    return frozenset(deputies + [EXECUTIVE_PREFIX + deputy for deputy in deputies])


def is_vice_principal(title: str, school_type: str) -> bool:
    """Whether `title`, as a whole (blanks around it aside), is a vice-principal's in this kind of
    school. The form's check, the formal check and the reviewers' flag all ask this."""
    return (title or "").strip() in vice_principal_titles(school_type)


@dataclass
class SectionState:
    key: str
    title: str
    missing: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.invalid

    @property
    def label(self) -> str:
        if self.invalid:
            return "有错误"
        return "已完成" if self.complete else "未完成"


@dataclass
class CheckResult:
    """What the rules say about one application: messages by field, state by section."""

    sections: dict[str, SectionState]
    missing: dict[str, list[str]] = field(default_factory=dict)
    invalid: dict[str, list[str]] = field(default_factory=dict)
    plan_zi: int = 0

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.sections.values())

    def add(self, kind: str, field_name: str, message: str) -> None:
        getattr(self, kind).setdefault(field_name, []).append(message)
        # Team messages are keyed "team" or "team-<row>-<field>"; they all belong to one section.
        section_key = "team" if field_name.startswith("team") else SECTION_OF_FIELD[field_name]
        getattr(self.sections[section_key], kind).append(message)


def _check_mobile(result: CheckResult, field_name: str, value: str, label: str) -> None:
    if not value:
        result.add("missing", field_name, f"请填写{label}。")
        return
    try:
        validate_mobile(value)
    except ValidationError as error:
        result.add("invalid", field_name, error.messages[0])


def _require(result: CheckResult, field_name: str, value, label: str) -> None:
    if not (value.strip() if isinstance(value, str) else value):
        result.add("missing", field_name, f"请填写{label}。")


def check_application(application, *, team_rows=None, projects=None) -> CheckResult:
    """Check every rule of the form over `application` as stored.

    `team_rows` (TeamMember objects, in order) and `projects` (ProjectCategory objects) default to
    what the database holds; pass them to avoid queries when they are already loaded.
    """
    if team_rows is None:
        team_rows = list(application.team.all())
    if projects is None:
        projects = list(application.projects.all())
    team_rows = [row for row in team_rows if not row.is_blank()]
    result = CheckResult(sections={key: SectionState(key, title) for key, title, _f in SECTIONS})
    app = application
    school = app.school

    # 二、负责人与项目对接人
    _require(result, "lead_name", app.lead_name, "负责人姓名")
    _require(result, "lead_title", app.lead_title, "负责人职务")
    _check_mobile(result, "lead_mobile", app.lead_mobile, "负责人手机")
    if app.lead_title and not is_vice_principal(app.lead_title, school.school_type) and not app.lead_title_note.strip():
        result.add(
            "missing",
            "lead_title_note",
            f"{LEAD_TITLE_RULE}；负责人为其他职务时，请简要说明原因。",
        )
    _require(result, "liaison_name", app.liaison_name, "项目对接人姓名")
    _require(result, "liaison_title", app.liaison_title, "项目对接人职务")
    _check_mobile(result, "liaison_mobile", app.liaison_mobile, "项目对接人手机")

    # 三、项目小组成员
    if len(team_rows) < TEAM_MIN_SIZE:
        result.add("missing", "team", f"项目小组成员至少 {TEAM_MIN_SIZE} 人（含负责人），目前 {len(team_rows)} 人。")
    labels = {"name": "姓名", "title": "职务/职称", "mobile": "手机", "duty": "分工"}
    for index, row in enumerate(team_rows):
        for name in TEAM_REQUIRED_FIELDS:
            if name == "mobile":
                _check_mobile(result, f"team-{index}-mobile", row.mobile, f"第 {index + 1} 位成员的手机")
            else:
                _require(result, f"team-{index}-{name}", getattr(row, name), f"第 {index + 1} 位成员的{labels[name]}")
    if team_rows and app.lead_name and team_rows[0].name.strip() != app.lead_name.strip():
        result.add("invalid", "team", f"项目小组成员的第一行应为负责人（{app.lead_name}）。")

    # 四、具体实施项目
    if len(projects) < PROJECTS_MIN:
        result.add("missing", "projects", "请选择 1–2 个具体实施项目。")
    elif len(projects) > PROJECTS_MAX:
        result.add("invalid", "projects", f"具体实施项目最多选择 {PROJECTS_MAX} 个，目前选择了 {len(projects)} 个。")
    chose_other = any(p.is_other for p in projects)
    if chose_other and not app.other_project_name.strip():
        result.add("missing", "other_project_name", "选择“其它”时，请填写项目名称。")
    if app.other_project_name.strip() and not chose_other:
        result.add("invalid", "other_project_name", "填写了其它项目名称，但未勾选“其它”。")

    # 五、实验方案
    plan_labels = {"plan_name": "名称", "plan_content": "内容", "plan_steps": "步骤", "plan_goals": "目标", "plan_features": "特色"}
    for name in PLAN_FIELDS:
        _require(result, name, getattr(app, name), f"实验方案的{plan_labels[name]}")
    result.plan_zi = sum(count_zi(getattr(app, name)) for name in PLAN_FIELDS)
    if result.plan_zi < PLAN_MIN_ZI:
        result.add("missing", "plan_content", f"实验方案（名称、内容、步骤、目标、特色）合计至少 {PLAN_MIN_ZI} 字，目前 {result.plan_zi} 字。")
    # A section stored over its cap (the form keeps new ones out; a row from before the caps may
    # hold one) is shown, printed and refused at submission until the school shortens it.
    for name in (*PLAN_FIELDS, "unit_opinion"):
        if name in TEXT_MAX_CHARS and (message := too_long_message(name, getattr(app, name))):
            result.add("invalid", name, message)

    # 六、单位承诺书
    _require(result, "pledge_signatory", app.pledge_signatory, "负责人签字（输入负责人姓名）")
    if app.pledge_signatory and app.lead_name and app.pledge_signatory.strip() != app.lead_name.strip():
        result.add("invalid", "pledge_signatory", f"承诺书须由负责人（{app.lead_name}）签字确认。")
    if not app.pledge_accepted_at:
        result.add("missing", "pledge_accept", "请阅读并确认单位承诺书。")

    # 七、单位意见 (the 上级主管部门意见 is the authority's own, on paper: nothing to check here)
    _require(result, "unit_opinion", app.unit_opinion, "单位意见")

    # 一、基本信息 comes from the school's profile, which registration already checked.
    _require(result, "route", school.address, "单位地址（在“单位信息”中填写）")
    return result
