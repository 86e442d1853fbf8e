import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache():
    """The mail limits count in Django's cache (a per-process memory by default): every test
    starts with nothing counted."""
    cache.clear()
    yield
    cache.clear()
