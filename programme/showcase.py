"""建设动态 and 成果展示 (五: 建设项目网络平台并展示宣传各实验校建设动态和成果): a 实验校 writes a post (title,
text, up to nine photos re-encoded by programme.images, one optional PDF attachment) and submits it
for 审核; the project group approves it (published: public, in the Atom feed), returns it with a
reason the school reads, unpublishes a published one with a reason, and features posts and schools
on the home page.

The journey of a post:

    草稿 ──submit──▶ 待审核 ──approve──▶ 已发布 ──unpublish (with a reason)──▶ 已退回
     │                 └──return (with a reason)──▶ 已退回 ──submit──▶ 待审核
     └─ edited in 草稿 and 已退回 only

Every move goes through `_move`, which writes the history row.
"""
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from applications.rules import character_count
from applications.uploads import inspect_scan
from applications.workflow import WorkflowError
from portal import policy
from programme import images
from programme.models import (
    POST_PHOTOS_MAX, ExperimentSchool, ExperimentStatus, FeaturedSchool, PostState, SchoolNotice, ShowcaseLogEntry,
    ShowcasePhoto, ShowcasePost,
)  # fmt: skip
from programme.notifications import tell_school, tell_staff

# A post is written while the school is 实验中 (in its cycle); a school that left, or whose cycle
# is over, reads its posts only.
WRITING_STATUSES = (ExperimentStatus.ACTIVE,)
# Shown on the home page's 成果展示 while in these states (a school that left is not a current one).
FEATURABLE_SCHOOL_STATUSES = (ExperimentStatus.ACTIVE, ExperimentStatus.COMPLETED)
TITLE_MAX_CHARS = 100
BODY_MAX_CHARS = 5_000
REASON_MAX_CHARS = 1_000

MOVES = {
    (PostState.DRAFT, "submit"): PostState.SUBMITTED,
    (PostState.RETURNED, "submit"): PostState.SUBMITTED,
    (PostState.SUBMITTED, "approve"): PostState.PUBLISHED,
    (PostState.SUBMITTED, "return"): PostState.RETURNED,
    (PostState.PUBLISHED, "unpublish"): PostState.RETURNED,
}
LOG_ACTIONS = {
    "submit": ShowcaseLogEntry.Action.SUBMITTED,
    "approve": ShowcaseLogEntry.Action.PUBLISHED,
    "return": ShowcaseLogEntry.Action.RETURNED,
    "unpublish": ShowcaseLogEntry.Action.UNPUBLISHED,
}


class PostConflict(WorkflowError):
    """The post was saved elsewhere (another tab, a colleague) since this copy was opened."""

    def __init__(self, current_revision: int, saved_at):
        self.current_revision = current_revision
        super().__init__(f"这条动态在您打开之后已被修改并保存（{timezone.localtime(saved_at):%H:%M:%S}），为免覆盖，本次没有保存。", "conflict")


def public_url(post: ShowcasePost) -> str:
    """Where the public reads a published post: the public post page (portal/urls.py's
    `showcase_post`, the public pages' part) once it is mounted, else its entry in the Atom feed."""
    try:
        return reverse("showcase_post", args=[post.pk])
    except NoReverseMatch:
        return reverse("showcase_feed") + f"#post-{post.pk}"


def may_write(experiment_school: ExperimentSchool) -> bool:
    return experiment_school.status in WRITING_STATUSES


def _require_writable(post: ShowcasePost) -> None:
    school = post.experiment_school
    if not may_write(school):
        raise WorkflowError(f"贵校实验校状态为“{school.get_status_display()}”，不能再发布或修改建设动态。", code="not_active")
    if not post.is_editable:
        raise WorkflowError(f"这条动态当前状态为“{post.get_state_display()}”，不能修改。", code="not_editable")


def _lock(post: ShowcasePost) -> ShowcasePost:
    return ShowcasePost.objects.select_for_update().select_related("experiment_school__school").get(pk=post.pk)


def _text(value: str, *, field: str, label: str, limit: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}。"})
    if character_count(value) > limit:
        raise ValidationError({field: f"{label}最多 {limit} 个字，现有 {character_count(value)} 个。"})
    return value


def _move(post: ShowcasePost, action: str, *, actor, now: datetime, note: str = "") -> None:
    """Change the (locked) post's state by `action`, or refuse; one history row."""
    to_state = MOVES.get((post.state, action))
    if to_state is None:
        raise WorkflowError(f"这条动态当前状态为“{post.get_state_display()}”，不能办理此操作。", code="wrong_state")
    ShowcaseLogEntry.objects.create(post=post, at=now, actor=actor, action=LOG_ACTIONS[action], from_state=post.state, to_state=to_state, note=note)
    post.state = to_state


# ---- The school's side ------------------------------------------------------------------------------


def post_create(*, experiment_school: ExperimentSchool, title: str, body: str, actor, now: datetime | None = None) -> ShowcasePost:
    """A new draft of the 实验校 (while it is 实验中); the body may still be empty. Raises
    ValidationError by field ("title", "body"), WorkflowError when the school may not write.
    Side effects: the post (草稿) and its first history row."""
    if not may_write(experiment_school):
        raise WorkflowError(f"贵校实验校状态为“{experiment_school.get_status_display()}”，不能再发布建设动态。", code="not_active")
    now = now or timezone.now()
    title = _text(title, field="title", label="标题", limit=TITLE_MAX_CHARS, required=True)
    body = _text(body, field="body", label="正文", limit=BODY_MAX_CHARS, required=False)
    with transaction.atomic():
        post = ShowcasePost.objects.create(experiment_school=experiment_school, title=title, body=body, created_by=actor,
                                           created_at=now, updated_at=now)  # fmt: skip
        ShowcaseLogEntry.objects.create(post=post, at=now, actor=actor, action=ShowcaseLogEntry.Action.CREATED, to_state=PostState.DRAFT)
    return post


def post_save_draft(*, post: ShowcasePost, title: str, body: str, actor, expected_revision: int | None,
                    now: datetime | None = None) -> ShowcasePost:
    """Store the title and text of a post the school can edit (草稿 or 已退回). A save from a copy
    older than the stored one raises PostConflict and stores nothing. Raises ValidationError by
    field. Side effects: the post saved, its revision up by one."""
    title = _text(title, field="title", label="标题", limit=TITLE_MAX_CHARS, required=True)
    body = _text(body, field="body", label="正文", limit=BODY_MAX_CHARS, required=False)
    with transaction.atomic():
        locked = _lock(post)
        _require_writable(locked)
        if expected_revision is None or expected_revision != locked.revision:
            raise PostConflict(locked.revision, locked.updated_at)
        locked.title, locked.body = title, body
        locked.revision += 1
        locked.updated_at = now or timezone.now()
        locked.save()
    return locked


def post_photo_add(*, post: ShowcasePost, uploaded_file, actor, caption: str = "", now: datetime | None = None) -> ShowcasePhoto:
    """A photo re-encoded by programme.images (no metadata, resized, a thumbnail), at most
    POST_PHOTOS_MAX a post, while the post can be edited. Raises ValidationError ("photos") with the
    reason in Chinese. Side effects: two files (image, thumbnail) under the photo's random key; one
    ShowcasePhoto after the others; the uploaded bytes are not kept."""
    try:
        processed = images.process_photo(uploaded_file)
    except ValidationError as error:
        name = (uploaded_file.name or "").replace("\\", "/").rsplit("/", 1)[-1]
        raise ValidationError({"photos": [f"{name}：{m}" if name else m for m in error.messages]}) from error
    with transaction.atomic():
        locked = _lock(post)
        _require_writable(locked)
        count = locked.photos.count()
        if count >= POST_PHOTOS_MAX:
            raise ValidationError({"photos": f"每条动态最多 {POST_PHOTOS_MAX} 张照片，请先删除不需要的。"})
        photo = ShowcasePhoto(
            post=locked, position=count, image_format=processed.image_format, width=processed.width, height=processed.height,
            size=processed.image.size, thumb_width=processed.thumb_width, thumb_height=processed.thumb_height,
            caption=(caption or "").strip()[:200], original_name=(uploaded_file.name or "").replace("\\", "/").rsplit("/", 1)[-1][:200],
            uploaded_by=actor, uploaded_at=now or timezone.now(),
        )  # fmt: skip
        photo.image.save("photo.jpg", processed.image, save=False)
        photo.thumbnail.save("photo.jpg", processed.thumbnail, save=False)
        photo.save()
    return photo


def post_photo_remove(*, photo: ShowcasePhoto, actor) -> None:
    """The school removes a photo of a post it can edit; the others close up. Side effects: the
    row deleted, both files deleted after the commit."""
    with transaction.atomic():
        locked = _lock(photo.post)
        _require_writable(locked)
        files = [photo.image, photo.thumbnail]
        photo.delete()
        for position, other in enumerate(locked.photos.order_by("position", "pk")):
            if other.position != position:
                ShowcasePhoto.objects.filter(pk=other.pk).update(position=position)
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])


def post_attachment_set(*, post: ShowcasePost, uploaded_file, actor) -> ShowcasePost:
    """The post's one attachment: a PDF checked by content (inspect_scan: nothing that runs or
    links elsewhere), replacing any earlier one. Raises ValidationError ("attachment"). Side
    effects: the file stored under a random name, the old one deleted after the commit."""
    try:
        kind, digest = inspect_scan(uploaded_file, max_bytes=settings.SCAN_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"attachment": [m.replace("扫描件", "附件") for m in error.messages]}) from error
    if kind != "pdf":
        raise ValidationError({"attachment": "附件只接受 PDF 文件；照片请在“照片”中上传。"})
    with transaction.atomic():
        locked = _lock(post)
        _require_writable(locked)
        old = locked.attachment.name
        locked.attachment.save("attachment.pdf", uploaded_file, save=False)
        locked.attachment_name = (uploaded_file.name or "附件.pdf").replace("\\", "/").rsplit("/", 1)[-1][:200]
        locked.attachment_size, locked.attachment_sha256 = uploaded_file.size, digest
        locked.save()
        if old:
            storage = locked.attachment.storage
            transaction.on_commit(lambda: storage.delete(old))
    return locked


def post_attachment_remove(*, post: ShowcasePost, actor) -> ShowcasePost:
    """The school removes the attachment of a post it can edit. Side effects: the fields cleared,
    the file deleted after the commit."""
    with transaction.atomic():
        locked = _lock(post)
        _require_writable(locked)
        old, storage = locked.attachment.name, locked.attachment.storage
        locked.attachment, locked.attachment_name, locked.attachment_size, locked.attachment_sha256 = "", "", None, ""
        locked.save()
        if old:
            transaction.on_commit(lambda: storage.delete(old))
    return locked


def post_submit(*, post: ShowcasePost, actor, now: datetime | None = None) -> ShowcasePost:
    """The school submits its post for 审核 (again, after a return). Refused without a title and a
    text (WorkflowError "incomplete"). Side effects: state 待审核, submitted_at, the return reason
    cleared; a history row; a mail to the project group (showcase_submitted)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(post)
        _require_writable(locked)
        if not locked.title.strip() or not locked.body.strip():
            raise WorkflowError("请先填写标题和正文，再提交审核。", code="incomplete")
        _move(locked, "submit", actor=actor, now=now)
        locked.submitted_at, locked.return_reason = now, ""
        locked.save()
        tell_staff(template="showcase_submitted", context={"post": locked, "experiment_school": locked.experiment_school})
    return locked


# ---- The project group's side -----------------------------------------------------------------------


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"reason": f"请填写{what}，学校将看到这段说明。"})
    if character_count(text) > REASON_MAX_CHARS:
        raise ValidationError({"reason": f"{what}最多 {REASON_MAX_CHARS} 个字。"})
    return text


def _decide(post: ShowcasePost, action: str, *, actor, now: datetime, reason: str = "") -> ShowcasePost:
    with transaction.atomic():
        locked = _lock(post)
        _move(locked, action, actor=actor, now=now, note=reason)
        locked.reviewed_at, locked.reviewed_by = now, actor
        if action == "approve":
            locked.published_at = now
            kind, title = SchoolNotice.Kind.POST_PUBLISHED, f"建设动态“{locked.title}”已审核通过并发布"
            body = "项目组已审核通过贵校的建设动态，现已在项目展示平台公开发布。"
        else:
            locked.return_reason = reason
            # Off the home page too: a post shown nowhere is featured nowhere.
            locked.featured, locked.featured_at = False, None
            if action == "return":
                kind, title = SchoolNotice.Kind.POST_RETURNED, f"建设动态“{locked.title}”已退回"
                body = f"项目组退回了贵校的建设动态，原因：{reason}\n请修改后重新提交审核。"
            else:
                kind, title = SchoolNotice.Kind.POST_UNPUBLISHED, f"建设动态“{locked.title}”已撤下发布"
                body = f"项目组撤下了贵校已发布的建设动态，原因：{reason}\n修改后可重新提交审核。"
        locked.save()
        tell_school(locked.experiment_school, kind=kind, title=title, body=body, now=now)
    return locked


def post_approve(*, post: ShowcasePost, actor, now: datetime | None = None) -> ShowcasePost:
    """The project group approves a post 待审核 (通过). Side effects: state 已发布, published_at and
    reviewed_at/by; a history row; the school told (workspace notice and mail). From then on the post,
    its photos and its attachment are public and it is in the Atom feed."""
    return _decide(post, "approve", actor=actor, now=now or timezone.now())


def post_return(*, post: ShowcasePost, actor, reason: str, now: datetime | None = None) -> ShowcasePost:
    """The project group returns a post 待审核 with a reason (ValidationError "reason" without
    one). Side effects: state 已退回 with the reason; reviewed_at/by; a history row; the school told
    (workspace notice and mail) with the reason."""
    return _decide(post, "return", actor=actor, now=now or timezone.now(), reason=_reason(reason, "退回原因"))


def post_unpublish(*, post: ShowcasePost, actor, reason: str, now: datetime | None = None) -> ShowcasePost:
    """The project group takes a published post down with a reason (ValidationError "reason"
    without one): it is 已退回, so the school may change it and submit it again. Side effects: no
    longer public (page, photos, attachment, feed), not featured; a history row; the school told."""
    return _decide(post, "unpublish", actor=actor, now=now or timezone.now(), reason=_reason(reason, "撤下原因"))


def post_feature(*, post: ShowcasePost, actor, featured: bool, now: datetime | None = None) -> ShowcasePost:
    """The project group features a published post on the home page's 成果展示, or no longer.
    Refused for a post not published (WorkflowError). Side effects: featured and featured_at; a
    history row when it changed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(post)
        if featured and not locked.is_published:
            raise WorkflowError("只有已发布的动态可以推荐到成果展示。", code="not_published")
        if locked.featured != featured:
            locked.featured, locked.featured_at = featured, now if featured else None
            locked.save(update_fields=["featured", "featured_at"])
            action = ShowcaseLogEntry.Action.FEATURED if featured else ShowcaseLogEntry.Action.UNFEATURED
            ShowcaseLogEntry.objects.create(post=locked, at=now, actor=actor, action=action)
    return locked


def school_feature(*, experiment_school: ExperimentSchool, actor, note: str = "", now: datetime | None = None) -> FeaturedSchool:
    """The project group features a 实验校 on the home page's 成果展示 (again: its note replaced).
    Refused for a school that left (WorkflowError). Side effects: its FeaturedSchool row."""
    if experiment_school.status not in FEATURABLE_SCHOOL_STATUSES:
        raise WorkflowError(f"该校实验校状态为“{experiment_school.get_status_display()}”，不能推荐到成果展示。", code="not_current")
    note = _text(note, field="note", label="推荐语", limit=200, required=False)
    featured, created = FeaturedSchool.objects.get_or_create(
        experiment_school=experiment_school, defaults={"note": note, "featured_by": actor, "featured_at": now or timezone.now()}
    )
    if not created and featured.note != note:
        featured.note = note
        featured.save(update_fields=["note"])
    return featured


def school_unfeature(*, experiment_school: ExperimentSchool, actor) -> bool:
    """The project group no longer features the 实验校. Returns whether it was. Side effects: its
    FeaturedSchool row deleted."""
    deleted, _ = FeaturedSchool.objects.filter(experiment_school=experiment_school).delete()
    return bool(deleted)


# ---- Selectors ----------------------------------------------------------------------------------------


def published_posts():
    """Published posts of the schools the public sees (not of one that left), newest first, with
    their school (the feed, the public lists)."""
    return (
        ShowcasePost.objects.filter(state=PostState.PUBLISHED, experiment_school__status__in=policy.PUBLIC_EXPERIMENT_STATUSES)
        .select_related("experiment_school__school__province", "experiment_school__batch")
        .order_by("-published_at", "-pk")
    )


def staff_queue(*, state: str = PostState.SUBMITTED, batch_id: int | None = None, province_code: str | None = None):
    """The project group's list of posts in `state` (待审核 by default, oldest submission first),
    narrowed to a batch and a province; each with its photo count."""
    from django.db.models import Count

    posts = ShowcasePost.objects.filter(state=state).select_related("experiment_school__school__province", "experiment_school__batch")
    if batch_id:
        posts = posts.filter(experiment_school__batch_id=batch_id)
    if province_code:
        posts = posts.filter(experiment_school__school__province_id=province_code)
    order = ("submitted_at", "pk") if state == PostState.SUBMITTED else ("-published_at", "-updated_at", "-pk")
    return posts.annotate(photo_count=Count("photos")).order_by(*order)
