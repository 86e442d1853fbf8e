"""The one way the portal makes PDFs: a Django template rendered by WeasyPrint.

Fonts come from the system (Debian's fonts-noto-cjk), found through fontconfig: the documents are
set in Noto Serif CJK SC alone, with Noto Sans CJK SC as the fallback for a character it lacks
(static/css/print.css says why one typeface); WeasyPrint embeds the subset each document uses.
"""
import functools
import re
import subprocess

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

_font_config = FontConfiguration()
# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def static_path(relative: str) -> str:
    """The file path of a static asset, so WeasyPrint reads it from disk instead of over HTTP."""
    found = finders.find(relative)
    if not found:
        raise FileNotFoundError(f"static file {relative} not found")
    return found


def render_html(template_name: str, context: dict) -> str:
    """The document's HTML: the template rendered (the part that reads the database)."""
    # Control characters typed or pasted into a field (Word's manual line break is \x0b) have no
    # glyph: each would print as an empty box, and they spoil the PDF's text layer. They go.
    return CONTROL_CHARACTERS.sub("", render_to_string(template_name, context))


@functools.cache
def _parsed_stylesheets(names: tuple[str, ...]) -> list[CSS]:
    return [CSS(filename=static_path(name), font_config=_font_config) for name in names]


def stylesheets_for(names: tuple[str, ...]) -> list[CSS]:
    """The print stylesheets, parsed once per process (they do not change while it runs); read
    afresh every time in development, where they are being edited."""
    if settings.DEBUG:
        return [CSS(filename=static_path(name), font_config=_font_config) for name in names]
    return _parsed_stylesheets(tuple(names))


# The documents an archive keeps (the 实验校名单 for 备案, the 推荐汇总表, the application as
# submitted) are PDF/A: fonts embedded, an sRGB output intent, XMP metadata naming the part. Part 2
# (ISO 19005-2), level B: what archives ask for; unlike part 1 it allows the transparency a
# stylesheet may use, and unlike part 3 it allows no arbitrary embedded files, which archives refuse.
ARCHIVAL_PDF_VARIANT = "pdf/a-2b"


def html_to_pdf(html: str, stylesheets: tuple[str, ...] = ("css/print.css",), *, archival: bool = False) -> bytes:
    """PDF bytes from HTML made by render_html; PDF/A (ARCHIVAL_PDF_VARIANT) when `archival`.
    Reads no database, so the ZIP job can run it in helper processes (review.exports)."""
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=stylesheets_for(stylesheets), font_config=_font_config, pdf_variant=ARCHIVAL_PDF_VARIANT if archival else None
    )


def render_pdf(template_name: str, context: dict, *, stylesheets: tuple[str, ...] = ("css/print.css",), archival: bool = False) -> bytes:
    """Render `template_name` with `context` to PDF bytes, with the print stylesheets given (PDF/A
    when `archival`)."""
    return html_to_pdf(render_html(template_name, context), tuple(stylesheets), archival=archival)


# The fonts the print stylesheet names, in its fallback order.
PDF_FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


@functools.cache
def _font_cmaps() -> tuple[frozenset[int], ...]:
    """The code points each of the PDF fonts covers, read from the files fontconfig picks."""
    from fontTools.ttLib import TTCollection, TTFont

    cmaps = []
    for family in PDF_FONT_FAMILIES:
        path = subprocess.run(
            ["fc-match", "-f", "%{file}", family], check=True, capture_output=True, text=True
        ).stdout.strip()
        fonts = TTCollection(path).fonts if path.endswith(".ttc") else [TTFont(path)]
        cmaps.append(frozenset(fonts[0].getBestCmap()))
    return tuple(cmaps)


def missing_glyphs(text: str) -> set[str]:
    """Characters of `text` (other than white space) that none of the PDF fonts can draw: each
    would print as an empty box."""
    covered = frozenset().union(*_font_cmaps())
    return {ch for ch in set(text) if not ch.isspace() and ord(ch) not in covered}
