"""建设动态 (issue 16: a 实验校 writes a post (title, text, up to 9 photos, optional attachment); it
appears after staff approve it (审核: 通过, or 退回 with a reason the school sees) ... text is shown
safely. An Atom feed of published posts): the services, the school's and the project group's pages,
and moderation visibility — nothing unapproved is public, neither page, photo, attachment nor feed."""
import io
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from applications.workflow import WorkflowError
from portal.models import Role
from programme import showcase
from programme.models import ExperimentStatus, FeaturedSchool, PostState, SchoolNotice, ShowcasePost
from tests.conftest import make_user, pdf_bytes, upload
from tests.programme.test_showcase_images import gps_exif, photo_bytes

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def staff(db):
    return make_user("showcase-staff", Role.STAFF, is_staff=True)


@pytest.fixture
def zj(trio, private_media):
    return trio["zj"]


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def phone_photo(name="IMG_0001.jpg"):
    return upload(name, photo_bytes(size=(1800, 1200), exif=gps_exif()), "image/jpeg")


def draft(experiment_school, user, *, title="校企共建社区学习中心揭牌", body="本周我校与街道共建的社区学习中心揭牌。\n\n首批开设 6 门课程。", photos=1):
    post = showcase.post_create(experiment_school=experiment_school, title=title, body=body, actor=user)
    for n in range(photos):
        showcase.post_photo_add(post=post, uploaded_file=phone_photo(f"IMG_{n}.jpg"), actor=user)
    return ShowcasePost.objects.get(pk=post.pk)


def published(experiment_school, user, staff, **options):
    post = draft(experiment_school, user, **options)
    showcase.post_submit(post=post, actor=user)
    return showcase.post_approve(post=post, actor=staff)


# ---- The rules of the journey ------------------------------------------------------------------------


def test_a_post_moves_draft_submitted_published_and_the_school_is_told(zj, staff):
    experiment_school, user = zj
    post = draft(experiment_school, user)
    assert post.state == PostState.DRAFT
    mail.outbox.clear()
    post = showcase.post_submit(post=post, actor=user)
    assert post.state == PostState.SUBMITTED and post.submitted_at
    assert any("建设动态待审核" in m.subject for m in mail.outbox)  # the project group is told
    post = showcase.post_approve(post=post, actor=staff)
    assert post.state == PostState.PUBLISHED and post.published_at and post.reviewed_by == staff
    notice = SchoolNotice.objects.get(experiment_school=experiment_school, kind=SchoolNotice.Kind.POST_PUBLISHED)
    assert "已审核通过并发布" in notice.title
    assert [a.action for a in post.log.all()] == ["created", "submitted", "published"]


def test_return_needs_a_reason_the_school_reads_and_it_resubmits(zj, staff):
    experiment_school, user = zj
    post = showcase.post_submit(post=draft(experiment_school, user), actor=user)
    with pytest.raises(Exception) as caught:
        showcase.post_return(post=post, actor=staff, reason="  ")
    assert "请填写退回原因" in str(caught.value)
    mail.outbox.clear()
    post = showcase.post_return(post=post, actor=staff, reason="照片中有学生正面肖像，请更换。")
    assert post.state == PostState.RETURNED and post.return_reason == "照片中有学生正面肖像，请更换。"
    assert any("照片中有学生正面肖像" in m.body for m in mail.outbox)
    page = client_for(user).get(reverse("programme:showcase_post", args=[post.pk])).content.decode()
    assert "已退回" in page and "照片中有学生正面肖像，请更换。" in page and "重新提交审核" in page
    post = showcase.post_save_draft(post=post, title=post.title, body=post.body + "\n已更换照片。", actor=user, expected_revision=post.revision)
    post = showcase.post_submit(post=post, actor=user)
    assert post.state == PostState.SUBMITTED and post.return_reason == ""


def test_unpublish_with_a_reason_takes_it_down_and_off_the_home_page(zj, staff):
    experiment_school, user = zj
    post = published(experiment_school, user, staff)
    post = showcase.post_feature(post=post, actor=staff, featured=True)
    assert post.featured and post.featured_at
    with pytest.raises(Exception):
        showcase.post_unpublish(post=post, actor=staff, reason="")
    post = showcase.post_unpublish(post=post, actor=staff, reason="活动信息有误，请核实后再提交。")
    assert post.state == PostState.RETURNED and not post.featured
    assert SchoolNotice.objects.filter(experiment_school=experiment_school, kind=SchoolNotice.Kind.POST_UNPUBLISHED).exists()
    assert not showcase.published_posts().exists()


def test_only_a_published_post_can_be_featured(zj, staff):
    experiment_school, user = zj
    post = draft(experiment_school, user)
    with pytest.raises(WorkflowError):
        showcase.post_feature(post=post, actor=staff, featured=True)


def test_a_submitted_or_published_post_cannot_be_changed_by_the_school(zj, staff):
    experiment_school, user = zj
    post = showcase.post_submit(post=draft(experiment_school, user), actor=user)
    with pytest.raises(WorkflowError):
        showcase.post_save_draft(post=post, title="改", body="改", actor=user, expected_revision=post.revision)
    with pytest.raises(WorkflowError):
        showcase.post_photo_add(post=post, uploaded_file=phone_photo(), actor=user)


def test_a_post_needs_a_title_and_text_to_be_submitted(zj):
    experiment_school, user = zj
    post = draft(experiment_school, user, body="", photos=0)
    with pytest.raises(WorkflowError) as caught:
        showcase.post_submit(post=post, actor=user)
    assert "请先填写标题和正文" in str(caught.value)


def test_at_most_nine_photos(zj):
    experiment_school, user = zj
    post = draft(experiment_school, user, photos=9)
    with pytest.raises(Exception) as caught:
        showcase.post_photo_add(post=post, uploaded_file=phone_photo(), actor=user)
    assert "最多 9 张照片" in str(caught.value)
    assert post.photos.count() == 9


def test_a_stored_photo_has_no_gps_and_its_sizes(zj):
    experiment_school, user = zj
    photo = draft(experiment_school, user).photos.get()
    assert (photo.width, photo.height, photo.thumb_width, photo.thumb_height) == (1600, 1067, 480, 320)
    with photo.image.open("rb") as stored:
        picture = Image.open(io.BytesIO(stored.read()))
    assert not picture.getexif().get_ifd(ExifTags.IFD.GPSInfo) and len(picture.getexif()) == 0


def test_a_school_that_left_reads_its_posts_only(zj, staff):
    experiment_school, user = zj
    post = draft(experiment_school, user)
    experiment_school.__class__.objects.filter(pk=experiment_school.pk).update(status=ExperimentStatus.WITHDRAWN)
    experiment_school.refresh_from_db()
    with pytest.raises(WorkflowError):
        showcase.post_create(experiment_school=experiment_school, title="新动态", body="正文", actor=user)
    with pytest.raises(WorkflowError):
        showcase.post_submit(post=ShowcasePost.objects.get(pk=post.pk), actor=user)
    client = client_for(user)
    page = client.get(reverse("programme:showcase_school_list")).content.decode()
    assert "不能再发布或修改建设动态" in page and post.title in page
    assert client.get(reverse("programme:showcase_new")).status_code == 403
    with pytest.raises(WorkflowError):
        showcase.school_feature(experiment_school=experiment_school, actor=staff)


def test_a_school_is_featured_and_unfeatured(zj, staff):
    experiment_school, _user = zj
    showcase.school_feature(experiment_school=experiment_school, actor=staff, note="社区教育成果突出")
    assert FeaturedSchool.objects.get(experiment_school=experiment_school).note == "社区教育成果突出"
    assert showcase.school_unfeature(experiment_school=experiment_school, actor=staff)
    assert not FeaturedSchool.objects.exists()


# ---- Moderation visibility: nothing unapproved is public ------------------------------------------------


def feed_entries(client=None) -> list:
    response = (client or Client()).get(reverse("showcase_feed"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


@pytest.mark.parametrize("state", ["draft", "submitted", "returned", "unpublished"])
def test_an_unapproved_post_is_nowhere_public(zj, staff, state, trio):
    experiment_school, user = zj
    post = draft(experiment_school, user)
    showcase.post_attachment_set(post=post, uploaded_file=upload("方案.pdf", pdf_bytes(), "application/pdf"), actor=user)
    if state != "draft":
        post = showcase.post_submit(post=post, actor=user)
    if state == "returned":
        showcase.post_return(post=post, actor=staff, reason="请补充活动时间。")
    if state == "unpublished":
        showcase.post_approve(post=post, actor=staff)
        showcase.post_unpublish(post=post, actor=staff, reason="请核实。")
    photo = post.photos.get()
    other_school_user = trio["js"][1]
    for who in (None, other_school_user):
        client = client_for(who)
        assert client.get(reverse("programme:showcase_photo", args=[photo.key])).status_code == 404
        assert client.get(reverse("programme:showcase_photo_thumb", args=[photo.key])).status_code == 404
        assert client.get(reverse("programme:showcase_attachment", args=[post.pk])).status_code == 404
        assert feed_entries(client) == []
    assert client_for(other_school_user).get(reverse("programme:showcase_post", args=[post.pk])).status_code == 404
    # Its school and the project group see it, never from a shared cache.
    for who in (user, staff):
        response = client_for(who).get(reverse("programme:showcase_photo", args=[photo.key]))
        assert response.status_code == 200 and "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_a_published_post_is_in_the_feed_and_its_photos_are_public_and_cached(zj, staff):
    experiment_school, user = zj
    post = published(experiment_school, user, staff, body="第一段<script>alert(1)</script>\n\n第二段")
    [entry] = feed_entries()
    assert entry.find(f"{ATOM}title").text == post.title
    assert entry.find(f"{ATOM}author/{ATOM}name").text == experiment_school.school.name
    content = entry.find(f"{ATOM}summary").text
    assert "&lt;script&gt;" in content and "<script>" not in content and "<p>第二段</p>" in content
    photo = post.photos.get()
    assert reverse("programme:showcase_photo", args=[photo.key]) in content
    response = Client().get(reverse("programme:showcase_photo", args=[photo.key]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "public" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert Image.open(io.BytesIO(body)).size == (1600, 1067)
    assert b"PhoneMaker" not in body


def test_the_feed_lists_only_published_posts_newest_first(zj, staff, trio):
    experiment_school, user = zj
    first = published(experiment_school, user, staff, title="第一条")
    showcase.post_submit(post=draft(experiment_school, user, title="待审核的"), actor=user)
    draft(experiment_school, user, title="草稿")
    second = published(trio["js"][0], trio["js"][1], staff, title="第二条")
    assert [e.find(f"{ATOM}title").text for e in feed_entries()] == [second.title, first.title]


# ---- The pages ------------------------------------------------------------------------------------------


def test_the_school_writes_a_post_with_photos_from_a_phone_and_submits_it(zj):
    experiment_school, user = zj
    client = client_for(user)
    page = client.get(reverse("programme:showcase_new")).content.decode()
    assert 'accept="image/*"' in page and "multiple" in page
    response = client.post(reverse("programme:showcase_new"), {
        "title": "老年大学智能手机课开班", "body": "首期 40 人。\n\n第二段。", "submit": "1",
        "photos": [phone_photo("a.jpg"), phone_photo("b.jpg")],
    })  # fmt: skip
    post = ShowcasePost.objects.get()
    assert response.status_code == 302 and post.state == PostState.SUBMITTED and post.photos.count() == 2
    page = client.get(reverse("programme:showcase_post", args=[post.pk])).content.decode()
    assert "<p>首期 40 人。</p>" in page and "已提交项目组审核" in page
    assert 'width="480" height="320"' in page and 'loading="lazy"' in page


def test_a_bad_photo_is_told_next_to_the_field_and_the_text_is_kept(zj):
    experiment_school, user = zj
    client = client_for(user)
    response = client.post(reverse("programme:showcase_new"), {
        "title": "标题保留", "body": "正文保留", "save": "1", "photos": [upload("photo.jpg", b"%PDF-1.4 not a photo")],
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "photo.jpg：只接受 JPEG、PNG 或 WebP 格式的照片" in page
    assert "标题保留" in page and "正文保留" in page
    assert ShowcasePost.objects.get().title == "标题保留"  # the text was saved, the file refused


def test_an_empty_title_is_told_and_nothing_typed_is_lost(zj):
    experiment_school, user = zj
    response = client_for(user).post(reverse("programme:showcase_new"), {"title": "", "body": "写了一半的正文"})
    page = response.content.decode()
    assert response.status_code == 400 and "请填写标题。" in page and "写了一半的正文" in page
    assert not ShowcasePost.objects.exists()


def test_a_stale_save_is_refused_and_keeps_what_was_typed(zj):
    experiment_school, user = zj
    post = draft(experiment_school, user)
    showcase.post_save_draft(post=post, title="别处改过", body="别处", actor=user, expected_revision=post.revision)
    response = client_for(user).post(reverse("programme:showcase_edit", args=[post.pk]),
                                     {"title": "本页的标题", "body": "本页的正文", "revision": post.revision})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 409 and "为免覆盖" in page and "本页的正文" in page
    assert ShowcasePost.objects.get(pk=post.pk).title == "别处改过"


def test_staff_queue_filters_and_approve_and_return_on_the_page(zj, staff, trio):
    experiment_school, user = zj
    zj_post = showcase.post_submit(post=draft(experiment_school, user, title="浙江的动态"), actor=user)
    js_post = showcase.post_submit(post=draft(trio["js"][0], trio["js"][1], title="江苏的动态"), actor=trio["js"][1])
    client = client_for(staff)
    page = client.get(reverse("programme:staff_showcase")).content.decode()
    assert "浙江的动态" in page and "江苏的动态" in page and "待审核（2）" in page
    page = client.get(reverse("programme:staff_showcase") + "?province=320000").content.decode()
    assert "江苏的动态" in page and "浙江的动态" not in page
    page = client.get(reverse("programme:staff_showcase_post", args=[zj_post.pk])).content.decode()
    assert "审核通过并发布" in page and "退回" in page
    assert client.post(reverse("programme:staff_showcase_approve", args=[zj_post.pk])).status_code == 302
    assert ShowcasePost.objects.get(pk=zj_post.pk).state == PostState.SUBMITTED  # a bare POST publishes nothing
    client.post(reverse("programme:staff_showcase_approve", args=[zj_post.pk]), {"confirm": "1"})
    assert ShowcasePost.objects.get(pk=zj_post.pk).state == PostState.PUBLISHED
    response = client.post(reverse("programme:staff_showcase_return", args=[js_post.pk]), {"reason": ""})
    assert response.status_code == 400 and "请填写原因" in response.content.decode()
    client.post(reverse("programme:staff_showcase_return", args=[js_post.pk]), {"reason": "请补充照片说明。"})
    assert ShowcasePost.objects.get(pk=js_post.pk).return_reason == "请补充照片说明。"


def test_staff_feature_a_post_and_its_school_on_the_page(zj, staff):
    experiment_school, user = zj
    post = published(experiment_school, user, staff)
    client = client_for(staff)
    client.post(reverse("programme:staff_showcase_feature", args=[post.pk]), {"featured": "1"})
    assert ShowcasePost.objects.get(pk=post.pk).featured
    client.post(reverse("programme:staff_school_feature", args=[experiment_school.pk]), {"featured": "1", "note": "示范"})
    assert FeaturedSchool.objects.get().note == "示范"
    page = client.get(reverse("programme:staff_showcase_post", args=[post.pk])).content.decode()
    assert "取消成果展示推荐" in page and "取消推荐该校" in page


def test_the_workspace_and_the_staff_nav_link_to_the_showcase(zj, staff):
    experiment_school, user = zj
    assert reverse("programme:showcase_school_list") in client_for(user).get(reverse("dashboard")).content.decode()
    page = client_for(staff).get(reverse("programme:staff_showcase")).content.decode()
    assert f'href="{reverse("programme:staff_showcase")}">建设动态</a>' in page


def test_staff_feature_a_school_from_its_staff_page_and_a_school_that_left_is_refused(zj, staff, trio):
    experiment_school, _user = zj
    client = client_for(staff)
    school_page = reverse("programme:staff_school", args=[experiment_school.pk])
    assert "推荐该校到成果展示" in client.get(school_page).content.decode()
    response = client.post(reverse("programme:staff_school_feature", args=[experiment_school.pk]),
                           {"featured": "1", "note": "乡村学习点建设成效明显", "next": school_page})  # fmt: skip
    assert response["Location"] == school_page
    page = client.get(school_page).content.decode()
    assert "已推荐到首页成果展示" in page and "乡村学习点建设成效明显" in page and "取消推荐该校" in page
    client.post(reverse("programme:staff_school_feature", args=[experiment_school.pk]), {"featured": "0", "next": school_page})
    assert not FeaturedSchool.objects.exists()
    left = trio["js"][0]
    type(left).objects.filter(pk=left.pk).update(status=ExperimentStatus.WITHDRAWN)
    client.post(reverse("programme:staff_school_feature", args=[left.pk]), {"featured": "1"})
    assert not FeaturedSchool.objects.exists()
    assert "不能推荐到成果展示" in client.get(reverse("programme:staff_school", args=[left.pk])).content.decode()


def test_the_staff_queue_lists_no_drafts(zj, staff):
    experiment_school, user = zj
    draft(experiment_school, user, title="学校还在写的草稿")
    client = client_for(staff)
    for query in ("", "?state=draft"):
        page = client.get(reverse("programme:staff_showcase") + query).content.decode()
        assert "学校还在写的草稿" not in page and "草稿（" not in page


def test_the_attachment_is_a_pdf_checked_by_content_and_photos_can_be_removed(zj):
    experiment_school, user = zj
    post = draft(experiment_school, user, photos=2)
    client = client_for(user)
    edit = reverse("programme:showcase_edit", args=[post.pk])
    response = client.post(edit, {"title": post.title, "body": post.body, "revision": post.revision,
                                  "attachment": upload("方案.pdf", photo_bytes(size=(100, 100)), "application/pdf")})  # fmt: skip
    assert response.status_code == 400 and "附件只接受 PDF 文件" in response.content.decode()
    post.refresh_from_db()
    client.post(edit, {"title": post.title, "body": post.body, "revision": post.revision,
                       "attachment": upload("实施方案.pdf", pdf_bytes(), "application/pdf")})  # fmt: skip
    post.refresh_from_db()
    assert post.attachment_name == "实施方案.pdf" and post.attachment_sha256
    response = client.get(reverse("programme:showcase_attachment", args=[post.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    first, second = post.photos.all()
    client.post(reverse("programme:showcase_photo_delete", args=[post.pk, first.pk]), {"confirm": "1"})
    assert list(post.photos.values_list("pk", "position")) == [(second.pk, 0)]
    assert client.get(reverse("programme:showcase_photo", args=[first.key])).status_code == 404
    client.post(reverse("programme:showcase_attachment_delete", args=[post.pk]), {"confirm": "1"})
    post.refresh_from_db()
    assert not post.attachment and post.attachment_name == ""
