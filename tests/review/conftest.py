"""Fixtures of the provincial review tests. Every test here may store scans and 推荐汇总表 files,
so each writes them under its own temporary directory (the shared private_media fixture)."""
import pytest

from tests.review.helpers import submit_complete


@pytest.fixture(autouse=True)
def _private_media(private_media):
    return private_media


@pytest.fixture
def submitted_a(complete_application_a, user_a, zhejiang_reviewer):
    """School A's application, submitted to the Zhejiang association (whose reviewer exists first,
    so the submission is mailed to them)."""
    return submit_complete(complete_application_a, user_a)


@pytest.fixture
def submitted_b(application_b, user_b, jiangsu_reviewer):
    """School B's application, submitted to the Jiangsu association."""
    return submit_complete(application_b, user_b)
