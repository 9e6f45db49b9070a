"""PDF building blocks on reportlab: DejaVu fonts, styles, tables, bar charts, pages.

reportlab's built-in Helvetica has no Cyrillic, Greek, Arabic... glyphs, and students'
names are not all Latin, so every PDF uses DejaVu Sans (Debian package
``fonts-dejavu-core``; directory setting ``quizcore.pdf_font_dir``). The fonts are
registered once per process (reportlab keeps them in a process-wide registry).

Text from the database goes into :class:`Paragraph` objects, whose mini-language is XML:
:func:`para` escapes it, so an answer such as ``a < b & <b>`` prints as typed. Table cells
given as plain strings are drawn as they are (no markup) and are much faster for long
tables than one paragraph per cell.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from pyramid.exceptions import ConfigurationError
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
BOLD_ITALIC = "DejaVuSans-BoldOblique"
FONT_FILES = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf",
              ITALIC: "DejaVuSans-Oblique.ttf", BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf"}

ACCENT = colors.HexColor("#4F81BD")
HEADER_BACKGROUND = colors.HexColor("#DCE6F1")
ZEBRA = colors.HexColor("#F5F7FA")
MARGIN = 15 * mm

_registered: set[str] = set()
_lock = threading.Lock()


class FontsMissing(ConfigurationError):
    """The DejaVu fonts are not where the settings say."""


def missing_fonts(font_dir: str) -> list[str]:
    """The DejaVu font files absent from ``font_dir``."""
    return [name for name in FONT_FILES.values()
            if not os.path.isfile(os.path.join(font_dir, name))]


def require_fonts(font_dir: str, needed_by: str = "quizcore") -> None:
    """Stop start-up (:class:`FontsMissing`) when ``font_dir`` lacks the DejaVu fonts:
    plugins that make PDFs call it from their ``includeme``."""
    missing = missing_fonts(font_dir)
    if missing:
        raise FontsMissing(
            f"{needed_by} makes PDFs with the DejaVu fonts, but {font_dir} lacks "
            f"{', '.join(missing)}: install the fonts-dejavu-core package or set "
            "quizcore.pdf_font_dir.")


def register_fonts(font_dir: str = DEFAULT_FONT_DIR) -> None:
    """Register DejaVu Sans (regular, bold, oblique) with reportlab, once per process."""
    if FONT in _registered:
        return
    with _lock:
        if FONT in _registered:
            return
        require_fonts(font_dir)
        for name, file in FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, os.path.join(font_dir, file)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC,
                                      boldItalic=BOLD_ITALIC)
        _registered.add(FONT)


def styles(font_dir: str = DEFAULT_FONT_DIR) -> dict[str, ParagraphStyle]:
    """Paragraph styles in DejaVu Sans (registering the fonts first: a paragraph looks its
    font up when it is created)."""
    register_fonts(font_dir)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20,
                                spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=10, leading=13,
                                   textColor=colors.HexColor("#555555"), spaceAfter=8),
        "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=12,
                                  leading=15, spaceBefore=10, spaceAfter=5),
        "question": ParagraphStyle("question", parent=body, fontName=BOLD, fontSize=10,
                                   leading=13, spaceBefore=8, spaceAfter=3),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "note": ParagraphStyle("note", parent=body, fontName=ITALIC, fontSize=8, leading=10,
                               textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
    }


def para(text: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph of ``text`` as typed (XML-escaped; line breaks kept)."""
    escaped = escape("" if text is None else str(text)).replace("\n", "<br/>")
    return Paragraph(escaped, style)


def number(value: Any, places: int = 2) -> str:
    """A number without trailing zeros ("7", "7.5", "7.25"); blank for None."""
    if value is None:
        return ""
    text = f"{float(value):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def when(value: dt.datetime | str | None) -> str:
    """A UTC timestamp as ``2026-01-31 14:05 UTC``."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def table(rows: Sequence[Sequence[Any]], col_widths: Sequence[float] | None = None, *,
          header_rows: int = 1, font_size: float = 8, right_columns: Sequence[int] = (),
          zebra: bool = True) -> Table:
    """A grid with a bold, shaded header repeated on every page."""
    result = Table([list(row) for row in rows], colWidths=col_widths, repeatRows=header_rows)
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), font_size),
        ("LEADING", (0, 0), (-1, -1), font_size + 2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0B7C3")),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header_rows:
        commands += [("FONTNAME", (0, 0), (-1, header_rows - 1), BOLD),
                     ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_BACKGROUND)]
    if zebra and len(rows) > header_rows:
        commands.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, ZEBRA]))
    for column in right_columns:
        commands.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    result.setStyle(TableStyle(commands))
    return result


def key_values(pairs: Sequence[tuple[str, Any]], widths=(45 * mm, 120 * mm)) -> Table:
    """A two-column table of labels (bold) and values, without a grid."""
    result = Table([[label, "" if value is None else str(value)] for label, value in pairs],
                   colWidths=widths)
    result.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTNAME", (0, 0), (0, -1), BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), 9), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    return result


def bar_chart(labels: Sequence[str], values: Sequence[float | int | Decimal | None], *,
              title: str, width: float = 170 * mm, height: float | None = None,
              horizontal: bool = False, value_max: float | None = None,
              value_step: float | None = None, value_label: str = "") -> Drawing:
    """A one-series bar chart (vertical columns, or horizontal bars for long category
    lists) with a title. None values are drawn as 0."""
    numbers = [float(value or 0) for value in values]
    if horizontal:
        height = height or 45 + 14 * max(1, len(labels))
        chart = HorizontalBarChart()
        chart.x, chart.y = 45, 30
        chart.width, chart.height = width - 65, height - 60
        chart.categoryAxis.reverseDirection = True
    else:
        height = height or 70 * mm
        chart = VerticalBarChart()
        chart.x, chart.y = 40, 45
        chart.width, chart.height = width - 55, height - 75
        if len(labels) > 8:
            chart.categoryAxis.labels.angle = 30
            chart.categoryAxis.labels.boxAnchor = "ne"
    drawing = Drawing(width, height)
    chart.data = [numbers or [0]]
    chart.categoryAxis.categoryNames = list(labels) or [""]
    chart.valueAxis.valueMin = 0
    top = value_max if value_max is not None else max([1.0, *numbers])
    chart.valueAxis.valueMax = top
    if value_step is not None:
        chart.valueAxis.valueStep = value_step
    elif value_max is None and top <= 10:
        chart.valueAxis.valueStep = 1  # counts: whole numbers on the axis
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = 7
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    drawing.add(String(width / 2, height - 14, title, fontName=BOLD, fontSize=10,
                       textAnchor="middle"))
    if value_label:
        drawing.add(String(4, height - 30, value_label, fontName=FONT, fontSize=7))
    return drawing


def build(story: list, *, title: str, subject: str = "", wide: bool = False,
          font_dir: str = DEFAULT_FONT_DIR) -> bytes:
    """Lay ``story`` out on A4 pages (landscape when ``wide``) with a footer carrying the
    title and page number; returns the PDF bytes."""
    register_fonts(font_dir)
    buffer = io.BytesIO()
    pagesize = landscape(A4) if wide else A4
    document = SimpleDocTemplate(buffer, pagesize=pagesize, title=title, subject=subject,
                                 author="quizcore", creator="quizcore",
                                 leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN)

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawString(MARGIN, 8 * mm, title[:150])
        canvas.drawRightString(pagesize[0] - MARGIN, 8 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document.build(story or [Spacer(1, 1)], onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def usable_width(wide: bool = False) -> float:
    """Width between the margins of a page."""
    return (landscape(A4) if wide else A4)[0] - 2 * MARGIN
