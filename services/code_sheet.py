"""A printable A4 sheet of cut-out voting-code slips for a school session.

Each slip carries the poll's title, the session label, the code in large monospace type, the
short web address to type, a QR code of the link with the code in it and one line of
instructions; dashed lines show where to cut, and each page says "Sheet 1 of 3". Black on
white only, so any school printer does it justice. A sheet can be in English, in Welsh, or in
both on every slip (``("cy", "en")`` puts the Welsh first, as the Welsh Language Standards
expect): 10 slips a page in one language, 8 taller ones in two.

Drawn with reportlab. The fonts are the DejaVu faces that matplotlib (already a dependency)
ships: unlike the PDF standard fonts they have the Welsh ŵ and ŷ, and reportlab embeds just the
glyphs used. The QR codes are encoded with segno, as ``services.links`` does, and drawn as
vector squares, so they print sharp at any size.
"""

from __future__ import annotations

import importlib.util
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import segno
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from prompts import LANGUAGES, Catalog, load_catalog

COLUMNS = 2
ROWS = 5  # 10 slips a page: a class of 30 is 3 sheets
ROWS_BILINGUAL = 4  # two languages need taller slips: 8 a page
QR_ERROR = "m"  # 15% of the symbol can be lost (a fold, a smudge) and it still scans
# A fixed mask pattern: readers decode any of the 8, and choosing the best one triples the cost
# of encoding, which is most of the cost of a sheet (tests decode every slip's QR code).
QR_MASK = 2

PAGE_W, PAGE_H = A4
MARGIN_X = 10 * mm  # school printers leave about 5 mm unprinted at every edge
MARGIN_TOP = 12 * mm
MARGIN_BOTTOM = 16 * mm  # the footer lives here
PAD = 3.5 * mm
QR_MAX = 34 * mm
INK = (0, 0, 0)  # black only: grey comes out of a school laser printer as fuzzy dots

SANS = "MarkbotSans"
SANS_BOLD = "MarkbotSans-Bold"
SANS_ITALIC = "MarkbotSans-Oblique"
MONO_BOLD = "MarkbotMono-Bold"
_RUN = re.compile(b"\x01+")
_FONT_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SANS_ITALIC: "DejaVuSans-Oblique.ttf",
    MONO_BOLD: "DejaVuSansMono-Bold.ttf",
}


@cache
def _register_fonts() -> None:
    """Registers the DejaVu faces with reportlab once per process, and turns off its ASCII85
    wrapping of compressed streams (a quarter bigger, and slow in pure Python); nothing else
    in markbot uses reportlab."""
    rl_config.useA85 = 0
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib (which ships the DejaVu fonts) is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))


def qr_matrix(data: str) -> tuple[bytearray, ...]:
    """The QR code's modules, row by row (1 = dark), without the quiet zone."""
    return segno.make(data, error=QR_ERROR, mask=QR_MASK).matrix


def qr_path(matrix: Sequence[bytes | bytearray]) -> str:
    """PDF path operators that fill the dark modules, one unit a module, the top row at the
    top: each run of dark modules in a row is one rectangle, written with whole numbers
    (drawing each square through reportlab's path object formatted 360,000 floats for 1,000
    slips and took most of the time)."""
    ops = []
    top = len(matrix) - 1
    for r, row in enumerate(matrix):
        y = top - r
        ops.extend(f"{m.start()} {y} {m.end() - m.start()} 1 re" for m in _RUN.finditer(row))
    ops.append("f")
    return "\n".join(ops)


@dataclass(frozen=True)
class _Texts:
    """What one language says on a slip and in the footer."""

    title: str
    session: str
    code_label: str
    website: str
    instructions: str
    page: str
    cut: str


def _texts(
    catalog: Catalog,
    lang: str,
    title: str | Mapping[str, str],
    session: str | None,
) -> _Texts:
    if isinstance(title, str):
        name = title
    else:
        name = title.get(lang) or title.get("en") or next(iter(title.values()), "")
    return _Texts(
        title=" ".join(name.split()),
        session=catalog.plain(lang, "code_sheet_session", session=session) if session else "",
        code_label=catalog.plain(lang, "code_sheet_code_label"),
        website=catalog.plain(lang, "code_sheet_website"),
        instructions=catalog.plain(lang, "code_sheet_instructions"),
        page=catalog.raw(lang, "code_sheet_page"),
        cut=catalog.plain(lang, "code_sheet_cut"),
    )


@lru_cache(maxsize=512)
def _fit(text: str, font: str, size: float, width: float, lines: int) -> tuple[str, ...]:
    """``text`` wrapped to ``width``, at most ``lines`` lines, the last one cut with "…".

    Cached: every slip of a sheet has the same words, so they are measured once."""
    wrapped = simpleSplit(text, font, size, width)
    if len(wrapped) <= lines:
        return tuple(wrapped)
    kept = wrapped[:lines]
    last = kept[-1]
    while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
        last = last[:-1].rstrip()
    kept[-1] = last + "…"
    return tuple(kept)


@lru_cache(maxsize=512)
def _shrink(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size from ``size`` down to ``smallest`` at which ``text`` fits on one line."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def _display_url(short_url: str) -> str:
    """What to type: browsers add ``https://`` themselves."""
    return short_url.removeprefix("https://").rstrip("/")


class _Sheet:
    """Draws slips onto a canvas; one instance per PDF."""

    def __init__(
        self,
        canvas: Canvas,
        texts: list[_Texts],
        url: str,
        link_for: Callable[[str], str],
    ) -> None:
        self.c = canvas
        self.texts = texts
        self.url = url
        self.link_for = link_for
        self.slip_w = (PAGE_W - 2 * MARGIN_X) / COLUMNS
        self.bilingual = len(texts) > 1
        self.rows = ROWS_BILINGUAL if self.bilingual else ROWS
        self.slip_h = (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) / self.rows

    def slip(self, index: int, code: str) -> None:
        """One slip: the title across the top; under it the words on the left, centred in
        the height that is left, and the QR code on the right, as large as that height."""
        col, row = index % COLUMNS, index // COLUMNS
        x = MARGIN_X + col * self.slip_w + PAD
        top = PAGE_H - MARGIN_TOP - row * self.slip_h - PAD
        bottom = top - self.slip_h + 2 * PAD
        y = self._title(x, top, self.slip_w - 2 * PAD) - 2.5
        qr = min(QR_MAX, y - bottom)
        self._qr(code, x + self.slip_w - 2 * PAD - qr, bottom + (y - bottom - qr) / 2, qr)
        lines = self._lines(code, self.slip_w - 2 * PAD - qr - PAD)
        height = sum(h for h, _ in lines)
        y -= max(0.0, (y - bottom - height) / 2)
        for h, draw in lines:
            y -= h
            draw(x, y)

    def _line(self, x: float, y: float, text: str, font: str, size: float) -> None:
        self.c.setFont(font, size)
        self.c.drawString(x, y, text)

    def _title(self, x: float, y: float, width: float) -> float:
        """The title in two lines at most, in each language; the y under it."""
        titles = list(dict.fromkeys(t.title for t in self.texts))
        size = 10 if len(titles) == 1 else 9
        for i, title in enumerate(titles):
            font = SANS_BOLD if i == 0 else SANS_ITALIC
            for line in _fit(title, font, size, width, 2):
                y -= size + 0.5
                self._line(x, y, line, font, size)
            y -= 1.5
        return y

    def _lines(self, code: str, width: float) -> list[tuple[float, Callable[[float, float], None]]]:
        """The words beside the QR code, each as (height, draw at x and baseline y)."""
        out: list[tuple[float, Callable[[float, float], None]]] = []

        def text(height: float, words: str, font: str, size: float) -> None:
            def draw(x: float, y: float) -> None:
                self._line(x, y, words, font, size)

            out.append((height, draw))

        session = self.texts[0].session  # the label is the same in every language
        if session:
            for n, line in enumerate(_fit(session, SANS, 8, width, 2)):
                text(10 if n == 0 else 9.5, line, SANS, 8)
            out.append((3, lambda x, y: None))
        label = " · ".join(t.code_label for t in self.texts)
        text(10.5, _fit(label, SANS, 7.5, width, 1)[0], SANS, 7.5)
        big = _shrink(code, MONO_BOLD, 18, width - 8, 11)
        box_w = pdfmetrics.stringWidth(code, MONO_BOLD, big) + 8

        def box(x: float, y: float) -> None:
            self.c.setLineWidth(1.2)
            self.c.roundRect(x, y, box_w, big + 8, 3)
            self._line(x + 4, y + 4 + 0.22 * big, code, MONO_BOLD, big)

        out.append((big + 11, box))
        site = " / ".join(t.website.rstrip(":") for t in self.texts) + ": "
        room = width - pdfmetrics.stringWidth(site, SANS, 7.5)
        url_size = _shrink(self.url, SANS_BOLD, 9, room, 6.5)
        if pdfmetrics.stringWidth(self.url, SANS_BOLD, url_size) <= room:

            def website(x: float, y: float) -> None:
                self._line(x, y, site, SANS, 7.5)
                self._line(x + width - room, y, self.url, SANS_BOLD, url_size)

            out.append((12, website))
        else:
            text(11, site, SANS, 7.5)
            text(10, self.url, SANS_BOLD, _shrink(self.url, SANS_BOLD, 9, width, 5))
        small = 6.6 if self.bilingual else 7.2
        for i, t in enumerate(self.texts):
            font = SANS if i == 0 else SANS_ITALIC
            for n, line in enumerate(_fit(t.instructions, font, small, width, 3)):
                text(small + (4.5 if n == 0 else 1.6), line, font, small)
        return out

    def _qr(self, code: str, x: float, y: float, size: float) -> None:
        """The QR code of the slip's link, ``size`` square with its quiet zone."""
        matrix = qr_matrix(self.link_for(code))
        module = size / (len(matrix) + 8)  # a quiet zone of 4 modules each side
        c = self.c
        c.saveState()
        c.translate(x + 4 * module, y + 4 * module)
        c.scale(module, module)
        c.setFillColorRGB(*INK)
        c.addLiteral(qr_path(matrix))
        c.restoreState()

    def cut_lines(self, count: int) -> None:
        """Dashed lines around the first ``count`` slots only: no empty slips to cut out.

        Each edge is drawn once, left to right or bottom to top, so the dashes of two slips
        that share an edge fall on each other."""
        c = self.c
        c.setLineWidth(0.5)
        c.setDash(3, 3)
        top = PAGE_H - MARGIN_TOP
        edges: set[tuple[str, int, int]] = set()
        for i in range(count):
            col, row = i % COLUMNS, i // COLUMNS
            edges |= {("h", col, row), ("h", col, row + 1), ("v", col, row), ("v", col + 1, row)}
        for kind, col, row in sorted(edges):
            x = MARGIN_X + col * self.slip_w
            if kind == "h":
                y = top - row * self.slip_h
                c.line(x, y, x + self.slip_w, y)
            else:
                c.line(x, top - (row + 1) * self.slip_h, x, top - row * self.slip_h)
        c.setDash()
        self._line(MARGIN_X - 1.5, top + 2.5, "✂", SANS, 10)

    def footer(self, page: int, pages: int) -> None:
        """Which sheet this is, what it is for, and what to do with it (for the teacher)."""
        y = MARGIN_BOTTOM - 6 * mm
        count = " · ".join(t.page.format(page=page, pages=pages) for t in self.texts)
        self._line(
            PAGE_W - MARGIN_X - pdfmetrics.stringWidth(count, SANS_BOLD, 8), y, count, SANS_BOLD, 8
        )
        width = PAGE_W - 2 * MARGIN_X - pdfmetrics.stringWidth(count, SANS_BOLD, 8) - 6 * mm
        head = " · ".join(part for part in (self.texts[0].title, self.texts[0].session) if part)
        self._line(MARGIN_X, y, _fit(head, SANS, 8, width, 1)[0], SANS, 8)
        for i, t in enumerate(self.texts):
            font = SANS if i == 0 else SANS_ITALIC
            line = _fit(t.cut, font, 7, PAGE_W - 2 * MARGIN_X, 1)[0]
            self._line(MARGIN_X, y - 9.5 * (i + 1), line, font, 7)


def slips_per_page(languages: Sequence[str]) -> int:
    """How many slips one page holds: fewer when every slip is in two languages."""
    return COLUMNS * (ROWS_BILINGUAL if len(set(languages)) > 1 else ROWS)


def render_sheet(
    codes: Sequence[str],
    *,
    title: str | Mapping[str, str],
    link_for: Callable[[str], str],
    short_url: str,
    session: str | None = None,
    languages: Sequence[str] = ("en",),
    catalog: Catalog | None = None,
) -> bytes:
    """The PDF: ``slips_per_page(languages)`` slips on each A4 page, in the order of ``codes``.

    ``title`` is the poll's title (a plain string, or one per language as in a poll file);
    ``link_for(code)`` gives the link a slip's QR code opens; ``short_url`` is the address a
    young person types (shown without ``https://``); ``languages`` is ``("en",)``, ``("cy",)``
    or both, the first on top (``("cy", "en")`` for a bilingual sheet in Wales).
    """
    if not codes:
        raise ValueError("no codes to print")
    if not 1 <= len(languages) <= 2 or not set(languages) <= set(LANGUAGES):
        raise ValueError(f"languages must be one or two of {LANGUAGES}, not {languages!r}")
    _register_fonts()
    catalog = catalog or load_catalog()
    texts = [_texts(catalog, lang, title, session) for lang in dict.fromkeys(languages)]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True, pageCompression=1, initialFontName=SANS)
    canvas.setTitle(texts[0].title)
    canvas.setCreator("markbot")
    sheet = _Sheet(canvas, texts, _display_url(short_url), link_for)
    per_page = slips_per_page(languages)
    pages = (len(codes) + per_page - 1) // per_page
    for page in range(pages):
        on_page = codes[page * per_page : (page + 1) * per_page]
        sheet.cut_lines(len(on_page))
        for i, code in enumerate(on_page):
            sheet.slip(i, code)
        sheet.footer(page + 1, pages)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
