"""The one way the portal makes PDFs: a Django template rendered by WeasyPrint.

Fonts come from the system (Debian's fonts-noto-cjk: Noto Serif CJK SC and Noto Sans CJK SC),
found through fontconfig; WeasyPrint embeds the subset each document uses.
"""
import functools
import subprocess

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

_font_config = FontConfiguration()


def static_path(relative: str) -> str:
    """The file path of a static asset, so WeasyPrint reads it from disk instead of over HTTP."""
    found = finders.find(relative)
    if not found:
        raise FileNotFoundError(f"static file {relative} not found")
    return found


def render_pdf(template_name: str, context: dict, *, stylesheets: tuple[str, ...] = ("css/print.css",)) -> bytes:
    """Render `template_name` with `context` to PDF bytes, with the print stylesheets given."""
    html = render_to_string(template_name, context)
    css = [CSS(filename=static_path(name), font_config=_font_config) for name in stylesheets]
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=css, font_config=_font_config)


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
