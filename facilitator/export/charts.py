"""Small trend charts drawn from a few plain shapes (fast enough for hundreds per report)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from facilitator.export.pdf import FONT, FONT_BOLD, INK, MUTED, fit_text, plain, register_fonts

MOOD_COLOR = colors.HexColor("#1f4e9a")
CRAVING_COLOR = colors.HexColor("#b03a2e")
GRID_COLOR = colors.HexColor("#d4d4d4")
SCALE_MAX = 10

Series = Sequence[tuple[dt.date, int]]


def _series_shapes(
    points: Series,
    x_of: Callable[[dt.date], float],
    y_of: Callable[[int], float],
    color: colors.Color,
    dash: tuple[float, float] | None,
) -> list[object]:
    coords: list[float] = []
    for day, value in sorted(points):
        coords += [x_of(day), y_of(value)]
    if len(coords) == 2:
        return [Circle(coords[0], coords[1], 1.8, fillColor=color, strokeColor=None)]
    line = PolyLine(coords, strokeColor=color, strokeWidth=1.3 if dash is None else 1.1)
    if dash is not None:
        line.strokeDashArray = list(dash)
    return [line]


def trend_chart(
    title: str,
    mood: Series,
    craving: Series,
    date_from: dt.date,
    date_to: dt.date,
    *,
    width: float = 156,
    height: float = 104,
) -> Drawing:
    """Mood (solid) and craving (dashed) on a 0–10 scale over the date range, with a legend.

    Craving is left out (and out of the legend) when there is none.
    """
    register_fonts()
    drawing = Drawing(width, height)
    left, right, bottom = 16.0, width - 5.0, 12.0
    top = height - 24.0
    span_days = max(1, (date_to - date_from).days)

    def x_of(day: dt.date) -> float:
        share = min(1.0, max(0.0, (day - date_from).days / span_days))
        return left + share * (right - left)

    def y_of(value: int) -> float:
        share = min(1.0, max(0.0, value / SCALE_MAX))
        return bottom + share * (top - bottom)

    add = drawing.add
    add(
        String(
            0,
            height - 8,
            fit_text(plain(title).replace("\n", " "), FONT_BOLD, 7.5, width),
            fontName=FONT_BOLD,
            fontSize=7.5,
            fillColor=INK,
        )
    )
    # Legend: a line sample and a word per series.
    legend_y = height - 17
    add(Line(0, legend_y + 2.5, 12, legend_y + 2.5, strokeColor=MOOD_COLOR, strokeWidth=1.3))
    add(String(15, legend_y, "Mood", fontName=FONT, fontSize=6.5, fillColor=MUTED))
    if craving:
        dashed = Line(50, legend_y + 2.5, 62, legend_y + 2.5, strokeColor=CRAVING_COLOR)
        dashed.strokeWidth = 1.1
        dashed.strokeDashArray = [2.5, 1.5]
        add(dashed)
        add(String(65, legend_y, "Craving", fontName=FONT, fontSize=6.5, fillColor=MUTED))

    add(Rect(left, bottom, right - left, top - bottom, strokeColor=GRID_COLOR, fillColor=None))
    for value in (0, 5, 10):
        y = y_of(value)
        if value == 5:
            add(Line(left, y, right, y, strokeColor=GRID_COLOR, strokeWidth=0.5))
        add(
            String(
                left - 3,
                y - 2,
                str(value),
                fontName=FONT,
                fontSize=6,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    for day, anchor in ((date_from, "start"), (date_to, "end")):
        add(
            String(
                x_of(day),
                2,
                f"{day:%m/%d}",
                fontName=FONT,
                fontSize=6,
                fillColor=MUTED,
                textAnchor=anchor,
            )
        )
    for shape in _series_shapes(mood, x_of, y_of, MOOD_COLOR, None):
        add(shape)
    if craving:
        for shape in _series_shapes(craving, x_of, y_of, CRAVING_COLOR, (2.5, 1.5)):
            add(shape)
    return drawing
