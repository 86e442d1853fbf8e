"""seed_showcase_scale: the 项目展示推广网络平台 at scale for the benchmark (bench/showcase_pages.py),
made with bulk inserts. A small one here: 实验校 spread over the provinces, a few that left, the
published posts asked for (and the hidden ones never public), photos with their sizes, featured
posts and schools; the public pages open on it; --reset removes only its own."""
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from applications.models import Batch
from demo.management.commands.seed_showcase_scale import SHOWCASE_PREFIX
from programme.models import ExperimentSchool, ExperimentStatus, FeaturedSchool, PostState, ShowcasePhoto, ShowcasePost
from tests.programme.conftest import published_batch


def test_a_small_showcase_and_its_public_pages(db):
    mine = published_batch()  # not the command's: --reset leaves it alone
    call_command("seed_showcase_scale", schools=200, posts=1000, stdout=None)
    (batch,) = Batch.objects.filter(document_number__startswith=SHOWCASE_PREFIX)
    schools = ExperimentSchool.objects.filter(batch=batch)
    assert schools.count() == 200
    assert schools.values("school__province").distinct().count() >= 25  # spread over the provinces
    assert 0 < schools.exclude(status=ExperimentStatus.ACTIVE).count() < 20  # a few left (2 %)
    posts = ShowcasePost.objects.filter(experiment_school__batch=batch)
    assert posts.filter(state=PostState.PUBLISHED).count() == 1000
    assert posts.exclude(state=PostState.PUBLISHED).count() == 100
    assert posts.filter(featured=True).exclude(state=PostState.PUBLISHED).count() == 0
    photos = ShowcasePhoto.objects.filter(post__experiment_school__batch=batch)
    assert photos.count() > 500 and not photos.exclude(post__state=PostState.PUBLISHED).exists()
    assert FeaturedSchool.objects.filter(experiment_school__batch=batch).count() == 12

    active = schools.filter(status=ExperimentStatus.ACTIVE).count()
    listing = Client().get(reverse("showcase_public"), {"batch": batch.pk})
    assert f"符合条件的实验中的实验校 <strong>{active}</strong> 所" in listing.content.decode()
    post = posts.filter(state=PostState.PUBLISHED, experiment_school__status=ExperimentStatus.ACTIVE, photos__isnull=False).first()
    page = Client().get(reverse("showcase_post", args=[post.pk]))
    assert page.status_code == 200 and 'width="480"' in page.content.decode() and 'height="360"' in page.content.decode()
    photo = post.photos.first()
    assert Client().get(reverse("programme:showcase_photo_thumb", args=[photo.key])).status_code == 200

    call_command("seed_showcase_scale", schools=5, posts=10, reset=True, stdout=None)
    assert Batch.objects.filter(document_number__startswith=SHOWCASE_PREFIX).count() == 1
    assert ExperimentSchool.objects.filter(batch__document_number__startswith=SHOWCASE_PREFIX).count() == 5
    assert Batch.objects.filter(pk=mine.pk).exists()
