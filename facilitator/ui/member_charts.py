"""A member's check-in ratings over time: the chart, and the same in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import (
    QDateTime,
    QMargins,
    Qt,
    QTime,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QWidget,
)

from facilitator.domain.records import HistoryEntry
from facilitator.services.home import MemberProfile
from facilitator.ui.forms import qdate
from facilitator.ui.models import (
    day,
)


def _moment(value: dt.date) -> float:
    # Noon, so a daylight-saving change never moves a point to the neighbouring day.
    return float(QDateTime(qdate(value), QTime(12, 0)).toMSecsSinceEpoch())


class TrendChart(QChartView):
    """Mood and craving (0-10) at each check-in, oldest on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QChart(), parent)
        self.setAccessibleName("Check-in trends chart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)
        # The legend at the side and no axis titles leave the height to the lines.
        self.chart().legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart().setMargins(QMargins(4, 4, 4, 4))
        self.mood: QLineSeries | None = None
        self.craving: QLineSeries | None = None

    def set_history(self, history: Sequence[HistoryEntry]) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.mood = self.craving = None
        rated = sorted(
            (e for e in history if e.mood is not None or e.craving is not None),
            key=lambda e: e.date,
        )
        if not rated:
            chart.setTitle("No check-in ratings yet")
            return
        chart.setTitle("")
        when = QDateTimeAxis()
        when.setFormat("d MMM yy")
        first, last = rated[0].date, rated[-1].date
        when.setRange(
            QDateTime(qdate(first - dt.timedelta(days=1)), QTime(0, 0)),
            QDateTime(qdate(last + dt.timedelta(days=1)), QTime(0, 0)),
        )
        when.setTickCount(min(6, max(2, len({e.date for e in rated}))))
        scale = QValueAxis()
        scale.setRange(0, 10)
        scale.setTickCount(6)
        scale.setLabelFormat("%d")
        chart.addAxis(when, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(scale, Qt.AlignmentFlag.AlignLeft)
        self.mood = self._series("Mood", [(e.date, e.mood) for e in rated], when, scale)
        if any(e.craving is not None for e in rated):
            self.craving = self._series(
                "Craving", [(e.date, e.craving) for e in rated], when, scale
            )

    def _series(
        self,
        name: str,
        points: list[tuple[dt.date, int | None]],
        when: QDateTimeAxis,
        scale: QValueAxis,
    ) -> QLineSeries:
        series = QLineSeries()
        series.setName(name)
        series.setPointsVisible(True)
        for date, value in points:
            if value is not None:
                series.append(_moment(date), value)
        self.chart().addSeries(series)
        series.attachAxis(when)
        series.attachAxis(scale)
        return series


def trend_summary(history: Sequence[HistoryEntry]) -> str:
    """The chart in words, for a screen reader and for a quick look."""
    parts = []
    for name, values in (
        ("Mood", [(e.date, e.mood) for e in history if e.mood is not None]),
        ("Craving", [(e.date, e.craving) for e in history if e.craving is not None]),
    ):
        if values:
            latest_date, latest = max(values, key=lambda pair: pair[0])
            average = sum(v for _d, v in values) / len(values)
            parts.append(
                f"{name}: {len(values)} ratings, average {average:.1f}, "
                f"latest {latest} on {day(latest_date)}."
            )
    return " ".join(parts) or "No mood or craving ratings recorded yet."


def homework_summary(profile: MemberProfile) -> str:
    reviewed = sum(len(e.reviews) for e in profile.history)
    given = sum(len(e.homework) for e in profile.history)
    completion = profile.homework_completion
    if completion is None:
        return f"No homework reviewed yet ({given} given)."
    return (
        f"Homework completion {completion:.0%} of {reviewed} reviewed "
        f"(partly done counts half; {given} given)."
    )
