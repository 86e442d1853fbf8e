"""Fixtures of the demo data tests: the seeders upload scans and store 推荐汇总表 files, so each
test writes them under its own temporary directory (the shared private_media fixture)."""
import pytest


@pytest.fixture(autouse=True)
def _private_media(private_media):
    return private_media
