"""The 建设动态 pages: the 实验校's (its posts, write and edit a draft with photos from a phone and an
optional PDF, submit for 审核, read a return's reason and submit again), the project group's
(the queue, a post with its photos, 通过 / 退回 / 撤下, 成果展示 of posts and schools), the photos
and attachment behind the policy, and the Atom feed of published posts.

Views stay thin: access on the first line (portal.policy), then a service (programme.showcase).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.workflow import WorkflowError
from portal import policy
from portal.protected import protected_file_response
from programme import showcase
from programme.models import POST_PHOTOS_MAX, PostState, ShowcasePhoto, ShowcasePost
from programme.showcase_forms import FeatureSchoolForm, PostForm, QueueFilterForm, ReasonForm

# A published photo's address names its random key, which changes with the photo: a year's cache.
PUBLIC_PHOTO_MAX_AGE = 365 * 24 * 3600
FEED_ITEMS = 50


def _confirmed(request, *, confirmed: bool, refused: str, back: str, action, done: str, then: str | None = None):
    """A button's action: refused with `refused` unless the page's button confirmed it (a bare
    POST does nothing), else `action()`, whose WorkflowError comes back as a message; `done` and
    on to `then` (default `back`) when it went through."""
    if not confirmed:
        messages.error(request, refused)
        return redirect(back)
    try:
        action()
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, done)
    return redirect(then or back)


# ---- The 实验校's pages ---------------------------------------------------------------------------


@login_required
@require_safe
def school_posts(request):
    """The school's posts, newest first, each with its state (and a return's reason)."""
    experiment_school = policy.get_experiment_school_for_school(request.user)
    posts = experiment_school.posts.annotate(photo_count=Count("photos")).order_by("-updated_at", "-pk")
    return render(request, "programme/showcase/school_list.html", {
        "experiment_school": experiment_school, "posts": posts, "may_write": showcase.may_write(experiment_school),
    })  # fmt: skip


def _with_photos(post):
    return ShowcasePost.objects.prefetch_related(Prefetch("photos", ShowcasePhoto.objects.order_by("position", "pk"))).get(pk=post.pk)


def _edit_page(request, post, form, *, status=200, conflict=None):
    experiment_school = post.experiment_school if post else policy.get_experiment_school_for_school(request.user)
    return render(request, "programme/showcase/edit.html", {
        "post": _with_photos(post) if post else None, "form": form, "conflict": conflict, "experiment_school": experiment_school,
        "photos_max": POST_PHOTOS_MAX,
    }, status=status)  # fmt: skip


def _add_files(request, post, form) -> None:
    """Each uploaded photo, then the attachment; a refused one is told next to its field, the
    others are kept."""
    for uploaded in request.FILES.getlist("photos"):
        try:
            showcase.post_photo_add(post=post, uploaded_file=uploaded, actor=request.user)
        except ValidationError as error:
            form.add_error("photos", error.message_dict.get("photos", error.messages))
    if request.FILES.get("attachment"):
        try:
            showcase.post_attachment_set(post=post, uploaded_file=request.FILES["attachment"], actor=request.user)
        except ValidationError as error:
            form.add_error("attachment", error.message_dict.get("attachment", error.messages))


def _field_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def post_new(request):
    """A new post: saved as a draft with what was typed and the photos chosen; 提交审核 at once
    when that button was pressed and the post is complete."""
    experiment_school = policy.get_own_experiment_school(request.user)
    if request.method == "GET":
        return _edit_page(request, None, PostForm())
    form = PostForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "未保存：请按标红处修改，您填写的内容仍在页面上。照片需要重新选择。")
        return _edit_page(request, None, form, status=400)
    try:
        post = showcase.post_create(experiment_school=experiment_school, title=form.cleaned_data["title"],
                                    body=form.cleaned_data["body"], actor=request.user)  # fmt: skip
    except ValidationError as error:
        _field_errors(form, error)
        return _edit_page(request, None, form, status=400)
    return _after_save(request, post, form)


def _after_save(request, post, form):
    _add_files(request, post, form)
    post = ShowcasePost.objects.select_related("experiment_school__school").get(pk=post.pk)
    if form.errors:
        messages.error(request, "正文已保存，但有文件未能上传（见标红处），请重新选择。")
        return _edit_page(request, post, _bound_again(post, form), status=400)
    if "submit" in request.POST:
        try:
            showcase.post_submit(post=post, actor=request.user)
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect("programme:showcase_edit", post.pk)
        messages.success(request, "已提交项目组审核，审核通过后公开发布。")
        return redirect("programme:showcase_post", post.pk)
    messages.success(request, "草稿已保存。")
    return redirect("programme:showcase_edit", post.pk)


def _bound_again(post, form):
    """The form as typed with the file errors it collected, on the saved post's revision."""
    data = form.data.copy()
    data["revision"] = post.revision
    again = PostForm(data)
    again.is_valid()
    for field in ("photos", "attachment"):
        for message in form.errors.get(field, []):
            again.add_error(field, message)
    return again


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, pk):
    """A draft or returned post: title, text, more photos, the attachment; a save over a later
    one is refused and what was typed stays on screen."""
    post = policy.get_own_post(request.user, pk)
    if not post.is_editable or not showcase.may_write(post.experiment_school):
        messages.info(request, f"这条动态当前状态为“{post.get_state_display()}”，不能修改。")
        return redirect("programme:showcase_post", post.pk)
    if request.method == "GET":
        return _edit_page(request, post, PostForm(initial={"title": post.title, "body": post.body, "revision": post.revision}))
    form = PostForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "未保存：请按标红处修改，您填写的内容仍在页面上。照片需要重新选择。")
        return _edit_page(request, post, form, status=400)
    try:
        post = showcase.post_save_draft(post=post, title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                                        actor=request.user, expected_revision=form.cleaned_data.get("revision"))  # fmt: skip
    except showcase.PostConflict as conflict:
        data = request.POST.copy()
        data["revision"] = conflict.current_revision
        return _edit_page(request, post, PostForm(data), status=409, conflict=conflict)
    except ValidationError as error:
        _field_errors(form, error)
        return _edit_page(request, post, form, status=400)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("programme:showcase_post", post.pk)
    return _after_save(request, post, form)


@login_required
@require_safe
def post_detail(request, pk):
    """The school's own post as it will read when published, with its state and history."""
    post = _with_photos(policy.get_own_post(request.user, pk))
    return render(request, "programme/showcase/school_detail.html", {
        "post": post, "log": post.log.select_related("actor"), "may_edit": post.is_editable and showcase.may_write(post.experiment_school),
    })  # fmt: skip


@login_required
@require_POST
def post_submit(request, pk):
    post = policy.get_own_post(request.user, pk)
    return _confirmed(
        request, confirmed=request.POST.get("confirm") == "1", refused="未提交：请在动态页面点“提交审核”。",
        back=reverse("programme:showcase_post", args=[post.pk]), action=lambda: showcase.post_submit(post=post, actor=request.user),
        done="已提交项目组审核，审核通过后公开发布。",
    )  # fmt: skip


@login_required
@require_POST
def photo_delete(request, pk, photo_id):
    post = policy.get_own_post(request.user, pk)
    photo = get_object_or_404(post.photos.all(), pk=photo_id)
    return _confirmed(
        request, confirmed=request.POST.get("confirm") == "1", refused="未删除：请在编辑页面点照片下的“删除”。",
        back=reverse("programme:showcase_edit", args=[post.pk]) + "#photos",
        action=lambda: showcase.post_photo_remove(photo=photo, actor=request.user), done="照片已删除。",
    )  # fmt: skip


@login_required
@require_POST
def attachment_delete(request, pk):
    post = policy.get_own_post(request.user, pk)
    return _confirmed(
        request, confirmed=request.POST.get("confirm") == "1" and bool(post.attachment), refused="未删除：请在编辑页面点附件旁的“删除”。",
        back=reverse("programme:showcase_edit", args=[post.pk]), action=lambda: showcase.post_attachment_remove(post=post, actor=request.user),
        done="附件已删除。",
    )  # fmt: skip


# ---- Photos and the attachment (public once published) --------------------------------------------


@require_safe
def photo(request, key, variant="image"):
    """A photo or its thumbnail: anyone's once the post is published (cached publicly for long by
    the public: its address changes with the photo), else its school's and the project group's,
    never cached."""
    found = policy.get_visible_post_photo(request.user, key)
    fieldfile = found.thumbnail if variant == "thumb" else found.image
    response = protected_file_response(fieldfile, content_type=found.content_type, filename=f"{found.key}.jpg", attachment=False)
    if policy.post_is_public(found.post) and not request.user.is_authenticated:
        # Replaces protected_file_response's private, no-store: this photo is anyone's now. (To a
        # signed-in user portal.http_headers.NoStoreMiddleware marks every response no-store; the
        # public, whom the long cache is for, are not signed in.) No Content-Disposition either:
        # that header makes the middleware take it for a personal file.
        del response["Content-Disposition"]
        response["Cache-Control"] = f"public, max-age={PUBLIC_PHOTO_MAX_AGE}, immutable"
    return response


@require_safe
def attachment(request, pk):
    """The post's PDF, under the same rule as its photos (never cached: it may be replaced)."""
    post = policy.get_visible_post_attachment(request.user, pk)
    return protected_file_response(post.attachment, content_type="application/pdf", filename=post.attachment_name, attachment=True)


# ---- The project group's pages ----------------------------------------------------------------------


@login_required
@require_safe
def staff_queue(request):
    """Posts by state (待审核 by default, oldest first), by batch and province."""
    policy.require_project_staff(request.user)
    form = QueueFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    state = cleaned.get("state") or PostState.SUBMITTED
    batch, province = cleaned.get("batch"), cleaned.get("province")
    posts = showcase.staff_queue(state=state, batch_id=batch.pk if batch else None, province_code=province.pk if province else None)
    counts = dict(ShowcasePost.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return render(request, "programme/showcase/staff_queue.html", {
        "form": form, "posts": posts[:200], "state": state, "state_label": PostState(state).label,
        # A draft is the school's own work until it is submitted: not a list of the project group's.
        "states": [(value, label, counts.get(value, 0)) for value, label in PostState.choices if value != PostState.DRAFT], "batch": batch,
    })  # fmt: skip


def _staff_page(request, post, *, reason_form=None, status=200):
    post = _with_photos(post)
    return render(request, "programme/showcase/staff_detail.html", {
        "post": post, "log": post.log.select_related("actor"), "reason_form": reason_form or ReasonForm(),
        "public_url": showcase.public_url(post) if post.is_published else None,
    }, status=status)  # fmt: skip


@login_required
@require_safe
def staff_post(request, pk):
    return _staff_page(request, policy.get_staff_post(request.user, pk))


@login_required
@require_POST
def staff_approve(request, pk):
    post = policy.get_staff_post(request.user, pk)
    return _confirmed(
        request, confirmed=request.POST.get("confirm") == "1", refused="未发布：请在动态页面点“审核通过并发布”。",
        back=reverse("programme:staff_showcase_post", args=[post.pk]), action=lambda: showcase.post_approve(post=post, actor=request.user),
        done=f"已发布“{post.title}”，并已通知学校。", then=reverse("programme:staff_showcase") + "?state=submitted",
    )  # fmt: skip


def _with_reason(request, post, service, done: str):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, post, reason_form=form, status=400)
    try:
        service(post=post, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _field_errors(form, error)
        return _staff_page(request, post, reason_form=form, status=400)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("programme:staff_showcase_post", post.pk)
    messages.success(request, done.format(title=post.title))
    return redirect("programme:staff_showcase_post", post.pk)


@login_required
@require_POST
def staff_return(request, pk):
    post = policy.get_staff_post(request.user, pk)
    return _with_reason(request, post, showcase.post_return, "已退回“{title}”，学校将看到退回原因。")


@login_required
@require_POST
def staff_unpublish(request, pk):
    post = policy.get_staff_post(request.user, pk)
    return _with_reason(request, post, showcase.post_unpublish, "已撤下“{title}”，学校将看到撤下原因。")


@login_required
@require_POST
def staff_feature_post(request, pk):
    post = policy.get_staff_post(request.user, pk)
    wanted = request.POST.get("featured")  # the page's buttons say which; a bare POST changes nothing
    return _confirmed(
        request, confirmed=wanted in ("0", "1"), refused="未修改：请在动态页面点“推荐到首页成果展示”或“取消推荐”。",
        back=reverse("programme:staff_showcase_post", args=[post.pk]),
        action=lambda: showcase.post_feature(post=post, actor=request.user, featured=wanted == "1"),
        done="已推荐到首页成果展示。" if wanted == "1" else "已取消成果展示推荐。",
    )  # fmt: skip


@login_required
@require_POST
def staff_feature_school(request, pk):
    """Feature the 实验校 on the home page's 成果展示 (featured=1, with an optional note) or no longer (0)."""
    experiment_school = policy.get_staff_experiment_school(request.user, pk)
    back = request.POST.get("next", "")
    back = back if back.startswith("/programme/staff/") else reverse("programme:staff_school", args=[experiment_school.pk])
    wanted = request.POST.get("featured")
    if wanted not in ("0", "1"):
        messages.error(request, "未修改：请点“推荐该校到成果展示”或“取消推荐”。")
        return redirect(back)
    if wanted == "0":
        showcase.school_unfeature(experiment_school=experiment_school, actor=request.user)
        messages.success(request, f"已取消推荐{experiment_school.school.name}。")
        return redirect(back)
    form = FeatureSchoolForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"note": form.errors.get("note", ["推荐语最多 200 字。"])})
        showcase.school_feature(experiment_school=experiment_school, actor=request.user, note=form.cleaned_data["note"])
    except (ValidationError, WorkflowError) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        return redirect(back)
    messages.success(request, f"已推荐{experiment_school.school.name}到首页成果展示。")
    return redirect(back)


# ---- The Atom feed ------------------------------------------------------------------------------------


class PostFeed(Feed):
    """The latest published 建设动态 (Atom 1.0). Only published posts, whatever the reader."""

    feed_type = Atom1Feed
    title = "职业院校服务全民终身学习项目 · 实验校建设动态"
    subtitle = "中国成人教育协会 职业院校服务全民终身学习项目各实验校的建设动态（经项目组审核发布）。"
    author_name = "中国成人教育协会 职业院校服务全民终身学习项目组"

    def get_object(self, request, *args, **kwargs):
        self.request = request  # for the photos' absolute addresses in the entries
        return None

    def link(self):
        return reverse("showcase_feed")

    def items(self):
        return showcase.published_posts().prefetch_related(Prefetch("photos", ShowcasePhoto.objects.order_by("position", "pk")))[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Escaped text with its paragraphs (linebreaks escapes first), then the first photo.
        text = linebreaks(item.body, autoescape=True)
        photos = list(item.photos.all())
        if photos:
            first = photos[0]
            src = self.request.build_absolute_uri(reverse("programme:showcase_photo", args=[first.key]))
            text += f'<p><img src="{src}" width="{first.width}" height="{first.height}" alt="{len(photos)} 张照片之一"></p>'
        return text

    def item_link(self, item):
        return showcase.public_url(item)

    def item_guid(self, item):
        return f"showcase-post-{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item):
        return item.experiment_school.school.name

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_categories(self, item):
        school = item.experiment_school
        return [school.school.province.name, school.batch.short_name]


@require_safe
def post_feed(request):
    """/showcase/feed/: anyone's, signed in or not; it lists published posts only."""
    policy.public(request.user)
    return PostFeed()(request)
