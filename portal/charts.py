"""Charts drawn by the portal itself as inline SVG (no outside service, no script): horizontal
bars, optionally stacked. Each chart comes with its numbers as a table for screen readers and
for copying.

The SVG has no viewBox: one unit is one CSS pixel at any width, so its text stays LABEL_SIZE px on
a 390-px phone as on a desktop (a viewBox scaled the whole drawing, and its 12-unit labels with
it, down to 7 px on a phone). The bars' x and width are percentages of the chart's width, the
label sits above its bar, so nothing depends on how wide the screen is."""
from dataclasses import dataclass, field

LABEL_SIZE = 13  # px: the bar's label (at least 12 px, issue 17)
VALUE_SIZE = 12  # px: the number at the bar's end
BAR_HEIGHT = 16
ROW_HEIGHT = LABEL_SIZE + 8 + BAR_HEIGHT + 10  # label line, gap, bar, space to the next row
BAR_TOP = LABEL_SIZE + 6
# The longest bar takes this share of the width; the rest holds its number.
BAR_SPAN_PERCENT = 85


@dataclass
class Segment:
    label: str
    value: int
    css: str  # a class of static/css/portal.css that sets the fill colour


@dataclass
class Bar:
    label: str
    segments: list[Segment]
    total: int = 0
    y: int = 0
    pieces: list[dict] = field(default_factory=list)
    end: float = 0.0  # percent of the width where the bar ends


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    legend: list[tuple[str, str]]
    height: int
    label_size: int = LABEL_SIZE
    value_size: int = VALUE_SIZE
    bar_top: int = BAR_TOP
    bar_height: int = BAR_HEIGHT


def bar_chart(title: str, bars: list[Bar], *, legend: list[tuple[str, str]] | None = None) -> Chart:
    """Lay out `bars` (each one or more segments) for templates/includes/bar_chart.html: rows of
    ROW_HEIGHT px, piece x and width in percent of the chart's width."""
    largest = max((sum(s.value for s in bar.segments) for bar in bars), default=0) or 1
    scale = BAR_SPAN_PERCENT / largest
    for index, bar in enumerate(bars):
        bar.total = sum(s.value for s in bar.segments)
        bar.y = index * ROW_HEIGHT
        x = 0.0
        bar.pieces = []
        for segment in bar.segments:
            width = round(segment.value * scale, 2)
            if segment.value:
                # A bar of 1 among thousands is still seen: at least half a percent wide.
                bar.pieces.append({"x": round(x, 2), "width": max(width, 0.5), "css": segment.css, "label": segment.label, "value": segment.value})
            x += width
        bar.end = round(x, 2)
    return Chart(title, bars, legend or [], max(len(bars) * ROW_HEIGHT, ROW_HEIGHT))
