"""deploy/gunicorn.conf.py: the garbage collector's long-lived objects are frozen after a
worker's first requests (power-of-two counts), so full collections do not pause requests."""
import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def conf():
    gc.unfreeze()
    yield runpy.run_path(str(CONF))
    gc.unfreeze()


def test_a_worker_freezes_what_it_loaded_after_its_first_requests(conf):
    post_request = conf["post_request"]
    post_request(SimpleNamespace(nr=1), None, {}, None)
    frozen = gc.get_freeze_count()
    assert frozen > 0
    kept = [{"row": n} for n in range(1000)]  # made after the first freeze, as a second page's would be
    post_request(SimpleNamespace(nr=3), None, {}, None)
    assert gc.get_freeze_count() == frozen  # not on the 3rd request
    post_request(SimpleNamespace(nr=4), None, {}, None)
    assert gc.get_freeze_count() > frozen  # the 4th freezes what came since
    assert kept


def test_the_schedule_ends_before_gunicorn_replaces_the_worker(conf):
    assert max(conf["FREEZE_AFTER_REQUESTS"]) <= conf["max_requests"] + conf["max_requests_jitter"]
    assert {1, 2, 4, 512} <= conf["FREEZE_AFTER_REQUESTS"]
