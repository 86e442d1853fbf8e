"""The 建设动态 in the demo data (seed_demo's showcase_posts), as README's demo table tells it: 宁波's
two posts published (the first featured on the home page's 成果展示, and 宁波 featured too), 温州's
returned with the reason it reads, 绵阳's waiting for 审核, 宁波's draft; every photo drawn with GPS
and stored without it; only the published are public (feed, photos)."""
import io
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from demo.management.commands import seed_demo
from portal.models import User
from programme.models import FeaturedSchool, PostState, SchoolNotice, ShowcasePhoto, ShowcasePost
# The demo seeded once for the module, as the 实验周期's demo tests seed it.
from tests.demo.test_seed_demo_programme import _private_media, seed, seeded  # noqa: F401 (fixtures)

NINGBO, WENZHOU, MIANYANG = "宁波市甬江职业高级中学", "温州市瓯海区职业教育中心", "绵阳市安州区职业中学"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def posts(seeded, db):
    return {post.title: post for post in ShowcasePost.objects.select_related("experiment_school__school")}


def signed_in(username) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_each_post_is_in_the_state_the_demo_table_says(posts):
    by_title = {title: (school, fate) for school, title, _body, _captions, _day, fate in seed_demo.SHOWCASE_POSTS}
    assert set(posts) == set(by_title)
    expected = {"published_featured": PostState.PUBLISHED, "published": PostState.PUBLISHED, "returned": PostState.RETURNED,
                "waiting": PostState.SUBMITTED, "draft": PostState.DRAFT}  # fmt: skip
    for title, post in posts.items():
        assert post.state == expected[by_title[title][1]], title
    featured = [p.title for p in posts.values() if p.featured]
    assert featured == ["社区学院分院“智能手机应用”课堂开课"]
    assert FeaturedSchool.objects.get().experiment_school.school.name == NINGBO
    returned = posts["职教中心送教下乡：家政服务技能培训"]
    assert returned.experiment_school.school.name == WENZHOU and returned.return_reason == seed_demo.SHOWCASE_RETURN_REASON
    assert SchoolNotice.objects.filter(experiment_school=returned.experiment_school, kind=SchoolNotice.Kind.POST_RETURNED).count() == 1


def test_each_step_is_on_its_cycle_day(posts):
    for _school, title, _body, _captions, cycle_day, _fate in seed_demo.SHOWCASE_POSTS:
        post = posts[title]
        starts = post.experiment_school.cycle_starts_on
        assert (timezone.localtime(post.created_at).date() - starts).days == cycle_day, title
        if post.published_at:
            assert (timezone.localtime(post.published_at).date() - starts).days == cycle_day + 1, title


def test_no_photo_keeps_its_gps(posts):
    photos = ShowcasePhoto.objects.all()
    assert photos.count() == sum(len(captions) for _school, _title, _body, captions, _day, _fate in seed_demo.SHOWCASE_POSTS) == 7
    for photo in photos:
        with photo.image.open("rb") as stored:
            data = stored.read()
        picture = Image.open(io.BytesIO(data))
        assert not picture.getexif().get_ifd(ExifTags.IFD.GPSInfo) and b"DemoPhone" not in data
        assert max(picture.size) == 1600


def test_the_feed_and_photos_show_only_the_published(posts):
    feed = ET.fromstring(Client().get(reverse("showcase_feed")).content)
    assert [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")] == [
        "乡村学习点电商直播培训走进横街镇", "社区学院分院“智能手机应用”课堂开课",
    ]
    for post in posts.values():
        for photo in post.photos.all():
            status = Client().get(reverse("programme:showcase_photo", args=[photo.key])).status_code
            assert status == (200 if post.state == PostState.PUBLISHED else 404), post.title


def test_the_pages_as_the_accounts_find_them(posts):
    page = signed_in("demo-school-zj3").get(reverse("programme:showcase_school_list")).content.decode()
    assert "已退回" in page and seed_demo.SHOWCASE_RETURN_REASON in page
    queue = signed_in("demo-staff").get(reverse("programme:staff_showcase")).content.decode()
    assert "安州区社区老年学校书法班结业" in queue and "待审核（1）" in queue
    own = signed_in("demo-school-zj2").get(reverse("programme:showcase_school_list")).content.decode()
    assert "第二年项目实施中期小结（草稿）" in own and "成果展示" in own


def test_a_second_run_writes_no_post(seeded, db):
    before = (ShowcasePost.objects.count(), ShowcasePhoto.objects.count(), FeaturedSchool.objects.count())
    seed()
    assert (ShowcasePost.objects.count(), ShowcasePhoto.objects.count(), FeaturedSchool.objects.count()) == before
