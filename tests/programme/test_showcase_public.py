"""The public pages of the 项目展示推广网络平台 (issue 16: 建设项目网络平台并展示宣传各实验校建设动态和成果;
"every 实验校 in its cycle with its own page (school, province, type, batch, its projects, its
published 建设动态 and 成果), a list by province, school type and project category with search, and
the programme's latest news on the home page. A school that has left the programme no longer appears
as a current one."): what the public sees and what it never sees (a post waiting for 审核 or
returned, a school that left), the filters and the search, photos lazy with their size, and the same
number of queries with 10 and with 500 实验校 and posts. The Atom feed is tested with the posts
(tests/programme/test_showcase.py)."""
import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import ProjectCategory
from portal.models import Role, SchoolType
from programme import showcase
from programme.experiment_schools import (
    experiment_school_complete, experiment_schools_create_for, lock_experiment_school, projects_update, status_change,
)  # fmt: skip
from programme.models import ExperimentStatus, PostState, ShowcasePhoto, ShowcasePost
from tests.conftest import make_user
from tests.programme.conftest import published_batch, selected_application
from tests.programme.test_showcase import draft, published
from tests.programme.test_staff_pages_at_scale import add_experiment_schools

@pytest.fixture
def staff(db):
    return make_user("showcase-public-staff", Role.STAFF, is_staff=True)


@pytest.fixture
def schools(trio, private_media):
    return trio


def text_of(response) -> str:
    """The page's visible text, roughly: tags out, whitespace folded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def leave(experiment_school, staff, to_status=ExperimentStatus.WITHDRAWN):
    with transaction.atomic():
        return status_change(experiment_school=lock_experiment_school(experiment_school), to_status=to_status, actor=staff, reason="学校申请退出。")


def get(url, **params):
    """The page as the public opens it (no login)."""
    return Client().get(url, params)


# ---- The list of 实验校 -----------------------------------------------------------------------------------


def test_the_list_shows_every_current_experiment_school_with_province_type_batch_and_projects(schools):
    response = get(reverse("showcase_public"))
    assert response.status_code == 200
    text = text_of(response)
    for name in ("浙江实验职业技术学院", "江苏实验职业技术学院", "四川实验职业技术学院"):
        assert name in text
    assert "湖北未入选职业技术学院" not in text  # not selected: never a 实验校
    assert "共实验中的实验校 3 所" in text
    assert "浙江省 · 高等职业院校 · 第二批实验校" in text
    assert "具体实施项目：" in text


def test_a_school_that_left_is_not_listed_nor_has_a_page_and_its_posts_are_gone(schools, staff):
    experiment_school, user = schools["js"]
    post = published(experiment_school, user, staff, title="江苏的社区课程")
    leave(experiment_school, staff, ExperimentStatus.DEEMED_WITHDRAWN)
    text = text_of(get(reverse("showcase_public")))
    assert "江苏实验职业技术学院" not in text and "共实验中的实验校 2 所" in text
    assert "江苏实验职业技术学院" not in text_of(get(reverse("showcase_public"), status="completed"))
    assert get(reverse("showcase_school", args=[experiment_school.pk])).status_code == 404
    assert get(reverse("showcase_post", args=[post.pk])).status_code == 404
    assert "江苏的社区课程" not in text_of(get(reverse("home")))


def test_a_completed_school_is_no_longer_current_but_its_page_stays_public(schools, staff):
    experiment_school, user = schools["sc"]
    published(experiment_school, user, staff, title="四川三年建设回顾")
    experiment_school_complete(experiment_school=experiment_school, actor=staff)  # the cycle of 2023-06-28 ended in 2026
    current = text_of(get(reverse("showcase_public")))
    assert "四川实验职业技术学院" not in current and "共实验中的实验校 2 所" in current
    completed = text_of(get(reverse("showcase_public"), status="completed"))
    assert "四川实验职业技术学院" in completed and "浙江实验职业技术学院" not in completed
    page = text_of(get(reverse("showcase_school", args=[experiment_school.pk])))
    assert "已结项" in page and "四川三年建设回顾" in page


def test_filters_by_province_school_type_project_category_and_batch(schools, staff):
    zj, _ = schools["zj"]
    projects_update(experiment_school=zj, actor=staff, categories=[ProjectCategory.objects.get(code="employment-training")])
    first = published_batch(short_name="第一批实验校", year=2022, number="中成协〔2022〕012号", meeting_on=timezone.localdate() - timedelta(days=300))
    selected_application(first, "广东第一批职业学校", "440000", school_type=SchoolType.SECONDARY_VOCATIONAL)
    experiment_schools_create_for(batch=first)
    url = reverse("showcase_public")

    def names(**params):
        return {n for n in ("浙江实验职业技术学院", "江苏实验职业技术学院", "四川实验职业技术学院", "广东第一批职业学校") if n in text_of(get(url, **params))}

    assert names(province="330000") == {"浙江实验职业技术学院"}
    assert names(school_type=SchoolType.SECONDARY_VOCATIONAL) == {"广东第一批职业学校"}
    assert names(category="employment-training") == {"浙江实验职业技术学院"}
    assert names(batch=first.pk) == {"广东第一批职业学校"}
    assert names(province="330000", school_type=SchoolType.SECONDARY_VOCATIONAL) == set()
    assert "没有符合条件的实验校" in text_of(get(url, province="330000", school_type=SchoolType.SECONDARY_VOCATIONAL))
    # A value the page cannot have sent drops that filter alone.
    assert names(province="999999", batch=first.pk) == {"广东第一批职业学校"}


def test_search_finds_school_names_and_project_names(schools, staff):
    sc, _ = schools["sc"]
    other = ProjectCategory.objects.get(is_other=True)
    projects_update(experiment_school=sc, actor=staff, categories=[other], other_name="川西乡村夜校")
    url = reverse("showcase_public")
    assert "浙江实验职业技术学院" in text_of(get(url, q="浙江")) and "江苏实验职业技术学院" not in text_of(get(url, q="浙江"))
    found = text_of(get(url, q="乡村夜校"))
    assert "四川实验职业技术学院" in found and "浙江实验职业技术学院" not in found
    assert "符合条件的实验中的实验校 1 所" in found
    elderly = ProjectCategory.objects.get(code="elderly-education")
    assert "浙江实验职业技术学院" in text_of(get(url, q=elderly.name))  # the category's name


def test_the_list_is_paged_and_the_pages_keep_the_filters(schools):
    add_experiment_schools(schools["zj"][0].batch, 30, 0)
    response = get(reverse("showcase_public"), province="330000")
    text = text_of(response)
    assert "符合条件的实验中的实验校 31 所" in text and "第 1 / 2 页" in text
    assert "province=330000&amp;page=2" in response.content.decode()
    assert "第 2 / 2 页" in text_of(get(reverse("showcase_public"), province="330000", page=2))


# ---- A 实验校's page and a post's ----------------------------------------------------------------------


def test_a_school_page_shows_its_published_posts_newest_first_and_its_featured_ones_as_achievements(schools, staff):
    experiment_school, user = schools["zj"]
    older = published(experiment_school, user, staff, title="老年大学开学典礼", photos=0)
    newer = published(experiment_school, user, staff, title="社区学习中心揭牌", photos=1)
    ShowcasePost.objects.filter(pk=older.pk).update(published_at=newer.published_at - timedelta(days=3))
    showcase.post_feature(post=older, actor=staff, featured=True)
    waiting = showcase.post_submit(post=draft(experiment_school, user, title="待审核的动态", photos=0), actor=user)
    returned = showcase.post_return(post=showcase.post_submit(post=draft(experiment_school, user, title="退回的动态", photos=0), actor=user),
                                    actor=staff, reason="照片不清晰。")  # fmt: skip
    draft(experiment_school, user, title="还在写的草稿", photos=0)
    response = get(reverse("showcase_school", args=[experiment_school.pk]))
    text = text_of(response)
    assert "浙江实验职业技术学院" in text and "浙江省" in text and "高等职业院校" in text and "第二批实验校" in text
    assert "建设动态（2 条）" in text
    posts_part = text.split("建设动态（2 条）")[1]
    assert posts_part.index("社区学习中心揭牌") < posts_part.index("老年大学开学典礼")
    achievements = text.split("成果")[1].split("建设动态（2 条）")[0]
    assert "老年大学开学典礼" in achievements and "社区学习中心揭牌" not in achievements
    for hidden in ("待审核的动态", "退回的动态", "还在写的草稿", "照片不清晰"):
        assert hidden not in text
    for post in (waiting, returned):
        assert get(reverse("showcase_post", args=[post.pk])).status_code == 404


def test_a_school_page_pages_its_posts(schools, staff):
    experiment_school, user = schools["zj"]
    now = timezone.now()
    ShowcasePost.objects.bulk_create(
        ShowcasePost(experiment_school=experiment_school, title=f"第{n}期社区课程", body="课程。", state=PostState.PUBLISHED,
                     published_at=now - timedelta(hours=n))
        for n in range(1, 13)
    )  # fmt: skip
    first = text_of(get(reverse("showcase_school", args=[experiment_school.pk])))
    assert "建设动态（12 条）" in first and "第 1 / 2 页" in first and "第1期社区课程" in first and "第12期社区课程" not in first
    second = text_of(get(reverse("showcase_school", args=[experiment_school.pk]), page=2))
    assert "第12期社区课程" in second and "第1期社区课程" not in second


def test_a_post_page_shows_its_text_escaped_and_its_photos_lazy_with_their_size_linking_the_full_size(schools, staff):
    experiment_school, user = schools["zj"]
    post = published(experiment_school, user, staff, title="<b>揭牌</b>仪式", body="第一段<script>alert(1)</script>\n\n第二段", photos=2)
    response = get(reverse("showcase_post", args=[post.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;揭牌&lt;/b&gt;仪式" in html
    assert "<p>第一段" in html and "<p>第二段</p>" in html
    photos = list(ShowcasePhoto.objects.filter(post=post).order_by("position", "pk"))
    assert len(photos) == 2
    for photo in photos:
        full = reverse("programme:showcase_photo", args=[photo.key])
        thumb = reverse("programme:showcase_photo_thumb", args=[photo.key])
        assert f'href="{full}"' in html
        img = re.search(rf'<img[^>]*src="{re.escape(thumb)}"[^>]*>', html).group(0)
        assert 'loading="lazy"' in img and f'width="{photo.thumb_width}"' in img and f'height="{photo.thumb_height}"' in img
        # The public may open both (the post is published).
        assert get(thumb).status_code == 200 and get(full).status_code == 200
    assert "浙江实验职业技术学院" in text_of(response)


def test_an_unpublished_post_is_a_404_to_everyone_its_school_and_staff_included(schools, staff):
    experiment_school, user = schools["zj"]
    post = published(experiment_school, user, staff)
    showcase.post_unpublish(post=post, actor=staff, reason="内容需更新。")
    for client_user in (None, user, staff):
        client = Client()
        if client_user:
            client.force_login(client_user)
        assert client.get(reverse("showcase_post", args=[post.pk])).status_code == 404


# ---- The home page -------------------------------------------------------------------------------------


def test_the_home_page_shows_the_latest_news_and_what_staff_featured_only_when_there_is_some(schools, staff):
    text = text_of(get(reverse("home")))
    assert "实验校建设动态" not in text and "成果展示" not in text
    zj, zj_user = schools["zj"]
    js, js_user = schools["js"]
    news = published(zj, zj_user, staff, title="社区学习中心揭牌", photos=1)
    showcase.post_submit(post=draft(js, js_user, title="待审核的江苏动态", photos=0), actor=js_user)
    text = text_of(get(reverse("home")))
    assert "实验校建设动态" in text and "社区学习中心揭牌" in text and "浙江实验职业技术学院" in text
    assert "成果展示" not in text and "待审核的江苏动态" not in text
    showcase.post_feature(post=news, actor=staff, featured=True)
    showcase.school_feature(experiment_school=js, actor=staff, note="老年教育课程覆盖全市社区")
    text = text_of(get(reverse("home")))
    featured = text.split("成果展示")[1].split("实验校建设动态")[0]
    assert "江苏实验职业技术学院" in featured and "老年教育课程覆盖全市社区" in featured and "社区学习中心揭牌" in featured
    # A featured school that leaves is featured no more.
    leave(js, staff)
    assert "老年教育课程覆盖全市社区" not in text_of(get(reverse("home")))


# ---- Constant queries ------------------------------------------------------------------------------------


def queries(url) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def grow(batch, count, start, staff):
    """`count` more 实验校 (bulk), each with two published posts (one featured, every fifth school
    featured too) carrying a photo row, and a post waiting for 审核."""
    from programme.models import FeaturedSchool

    made = add_experiment_schools(batch, count, start)
    now = timezone.now()
    posts = ShowcasePost.objects.bulk_create(
        ShowcasePost(experiment_school=s, title=f"建设动态{start + i}-{n}", body="正文。", state=PostState.PUBLISHED,
                     published_at=now - timedelta(minutes=start + i + n), featured=n == 0, featured_at=now if n == 0 else None)
        for i, s in enumerate(made) for n in (0, 1)
    )  # fmt: skip
    ShowcasePost.objects.bulk_create(ShowcasePost(experiment_school=s, title="待审核", body="正文。", state=PostState.SUBMITTED) for s in made)
    ShowcasePhoto.objects.bulk_create(
        ShowcasePhoto(post=p, image=f"showcase/{p.experiment_school_id}/photos/k{p.pk}.jpg", image_format="jpeg", width=1600, height=1200,
                      size=1000, thumbnail=f"showcase/{p.experiment_school_id}/photos/k{p.pk}-thumb.jpg", thumb_width=480, thumb_height=360)
        for p in posts
    )  # fmt: skip
    FeaturedSchool.objects.bulk_create(FeaturedSchool(experiment_school=s, featured_by=staff) for s in made[::5])
    return made


@pytest.mark.parametrize("page", ["list", "search", "filtered", "school", "post", "home"])
def test_the_public_pages_read_as_many_queries_for_500_schools_and_1000_posts_as_for_10(db, staff, page):
    batch = published_batch(meeting_on=timezone.localdate() - timedelta(days=400))
    made = grow(batch, 10, 0, staff)
    first = made[0]
    post = first.posts.filter(state=PostState.PUBLISHED).first()
    url = {
        "list": reverse("showcase_public"),
        "search": reverse("showcase_public") + "?q=规模测试",
        "filtered": reverse("showcase_public") + f"?province=330000&school_type=higher&category=elderly-education&batch={batch.pk}",
        "school": reverse("showcase_school", args=[first.pk]),
        "post": reverse("showcase_post", args=[post.pk]),
        "home": reverse("home"),
    }[page]
    few = queries(url)
    grow(batch, 490, 10, staff)
    # The first school gets more posts too: its page pages them.
    ShowcasePost.objects.bulk_create(
        ShowcasePost(experiment_school=first, title=f"更多{n}", body="正文。", state=PostState.PUBLISHED, published_at=timezone.now())
        for n in range(40)
    )  # fmt: skip
    assert ShowcasePost.objects.filter(state=PostState.PUBLISHED).count() == 1040
    assert queries(url) == few


def test_a_school_the_published_evaluation_names_优质校_is_marked_on_its_page_and_in_the_list_only_once_published(schools, staff):
    """五: 组织项目优质校评估与推广 — the showcase marks a 优质校, never before the results are published."""
    from programme.models import EvaluationDecision, EvaluationRound, EvaluationStandard, EvaluationSubmission

    zj = schools["zj"][0]
    now = timezone.now()
    standard = EvaluationStandard.objects.create(batch=zj.batch, published_at=now - timedelta(days=90))
    evaluation_round = EvaluationRound.objects.create(standard=standard, batch=zj.batch, name="项目优质校评估", opens_at=now - timedelta(days=60),
                                                      deadline=now - timedelta(days=30))  # fmt: skip
    submission = EvaluationSubmission.objects.create(round=evaluation_round, experiment_school=zj, state="submitted", summary="总结。")
    EvaluationDecision.objects.create(submission=submission, outcome="excellent", opinion="评为优质校。", decided_by=staff)
    school_url = reverse("showcase_school", args=[zj.pk])
    assert "项目优质校" not in text_of(get(school_url)) and "优质校" not in text_of(get(reverse("showcase_public")))
    EvaluationRound.objects.filter(pk=evaluation_round.pk).update(published_at=now - timedelta(days=1))
    assert f"项目优质校 {zj.batch.short_name}·项目优质校评估评为优质校" in text_of(get(school_url))
    listed = text_of(get(reverse("showcase_public")))
    assert f"{zj.school.name} 优质校" in listed and listed.count("优质校") == 1  # the other two are not
