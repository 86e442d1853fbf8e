"""The page checks themselves (tests/browser/audit.py) find what they are there to find: a page
made with every fault is reported for each of them, and a clean one passes. No server needed: the
browser is handed the pages directly."""
import pytest

from tests.browser.audit import Audit, template_syntax_problems

pytestmark = pytest.mark.browser

FAULTY = """<!doctype html>
<html><head><title>faulty</title><style>p { color: #ccc; }</style></head>
<body><main>
<h1>faulty</h1>
<p>grey on white</p>
<input type="text" name="unlabelled">
<div id="twice"></div><div id="twice"></div>
<img src="/missing.png" alt="">
<div class="wide"><span style="display:inline-block;width:900px">wide</span></div>
<script>console.error("broken");</script>
<p>{# a comment left open over
two lines #}</p>
</main></body></html>"""

CLEAN = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>整洁</title></head>
<body><main><h1>整洁的页面</h1><label for="name">姓名</label> <input id="name" name="name"></main></body></html>"""


def serve(page, pages: dict[str, str]):
    def handle(route):
        path = "/" + route.request.url.split("/", 3)[3]
        if path in pages:
            route.fulfill(status=200, body=pages[path], content_type="text/html; charset=utf-8")
        else:
            route.fulfill(status=404, body="", content_type="text/plain")

    page.route("http://portal.test/**", handle)


def test_a_faulty_page_is_reported_for_each_fault(page, tmp_path):
    serve(page, {"/faulty": FAULTY})
    audit = Audit(page, tmp_path)
    page.goto("http://portal.test/faulty")
    audit.check("faulty")
    with pytest.raises(AssertionError) as failure:
        audit.finish()
    report = str(failure.value)
    for expected in (
        "axe desktop: label (critical)", "axe phone: label (critical)", "color-contrast (serious)",
        "390 px: the page is", "console error: broken", "status 404: GET http://portal.test/missing.png",
        "vnu line", "Duplicate ID", "CSP: inline script", "CSP: a <style> element", "CSP: a style attribute",
        "template syntax shown as text: «{# a comment left open",
    ):  # fmt: skip
        assert expected in report, f"{expected!r} not reported:\n{report}"
    assert (tmp_path / "01-faulty.png").exists() and (tmp_path / "01-faulty-phone.png").exists()


def test_a_clean_page_passes(page, tmp_path):
    serve(page, {"/clean": CLEAN})
    audit = Audit(page, tmp_path)
    page.goto("http://portal.test/clean")
    audit.check("clean")
    audit.finish()


@pytest.mark.parametrize("shown", ["{# 注释", "注释 #}", "{% if x %}", "%}", "{{ application.number }}", "}}"])
def test_template_syntax_in_the_visible_text_is_a_problem(shown):
    [problem] = template_syntax_problems(f"申请编号 2023-2-33-00001\n{shown}\n状态 草稿")
    assert problem.startswith("template syntax shown as text: «") and shown in problem


def test_text_without_template_syntax_is_no_problem():
    # Single braces and percent signs are ordinary text.
    assert template_syntax_problems("得分 {85} 分，占 50%；# 号") == []
