"""Two reviewers acting on the same application at once: one wins, the other is told, nothing is
recorded twice. Forwarding twice (double click, two tabs) forwards once."""
import threading

import pytest
from django.db import OperationalError, connection, connections

from applications.models import Application, ProvincialWindow, Status, TimelineEntry
from applications.workflow import WorkflowError
from portal.models import OutgoingMail, Role
from review.models import Forwarding, ProvincialReview
from review.provincial import province_decline, province_forward, province_recommend, province_return
from tests.conftest import make_user
from tests.review.helpers import submitted_application

STEPS = {
    "recommend": lambda app, who: province_recommend(application=app, actor=who, opinion="同意推荐。", rank=1),
    "decline": lambda app, who: province_decline(application=app, actor=who, reason="不够具体。"),
    "return": lambda app, who: province_return(application=app, actor=who, reason="请补盖公章。"),
}
OUTCOME = {"recommend": Status.RECOMMENDED, "decline": Status.NOT_RECOMMENDED, "return": Status.RETURNED}


@pytest.fixture
def second_reviewer(zhejiang_association):
    return make_user("reviewer-zj-2", Role.PROVINCE, association=zhejiang_association)


def decisions(application) -> list[str]:
    return list(
        TimelineEntry.objects.filter(application=application, action__startswith="province_").values_list("action", flat=True)
    )


@pytest.mark.parametrize("first", list(STEPS))
@pytest.mark.parametrize("second", list(STEPS))
def test_the_second_of_two_stale_copies_is_told_and_nothing_is_recorded_twice(
    zhejiang_reviewer, second_reviewer, submitted_a, first, second
):
    # Both reviewers opened the page while it was still submitted.
    copy_one = Application.objects.get(pk=submitted_a.pk)
    copy_two = Application.objects.get(pk=submitted_a.pk)
    STEPS[first](copy_one, zhejiang_reviewer)
    mails = OutgoingMail.objects.count()

    with pytest.raises(WorkflowError) as refused:
        STEPS[second](copy_two, second_reviewer)

    stored = Application.objects.get(pk=submitted_a.pk)
    label = stored.get_status_display()
    assert str(refused.value) == f"该申请当前状态为“{label}”，不能办理此操作（可能已被其他人处理，请刷新页面）。"
    assert (stored.status, decisions(stored), OutgoingMail.objects.count()) == (OUTCOME[first], [f"province_{first}"], mails)
    assert ProvincialReview.objects.filter(application=stored).count() == (0 if first == "return" else 1)


def test_two_reviewers_on_the_page_at_once(client, zhejiang_reviewer, second_reviewer, submitted_a):
    from django.test import Client
    from django.urls import reverse

    other = Client()
    client.force_login(zhejiang_reviewer)
    other.force_login(second_reviewer)

    won = client.post(reverse("review:province_action", args=[submitted_a.pk, "recommend"]), {"opinion": "同意。", "rank": 1})
    lost = other.post(reverse("review:province_action", args=[submitted_a.pk, "decline"]), {"reason": "不够具体。"})

    assert (won.status_code, lost.status_code) == (302, 400)
    assert "该申请当前状态为“已获省级推荐”" in lost.content.decode()
    assert decisions(submitted_a) == ["province_recommend"]


def test_two_forwards_from_stale_copies_forward_once(batch, zhejiang_window, zhejiang_reviewer, second_reviewer, submitted_a):
    province_recommend(application=submitted_a, actor=zhejiang_reviewer, opinion="同意。", rank=1)
    tab_one = ProvincialWindow.objects.get(pk=zhejiang_window.pk)
    tab_two = ProvincialWindow.objects.get(pk=zhejiang_window.pk)

    province_forward(window=tab_one, actor=zhejiang_reviewer)
    with pytest.raises(WorkflowError, match="本省推荐名单已报送项目组"):
        province_forward(window=tab_two, actor=second_reviewer)

    assert Forwarding.objects.count() == 1
    assert decisions(submitted_a) == ["province_recommend", "province_forward"]


# --- really at once: two threads, two database connections ---------------------------------------------
# The threads need committed data (transactional tests); the reference_data fixture puts back the
# rows the migrations seed (provinces, project categories), which the flush after each such test
# removes. (serialized_rollback cannot: the staff group it restores points at permissions that the
# flush recreated under new ids.)


def run_at_once(*calls):
    """Run each call in its own thread, released together; return what each returned or raised.

    On SQLite the test database lives in memory with a shared cache, where a second writer is told
    "database table is locked" at once instead of waiting as the busy timeout makes it wait on the
    real (file) database; such a call is simply retried, which is what the timeout does. On
    PostgreSQL the row locks make the second call wait."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            for _attempt in range(200):
                try:
                    results[index] = ("ok", call())
                    return
                except OperationalError as error:
                    if connection.vendor != "sqlite" or "locked" not in str(error):
                        raise
                    threading.Event().wait(0.05)
            raise AssertionError("still locked after 10 seconds")
        except Exception as error:  # noqa: BLE001 — handed back to the test
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def outcome(result) -> str:
    kind, value = result
    if kind == "ok":
        return "ok"
    assert isinstance(value, WorkflowError), repr(value)
    return "told"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_forwards_at_the_same_moment_forward_once(batch, zhejiang_window, zhejiang_reviewer, second_reviewer, staff_user):
    applications = []
    for rank, name in enumerate(["杭州甲职业学院", "宁波乙职业学院"], start=1):
        application, _ = submitted_application(batch, name)
        province_recommend(application=application, actor=zhejiang_reviewer, opinion="同意。", rank=rank)
        applications.append(application)

    results = run_at_once(
        lambda: province_forward(window=zhejiang_window, actor=zhejiang_reviewer),
        lambda: province_forward(window=zhejiang_window, actor=second_reviewer),
    )

    assert sorted(outcome(r) for r in results) == ["ok", "told"]
    assert Forwarding.objects.count() == 1
    for application in applications:
        assert decisions(application) == ["province_recommend", "province_forward"]
        assert Application.objects.get(pk=application.pk).status == Status.AT_NATIONAL
    assert OutgoingMail.objects.filter(template="staff_forwarded").count() == 1
    assert OutgoingMail.objects.filter(template="school_forwarded").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_reviewers_deciding_at_the_same_moment_one_wins(batch, zhejiang_window, zhejiang_reviewer, second_reviewer):
    application, _ = submitted_application(batch, "杭州甲职业学院")

    results = run_at_once(
        lambda: STEPS["recommend"](Application.objects.get(pk=application.pk), zhejiang_reviewer),
        lambda: STEPS["decline"](Application.objects.get(pk=application.pk), second_reviewer),
    )

    assert sorted(outcome(r) for r in results) == ["ok", "told"]
    winner = "recommend" if results[0][0] == "ok" else "decline"
    assert decisions(application) == [f"province_{winner}"]
    assert Application.objects.get(pk=application.pk).status == OUTCOME[winner]
    assert ProvincialReview.objects.filter(application=application).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_two_recommendations_racing_for_the_last_place_of_the_quota(batch, zhejiang_window, zhejiang_reviewer, second_reviewer):
    zhejiang_window.quota = 1
    zhejiang_window.save()
    first, _ = submitted_application(batch, "杭州甲职业学院")
    second, _ = submitted_application(batch, "宁波乙职业学院")

    results = run_at_once(
        lambda: province_recommend(application=first, actor=zhejiang_reviewer, opinion="同意。", rank=1),
        lambda: province_recommend(application=second, actor=second_reviewer, opinion="同意。", rank=2),
    )

    assert sorted(outcome(r) for r in results) == ["ok", "told"]
    refused = next(value for kind, value in results if kind == "error")
    assert str(refused) == "本省推荐名额为 1 个，已全部用完，不能再推荐；如需调整，请先撤销其他推荐。"
    statuses = sorted(Application.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == sorted([Status.RECOMMENDED, Status.SUBMITTED])
    assert ProvincialReview.objects.filter(rank__isnull=False).count() == 1
