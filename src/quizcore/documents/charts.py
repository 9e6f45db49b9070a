"""The score-distribution chart: the bins of :func:`quizcore.domain.analytics.score_bins`
(``label``, ``count``, ...) drawn alike in every XLSX and PDF document that shows one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.graphics.shapes import Drawing

from . import pdf
from .spreadsheets import Sheet, XlsxBook

Bins = Sequence[Mapping[str, Any]]


def xlsx_score_distribution(book: XlsxBook, sheet: Sheet, bins: Bins, *, first_row: int,
                            counted: str) -> int:
    """A ``Percentage`` / ``counted`` table of ``bins`` from ``first_row`` down, and a native
    column chart of it placed at the top right of ``sheet``; returns the table's last row."""
    last = sheet.table(("Percentage", counted),
                       ([item["label"], item["count"]] for item in bins), first_row=first_row)
    chart = book.chart("column", title="Score distribution", sheet=sheet,
                       categories=(0, first_row + 1, last), values=(1, first_row + 1, last),
                       series_name=counted, x_title="Percentage", y_title=counted)
    sheet.worksheet.insert_chart(1, 4, chart, {"x_scale": 1.2, "y_scale": 1.1})
    return last


def pdf_score_distribution(bins: Bins, *, title: str, width: float,
                           height: float) -> Drawing:
    """A column per bin, its height the bin's count."""
    return pdf.bar_chart([item["label"] for item in bins], [item["count"] for item in bins],
                         title=title, width=width, height=height)
