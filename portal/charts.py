"""Charts drawn by the portal itself as inline SVG (no outside service, no script): horizontal
bars, optionally stacked. Each chart comes with its numbers as a table for screen readers and
for copying."""
from dataclasses import dataclass, field

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 150
CHART_WIDTH = 640


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


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    legend: list[tuple[str, str]]
    width: int
    height: int
    label_width: int


def bar_chart(title: str, bars: list[Bar], *, legend: list[tuple[str, str]] | None = None) -> Chart:
    """Lay out `bars` (each one or more segments) for templates/includes/bar_chart.html."""
    largest = max((sum(s.value for s in bar.segments) for bar in bars), default=0) or 1
    # Room for the longest label (CJK characters are about one em wide).
    label_width = min(280, max(LABEL_WIDTH // 2, 13 * max((len(bar.label) for bar in bars), default=0) + 12))
    scale = (CHART_WIDTH - label_width - 60) / largest
    for index, bar in enumerate(bars):
        bar.total = sum(s.value for s in bar.segments)
        bar.y = index * (BAR_HEIGHT + GAP)
        x = label_width
        bar.pieces = []
        for segment in bar.segments:
            width = round(segment.value * scale, 1)
            if segment.value:
                bar.pieces.append({"x": x, "width": max(width, 1), "css": segment.css, "label": segment.label, "value": segment.value})
            x += width
        bar.end = x
    height = len(bars) * (BAR_HEIGHT + GAP)
    return Chart(title, bars, legend or [], CHART_WIDTH, max(height, BAR_HEIGHT), label_width)
