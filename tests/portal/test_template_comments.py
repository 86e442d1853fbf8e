"""Django's `{# #}` comment is one line only: one left open runs on as visible text (the status bar of
every application page once showed an English comment under its title). A comment over several
lines needs `{% comment %}`. Every template the portal ships is read for one left open."""
import re
from pathlib import Path

from django.conf import settings

TEMPLATE_ROOTS = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
# `{#` with no `#}` after it on the same line, outside a {% comment %} block.
UNCLOSED = re.compile(r"\{#(?![^\n]*#\})")


def unclosed_comments(text: str) -> list[int]:
    """Line numbers where a `{#` comment opens and does not close on that line."""
    without_blocks = re.sub(r"\{% comment[^%]*%\}.*?\{% endcomment %\}", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    return [without_blocks.count("\n", 0, match.start()) + 1 for match in UNCLOSED.finditer(without_blocks)]


def test_the_check_finds_a_comment_left_open():
    assert unclosed_comments("<p>a</p>\n{# two\nlines #}\n{# one line #}") == [2]
    assert unclosed_comments("{% comment %}{# inside a block\n{% endcomment %}") == []


def test_no_template_leaves_a_comment_open():
    found = {
        str(path.relative_to(root)): lines
        for root in TEMPLATE_ROOTS
        for path in sorted(root.rglob("*"))
        if path.suffix in (".html", ".txt") and (lines := unclosed_comments(path.read_text()))
    }
    assert found == {}
