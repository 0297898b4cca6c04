"""The page every PDF of the house is made on: paper, margins, the embedded Unicode font, and a
footer that names the document and says "Page x of y" on every page.

Invoices (budgets.pdf) and session papers (sessions.pdf) build on it. It lives in core, the
plumbing both may import; it imports no app.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

# The base-14 fonts (Helvetica) know Latin-1 only: "Łódź" or "Dvořák" came out as black boxes.
# DejaVu Sans covers the Latin, Greek and Cyrillic names a studio meets; the TTF files are kept
# in the repository (with their licence, fonts/LICENSE) so a bare clone renders the same bytes.
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

PAGE_SIZES = {"A4": A4, "LETTER": LETTER}
MARGIN = 20 * mm
# The narrower of the two papers (A4, 210 mm) less its margins: tables sized to this fit both.
CONTENT_WIDTH = 170 * mm
FOOTER_Y = 10 * mm

BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9, leading=11)
CELL_RIGHT = ParagraphStyle("cell_right", parent=CELL, alignment=TA_RIGHT)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=colors.grey)
TITLE = ParagraphStyle("title", parent=BODY, fontName=FONT_BOLD, fontSize=18, leading=22)
HEADING = ParagraphStyle(
    "heading", parent=BODY, fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=4
)


@functools.cache
def register_fonts() -> None:
    """Load DejaVu Sans and Bold into reportlab's registry, once per process: the registry is
    global, and parsing the two files (~0.1 s) costs more than drawing a page. Lazily rather
    than at import, so that processes that never draw a PDF do not pay for it.

    Call it before making the first Paragraph or measuring a string: reportlab looks the
    style's font up when a Paragraph is made, not when the document is built."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    # So that <b> inside a Paragraph picks the bold face rather than Helvetica-Bold.
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


def page_size() -> tuple[float, float]:
    """The paper of every document, from INVOICE_PAGE_SIZE (A4 or LETTER)."""
    name = str(getattr(settings, "INVOICE_PAGE_SIZE", "A4")).upper()
    if name not in PAGE_SIZES:
        raise ImproperlyConfigured(f"INVOICE_PAGE_SIZE is A4 or LETTER, not {name!r}.")
    return PAGE_SIZES[name]


def text(value: object) -> str:
    """User text made safe for a Paragraph, which reads its input as markup: a client called
    "Smith & Sons <UK>" would otherwise break the build or lose letters. Newlines become breaks."""
    return escape(str(value)).replace("\n", "<br/>")


def _numbered_canvas(label: str) -> type[Canvas]:
    """A canvas that holds its pages back until the last one is laid out, so each can say how
    many there are (reportlab learns the count only at the end)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            width, _ = self._pagesize
            count = f"Page {number} of {total}"
            # A long name must not run into the page count: cut it short, visibly.
            room = width - 2 * MARGIN - stringWidth(count, FONT, 8) - 6 * mm
            shown = label
            while shown and stringWidth(shown, FONT, 8) > room:
                shown = shown[:-2] + "…"
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(colors.grey)
            self.drawString(MARGIN, FOOTER_Y, shown)
            self.drawRightString(width - MARGIN, FOOTER_Y, count)
            self.restoreState()

    return NumberedCanvas


def build_pdf(story: Sequence[Flowable], *, title: str, author: str, label: str) -> bytes:
    """Lay ``story`` out on the house page; ``label`` (the document and its number) is printed
    in the footer of every page beside "Page x of y"."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page_size(),
        title=title,
        author=author,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        # Else reportlab starts each page in Helvetica and lists it among the page's fonts.
        initialFontName=FONT,
    )
    doc.build(list(story), canvasmaker=_numbered_canvas(label))
    return buffer.getvalue()
