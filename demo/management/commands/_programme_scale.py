"""The 实验周期 of seed_showcase_scale's batch at scale, for the programme pages' benchmark
(bench/programme_pages.py): what two years of a cycle leave behind for 1,000 实验校.

- 16 activities of the project group: 13 held and closed, one held yesterday and not closed yet (its
  attendance marked), two to come with their 回执 open; every third online; 成果展示 does not count
  for attendance. Work meetings invite every 实验校 then 实验中, the others about 85 % of them.
- Replies (回执 with one or two attendees, 请假 decided or waiting, no answer), attendance and, for
  closed activities, outcomes. A school in good standing is never absent twice in a row (the exit
  rule would have queued it); the exit cases are made on purpose: the 视为退出 schools (2 %) absent
  twice, their review confirmed and no invitation after it; 1.5 % absent from the last two counting
  activities and waiting in the exit queue; 0.5 % absent twice earlier and waived.
- Notices: one per invitation, a warning per first absence.
- Team members (3–6), 年度工作报告: year 1 mostly accepted, some submitted, returned, drafts or not
  started (overdue); year 2 drafts for about half; one project row per project; the filed ones
  with a 指导专家 of 20 and a comment on a tenth.
- 荣誉证书: the 实验校证书 for 60 % of the schools, 实验成果奖 for a few projects.
- 优质校评估: a published 建设标准 of five criteria and a round open to year 2, its window closed:
  a quarter of the 实验校 submitted, three experts each, most reviews submitted with their scores.
- Accounts: showcase-staff (项目组), showcase-expert-01…20, showcase-school-<实验校 id>, all without a
  usable password (the benchmark signs in with force_login).

Bulk inserts only (no services, no mail, no history), in seed_showcase_scale's transaction.
"""
import random
import secrets
from datetime import datetime, time, timedelta

from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from applications.selectors import add_years
from demo.management.commands.seed_scale import insert_rows
from portal.models import Role, User
from review.scoring import weighted_total
from programme.certificates import new_certificate_number
from programme.models import (
    Activity, ActivityKind, AnnualReport, Attendee, Award, Certificate, CertificateKind, EvaluationAssignment, EvaluationCriterion, EvaluationReview,
    EvaluationRound, EvaluationScore, EvaluationSelfAssessment, EvaluationStandard, EvaluationState, EvaluationSubmission, ExitReview,
    ExperimentProject, ExperimentSchool, ExperimentStatus, ExperimentTeamMember, Invitation, Outcome, ReportComment, ReportDeadline,
    ReportProjectWork, ReportReviewer, ReportState, SchoolNotice,
)  # fmt: skip

BULK = 2000
EXPERTS = 20
KINDS = [ActivityKind.WORK_MEETING, ActivityKind.SEMINAR, ActivityKind.TRAINING, ActivityKind.EXCHANGE, ActivityKind.SHOWCASE]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞", "徐涛", "孙丽"]
TEXT = ("本年度，学校围绕项目实施方案，面向社区居民、老年人和进城务工人员开设课程，建设线上学习资源，组织教师送教上门，"
        "与街道社区共建学习点，并总结形成可推广的经验。")  # fmt: skip


def at(day, hour=9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def reset_programme(schools) -> None:
    """Delete what make_programme made for these 实验校 (before the schools themselves): the rows
    that protect them or their invitations first."""
    AnnualReport.objects.filter(experiment_school__in=schools).delete()
    EvaluationScore.objects.filter(review__assignment__submission__experiment_school__in=schools).delete()
    EvaluationAssignment.objects.filter(submission__experiment_school__in=schools).delete()
    EvaluationSubmission.objects.filter(experiment_school__in=schools).delete()
    batches = set(schools.values_list("batch_id", flat=True))
    EvaluationRound.objects.filter(batch_id__in=batches).delete()
    EvaluationStandard.objects.filter(batch_id__in=batches).delete()
    Certificate.objects.filter(experiment_school__in=schools).delete()
    ExitReview.objects.filter(experiment_school__in=schools).delete()
    Activity.objects.filter(pk__in=Invitation.objects.filter(experiment_school__in=schools).values("activity_id")).delete()


class ProgrammeScale:
    def __init__(self, batch, made: list[ExperimentSchool], rnd: random.Random, email_domain: str):
        self.batch, self.made, self.rnd, self.domain = batch, made, rnd, email_domain
        self.now = timezone.now()
        self.starts = batch.cycle_starts_on

    def make(self) -> dict:
        self.make_accounts()
        self.make_team()
        activities = self.make_activities()
        invitations = self.make_invitations(activities)
        reports = self.make_reports()
        certificates = self.make_certificates()
        submissions = self.make_evaluation()
        return {"activities": len(activities), "invitations": invitations, "reports": reports, "certificates": certificates,
                "submissions": submissions}  # fmt: skip

    # ---- accounts and teams ----------------------------------------------------------------------

    def make_accounts(self) -> None:
        unusable = make_password(None)
        wanted = {"showcase-staff": {"role": Role.STAFF, "is_staff": True, "last_name": "项目组"}}
        wanted |= {f"showcase-expert-{i:02d}": {"role": Role.EXPERT, "last_name": PEOPLE[i % len(PEOPLE)]} for i in range(1, EXPERTS + 1)}
        have = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        new = [User(username=name, email=f"{name}@{self.domain}", password=unusable, **fields) for name, fields in wanted.items() if name not in have]
        new += [User(username=f"showcase-school-{es.pk}", email=f"school-user-{es.pk}@{self.domain}", password=unusable, role=Role.SCHOOL,
                     school_id=es.school_id, last_name=self.rnd.choice(PEOPLE)) for es in self.made]  # fmt: skip
        User.objects.bulk_create(new, batch_size=BULK)
        self.staff = User.objects.get(username="showcase-staff")
        self.experts = list(User.objects.filter(username__startswith="showcase-expert-").order_by("username"))

    def make_team(self) -> None:
        rows = (
            (es.pk, position, self.rnd.choice(PEOPLE), self.rnd.choice(("教授", "副教授", "讲师", "教务处处长")), "继续教育学院",
             f"139{self.rnd.randrange(10**8):08d}", "课程建设与送教上门")
            for es in self.made for position in range(self.rnd.randint(3, 6))
        )  # fmt: skip
        insert_rows(ExperimentTeamMember, ["experiment_school", "position", "name", "title", "department", "mobile", "duty"], rows)

    # ---- activities, invitations, attendance, the exit cases --------------------------------------

    def make_activities(self) -> list[Activity]:
        today = timezone.localdate(self.now)
        days = [self.starts + timedelta(days=20 + 34 * i) for i in range(13)] + [today - timedelta(days=1)]
        days += [today + timedelta(days=10), today + timedelta(days=30)]
        activities = []
        for i, day in enumerate(days):
            kind = KINDS[i % len(KINDS)] if i != 13 else ActivityKind.WORK_MEETING
            online = i % 3 == 2
            starts = at(day)
            held = day < today
            activities.append(Activity(
                kind=kind, title=f"{ActivityKind(kind).label}（{day:%Y年%-m月}）", starts_at=starts, ends_at=starts + timedelta(hours=7),
                place="" if online else "北京市海淀区 中国成人教育协会", online_url="https://meeting.example.cn/j/123456" if online else "",
                agenda="上午：专家报告；下午：分组交流。", registration_deadline=starts - timedelta(days=5), max_attendees_per_school=2,
                counts_for_attendance=kind != ActivityKind.SHOWCASE, checkin_code=secrets.token_hex(6).upper(), created_by=self.staff,
                closed_at=starts + timedelta(days=2) if held and i != 13 else None, closed_by=self.staff if held and i != 13 else None,
            ))  # fmt: skip
        return Activity.objects.bulk_create(activities)

    def make_invitations(self, activities) -> int:
        rnd = self.rnd
        closed = [a for a in activities if a.closed_at]
        counting = [a for a in closed if a.counts_for_attendance]
        deemed = [es for es in self.made if es.status == ExperimentStatus.DEEMED_WITHDRAWN]
        active = [es for es in self.made if es.status == ExperimentStatus.ACTIVE]
        # At least one of each at any size, so that the small data set's pages show them too.
        cases = rnd.sample(active, min(len(active), max(1, round(len(self.made) * 0.015)) + max(1, round(len(self.made) * 0.005))))
        pending, waived = cases[:max(1, round(len(self.made) * 0.015))], cases[max(1, round(len(self.made) * 0.015)):]
        # The pair of absences of each exit case: its two activities (indexes into `counting`).
        pairs = {es.pk: rnd.randrange(len(counting) - 2) for es in deemed}
        pairs |= {es.pk: len(counting) - 2 for es in pending}
        pairs |= {es.pk: rnd.randrange(len(counting) - 4) for es in waived}
        leaves_after = {es.pk: counting[pairs[es.pk] + 1].closed_at for es in deemed}
        invitations, last_absent, notices, attendees, reviews = [], {}, [], [], []
        absences = {}  # (school id, index in counting) -> invitation
        for activity in activities:
            everyone = activity.kind == ActivityKind.WORK_MEETING
            for es in self.made:
                if es.pk in leaves_after and activity.starts_at > leaves_after[es.pk]:
                    continue  # 视为退出: no longer invited
                if not everyone and rnd.random() > 0.85 and es.pk not in pairs:
                    continue
                invitation = Invitation(activity=activity, experiment_school=es, invited_at=activity.registration_deadline - timedelta(days=20))
                invitations.append(invitation)
                self.reply(invitation, activity, es, pairs, last_absent, absences, counting, notices, attendees)
        Invitation.objects.bulk_create(invitations, batch_size=BULK)
        Attendee.objects.bulk_create(attendees, batch_size=BULK)
        SchoolNotice.objects.bulk_create(notices, batch_size=BULK)
        for es in deemed + pending + waived:
            first, second = absences[es.pk, pairs[es.pk]], absences[es.pk, pairs[es.pk] + 1]
            state = ExitReview.State.CONFIRMED if es in deemed else (ExitReview.State.PENDING if es in pending else ExitReview.State.WAIVED)
            decided = state != ExitReview.State.PENDING
            reviews.append(ExitReview(experiment_school=es, first_absence=first, second_absence=second, state=state,
                                      created_at=second.activity.closed_at, decided_at=second.activity.closed_at + timedelta(days=3) if decided else None,
                                      decided_by=self.staff if decided else None,
                                      reason="两次缺席均因疫情防控要求无法出行，已补交说明。" if state == ExitReview.State.WAIVED else ""))  # fmt: skip
        ExitReview.objects.bulk_create(reviews)
        return len(invitations)

    def reply(self, invitation, activity, es, pairs, last_absent, absences, counting, notices, attendees) -> None:
        """One invitation's 回执, leave decision, attendance and outcome (set on it, not saved), with its
        notices and attendees; `last_absent` and `absences` carry each school's record so far."""
        rnd = self.rnd
        notices.append(SchoolNotice(experiment_school=es, kind=SchoolNotice.Kind.INVITATION, title=f"活动通知：{activity.title}",
                                    body="请在回执截止前提交参会回执或请假。", invitation=invitation, created_at=invitation.invited_at))  # fmt: skip
        index = counting.index(activity) if activity in counting else None
        forced = es.pk in pairs and index in (pairs[es.pk], pairs[es.pk] + 1)
        r = rnd.random()
        if forced:
            reply = "" if r < 0.5 else Invitation.Reply.ATTENDING
        elif activity.closed_at is None and activity.starts_at > self.now:
            reply = Invitation.Reply.ATTENDING if r < 0.5 else (Invitation.Reply.LEAVE if r < 0.56 else "")
        else:
            reply = Invitation.Reply.ATTENDING if r < 0.85 else (Invitation.Reply.LEAVE if r < 0.93 else "")
        invitation.reply = reply
        if reply:
            invitation.replied_at = activity.registration_deadline - timedelta(days=rnd.randint(1, 10))
        if reply == Invitation.Reply.LEAVE:
            invitation.leave_reason = "学校同期承办省级技能大赛，负责人无法参会。"
            if activity.starts_at < self.now or rnd.random() < 0.5:
                accepted = rnd.random() < 0.85
                invitation.leave_decision = Invitation.LeaveDecision.ACCEPTED if accepted else Invitation.LeaveDecision.REFUSED
                invitation.leave_decision_note = "" if accepted else "本次会议为项目工作会议，请另派人员参会。"
                invitation.leave_decided_at, invitation.leave_decided_by = invitation.replied_at + timedelta(days=1), self.staff
        held = activity.starts_at < self.now
        if held and reply == Invitation.Reply.ATTENDING and not forced:
            attended = rnd.random() < 0.96
            if not attended and activity.counts_for_attendance and last_absent.get(es.pk):
                attended = True  # never twice in a row outside the exit cases
            invitation.attended = attended
        if invitation.attended:
            invitation.attended_at = activity.starts_at + timedelta(minutes=rnd.randrange(60))
            invitation.attendance_source = Invitation.AttendanceSource.IMPORT if activity.online_url else Invitation.AttendanceSource.CODE
        if reply == Invitation.Reply.ATTENDING:
            attendees += [Attendee(invitation=invitation, position=p, name=rnd.choice(PEOPLE), title="继续教育学院院长",
                                   mobile=f"138{rnd.randrange(10**8):08d}", checked_in_at=invitation.attended_at)
                          for p in range(rnd.randint(1, 2))]  # fmt: skip
        if activity.closed_at:
            if invitation.attended:
                invitation.outcome = Outcome.ATTENDED
            elif invitation.leave_accepted and not forced:
                invitation.outcome = Outcome.EXCUSED
            elif activity.counts_for_attendance and last_absent.get(es.pk) and not forced:
                # A refused leave or no answer right after an absence: made excused instead, so only the
                # exit cases have two in a row.
                invitation.reply, invitation.leave_decision, invitation.outcome = Invitation.Reply.LEAVE, Invitation.LeaveDecision.ACCEPTED, Outcome.EXCUSED
                invitation.leave_reason, invitation.leave_decided_at, invitation.leave_decided_by = "因公请假。", activity.starts_at, self.staff
            else:
                invitation.outcome = Outcome.ABSENT
            if activity.counts_for_attendance:
                absent = invitation.outcome == Outcome.ABSENT
                if absent and not last_absent.get(es.pk):
                    notices.append(SchoolNotice(experiment_school=es, kind=SchoolNotice.Kind.ABSENCE_WARNING, title="缺席提醒",
                                                body=f"贵校未参加“{activity.title}”。连续两次不参与项目组活动视为退出。",
                                                invitation=invitation, created_at=activity.closed_at))  # fmt: skip
                last_absent[es.pk] = absent
                absences[es.pk, index] = invitation

    # ---- 年度工作报告 ------------------------------------------------------------------------------------

    def make_reports(self) -> int:
        rnd = self.rnd
        due = {year: at(add_years(self.starts, year) - timedelta(days=1), 23) + timedelta(minutes=59) for year in (1, 2)}
        ReportDeadline.objects.bulk_create([ReportDeadline(batch=self.batch, year=y, due_at=d, set_by=self.staff) for y, d in due.items()])
        projects = {}
        for project in ExperimentProject.objects.filter(experiment_school__in=self.made).select_related("category"):
            projects.setdefault(project.experiment_school_id, []).append(project)
        reports = []
        for es in self.made:
            r = rnd.random()
            year1 = (ReportState.ACCEPTED if r < 0.70 else ReportState.SUBMITTED if r < 0.82 else ReportState.RETURNED if r < 0.87
                     else ReportState.DRAFT if r < 0.93 else None)  # fmt: skip
            states = [(1, year1)] + ([(2, ReportState.DRAFT)] if es.status == ExperimentStatus.ACTIVE and rnd.random() < 0.5 else [])
            for year, state in states:
                if state is None:
                    continue
                filed = state != ReportState.DRAFT
                submitted = due[year] - timedelta(days=rnd.randint(-10, 30)) if filed else None
                numbers = {f"reached_{g}": rnd.randint(0, 2000) for g in ("community", "rural", "elderly", "employed", "unemployed", "migrant")}
                reports.append(AnnualReport(
                    experiment_school=es, year=year, state=state, **numbers, reached_other=0, courses_resources=TEXT, training=TEXT,
                    problems="师资不足，线上课程的参与度有待提高。", next_plan=TEXT, revision=rnd.randint(3, 40), created_by=None,
                    submitted_at=submitted, decided_at=submitted + timedelta(days=20) if state in (ReportState.ACCEPTED, ReportState.RETURNED) else None,
                    decided_by=self.staff if state in (ReportState.ACCEPTED, ReportState.RETURNED) else None,
                    return_reason="请补充各项目覆盖人数的统计口径。" if state == ReportState.RETURNED else "",
                ))  # fmt: skip
        AnnualReport.objects.bulk_create(reports, batch_size=BULK)
        work = [ReportProjectWork(report=report, category=p.category, project_name=str(p), position=p.position, done=TEXT)
                for report in reports for p in projects.get(report.experiment_school_id, [])]  # fmt: skip
        ReportProjectWork.objects.bulk_create(work, batch_size=BULK)
        filed = [report for report in reports if report.state != ReportState.DRAFT]
        reviewers = [ReportReviewer(report=report, expert=rnd.choice(self.experts), assigned_at=report.submitted_at + timedelta(days=2),
                                    assigned_by=self.staff) for report in filed]  # fmt: skip
        ReportReviewer.objects.bulk_create(reviewers, batch_size=BULK)
        ReportComment.objects.bulk_create([
            ReportComment(report=r.report, author=r.expert, body="建议在下一年度细化老年教育项目的实施计划。", created_at=r.assigned_at + timedelta(days=5))
            for r in reviewers if rnd.random() < 0.1
        ], batch_size=BULK)  # fmt: skip
        return len(reports)

    # ---- 荣誉证书 ------------------------------------------------------------------------------------

    def make_certificates(self) -> int:
        rnd = self.rnd
        award, _ = Award.objects.get_or_create(name="实验成果奖", defaults={"levels": "一等奖、二等奖、三等奖"})
        issued = at(self.starts + timedelta(days=60))
        year = issued.year
        certificates = [
            Certificate(number=new_certificate_number(year), kind=CertificateKind.EXPERIMENT_SCHOOL, experiment_school=es,
                        school_name=es.school.name, title=f"职业院校服务全民终身学习项目{self.batch.short_name}实验校", issued_at=issued,
                        issued_by=self.staff)
            for es in self.made if rnd.random() < 0.6
        ]  # fmt: skip
        first_projects = ExperimentProject.objects.filter(experiment_school__in=self.made, position=0).select_related("experiment_school__school", "category")
        for project in first_projects:
            if rnd.random() < 0.03:
                level = rnd.choice(award.level_list)
                certificates.append(Certificate(
                    number=new_certificate_number(year), kind=CertificateKind.AWARD, experiment_school=project.experiment_school, award=award,
                    award_level=level, project=project, school_name=project.experiment_school.school.name, title=f"{award.name} {level}",
                    project_name=str(project), issued_at=issued + timedelta(days=300), issued_by=self.staff,
                ))  # fmt: skip
        Certificate.objects.bulk_create(certificates, batch_size=BULK)
        return len(certificates)


    # ---- 优质校评估 -----------------------------------------------------------------------------------

    def make_evaluation(self) -> int:
        """A round open to year 2, its window closed ten days ago, the experts scoring: a quarter of
        the 实验校 submitted, each with three experts of the 20; most reviews submitted, some drafts,
        a few not begun."""
        rnd, now = self.rnd, self.now
        standard = EvaluationStandard.objects.create(batch=self.batch, name="项目优质校建设标准", published_at=now - timedelta(days=90))
        criteria = EvaluationCriterion.objects.bulk_create([
            EvaluationCriterion(standard=standard, position=i, name=name, description="依据实施方案和年度工作报告评估。", max_points=Decimal(20))
            for i, name in enumerate(("组织保障", "课程与资源建设", "服务人群覆盖", "队伍建设", "特色与示范"))
        ])  # fmt: skip
        evaluation_round = EvaluationRound.objects.create(
            standard=standard, batch=self.batch, name="项目优质校评估（规模测试）", opens_at=now - timedelta(days=60), deadline=now - timedelta(days=10),
            eligible_from_year=2, review_deadline=now + timedelta(days=20), experts_per_submission=3, created_by=self.staff,
        )  # fmt: skip
        active = [es for es in self.made if es.status == ExperimentStatus.ACTIVE]
        chosen = rnd.sample(active, max(1, len(active) // 4))
        submissions = EvaluationSubmission.objects.bulk_create([
            EvaluationSubmission(round=evaluation_round, experiment_school=es, state=EvaluationState.SUBMITTED, summary=TEXT,
                                 version_code=secrets.token_hex(6).upper(), submitted_school_name=es.school.name, revision=rnd.randint(5, 30),
                                 submitted_at=now - timedelta(days=rnd.randint(11, 40)))
            for es in chosen
        ], batch_size=BULK)  # fmt: skip
        EvaluationSelfAssessment.objects.bulk_create(
            [EvaluationSelfAssessment(submission=s, criterion=c, text=TEXT) for s in submissions for c in criteria], batch_size=BULK
        )
        assignments = EvaluationAssignment.objects.bulk_create([
            EvaluationAssignment(submission=s, expert=expert, assigned_at=now - timedelta(days=9), assigned_by=self.staff)
            for s in submissions for expert in rnd.sample(self.experts, 3)
        ], batch_size=BULK)  # fmt: skip
        reviews, scores = [], []
        for assignment in assignments:
            r = rnd.random()
            if r < 0.1:
                continue  # not begun
            submitted = r < 0.85
            points = {c.pk: Decimal(rnd.randint(20, 40)) / 2 for c in criteria}
            review = EvaluationReview(assignment=assignment, state=EvaluationReview.State.SUBMITTED if submitted else EvaluationReview.State.DRAFT,
                                      comment="建设成效明显，特色突出。", total=weighted_total(points, {c.pk: c.weight for c in criteria}) if submitted else None,
                                      submitted_at=now - timedelta(days=rnd.randint(1, 8)) if submitted else None)  # fmt: skip
            reviews.append(review)
            scores += [EvaluationScore(review=review, criterion=c, points=points[c.pk]) for c in criteria]
        EvaluationReview.objects.bulk_create(reviews, batch_size=BULK)
        EvaluationScore.objects.bulk_create(scores, batch_size=BULK)
        return len(submissions)
