"""The printable sheet of voting-code slips: a real PDF with the right pages, every code on
its page as text, QR codes that a real decoder reads back as the right links, and the sheet in
English, Welsh or both."""

from __future__ import annotations

import time

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import zxingcpp
from reportlab.pdfbase import pdfmetrics

from prompts import load_catalog
from services import code_sheet
from services.code_sheet import render_sheet, slips_per_page
from services.codes import new_code

URL = "https://votes.example.gov.uk/v"
TITLE = {"en": "Make Your Mark North", "cy": "Gwneud dy Farc y Gogledd"}


def link_for(code: str) -> str:
    return f"{URL}/mym-north?code={code}"


def sheet(codes: list[str], **kw: object) -> bytes:
    args: dict = {"title": TITLE, "link_for": link_for, "short_url": URL, **kw}
    return render_sheet(codes, **args)


def pages_text(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for page in doc:
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


def flat(text: str) -> str:
    """Extracted text with line breaks and hyphenation points made into spaces."""
    return " ".join(text.replace("\r", " ").replace("\n", " ").replace("\x02", "").split())


@pytest.fixture(scope="module")
def codes_25() -> list[str]:
    return [new_code() for _ in range(25)]


@pytest.fixture(scope="module")
def pdf_25(codes_25: list[str]) -> bytes:
    return sheet(codes_25, session="7B")


def test_a_valid_pdf_with_a_page_per_ten_slips(pdf_25: bytes) -> None:
    assert pdf_25.startswith(b"%PDF-")
    assert pdf_25.rstrip().endswith(b"%%EOF")
    assert len(pages_text(pdf_25)) == 3
    for count, pages in [(1, 1), (10, 1), (11, 2), (20, 2)]:
        assert len(pages_text(sheet([new_code() for _ in range(count)]))) == pages, count


def test_a_bilingual_sheet_has_eight_taller_slips_a_page() -> None:
    assert slips_per_page(("en",)) == slips_per_page(("cy",)) == 10
    assert slips_per_page(("cy", "en")) == 8
    assert len(pages_text(sheet([new_code() for _ in range(9)], languages=("cy", "en")))) == 2


def test_every_code_is_printed_on_its_page_in_order(pdf_25: bytes, codes_25: list[str]) -> None:
    pages = [flat(t) for t in pages_text(pdf_25)]
    for i, code in enumerate(codes_25):
        assert code in pages[i // 10], code
        assert sum(code in page for page in pages) == 1
    first = pages[0]
    positions = [first.index(code) for code in codes_25[:10]]
    assert positions == sorted(positions)


def test_each_slip_has_title_session_address_and_instructions(pdf_25: bytes) -> None:
    catalog = load_catalog()
    first, _, last = (flat(t) for t in pages_text(pdf_25))
    assert first.count("Make Your Mark North") == 11  # 10 slips and the footer
    assert first.count("Group: 7B") == 11
    # the address to type, without the https:// that browsers add themselves
    assert first.count("votes.example.gov.uk/v") == 10
    assert "https://" not in first
    assert first.count(catalog.plain("en", "code_sheet_code_label")) == 10
    assert first.count("Keep it secret.") == 10
    assert "Sheet 1 of 3" in first and "Sheet 3 of 3" in last
    assert "Cut along the dashed lines." in first


def test_the_qr_codes_scan_as_the_links_with_the_codes(pdf_25: bytes, codes_25: list[str]) -> None:
    """A real decoder reads each QR code from the page rendered at 150 dpi, about what a
    phone's camera makes of a printed slip."""
    doc = pdfium.PdfDocument(pdf_25)
    try:
        for number in (0, 2):
            image = doc[number].render(scale=150 / 72).to_pil()
            found = sorted(b.text for b in zxingcpp.read_barcodes(image))
            expected = sorted(link_for(c) for c in codes_25[number * 10 : number * 10 + 10])
            assert found == expected
    finally:
        doc.close()


def test_the_qr_code_is_drawn_from_the_encoder_s_modules() -> None:
    matrix = code_sheet.qr_matrix(link_for("DK7X-M4PD-W9RC"))
    ops = code_sheet.qr_path(matrix).splitlines()
    assert ops[-1] == "f"
    size = len(matrix)
    drawn = [bytearray(size) for _ in range(size)]
    for op in ops[:-1]:
        x, y, w, h, name = op.split()
        assert (h, name) == ("1", "re")
        for col in range(int(x), int(x) + int(w)):
            drawn[size - 1 - int(y)][col] = 1
    assert [bytes(r) for r in drawn] == [bytes(r) for r in matrix]


def test_cut_lines_go_round_the_slips_only() -> None:
    """A full page has a 2 x 5 grid of dashed lines (12 across, 15 down); a last page with 3
    slips has 5 and 5, so nobody cuts out an empty slip. Each slip adds its QR code and the
    box round its code."""
    doc = pdfium.PdfDocument(sheet([new_code() for _ in range(13)]))
    try:
        paths = [len(list(page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_PATH]))) for page in doc]
    finally:
        doc.close()
    assert paths == [12 + 15 + 2 * 10, 5 + 5 + 2 * 3]


def test_a_welsh_sheet_is_in_welsh() -> None:
    catalog = load_catalog()
    codes = [new_code() for _ in range(3)]
    text = flat(pages_text(sheet(codes, session="Blwyddyn 7", languages=("cy",)))[0])
    assert text.count("Gwneud dy Farc y Gogledd") == 4
    assert text.count("Grŵp: Blwyddyn 7") == 4  # ŵ survives: the font has it
    assert text.count(catalog.plain("cy", "code_sheet_code_label")) == 3
    assert text.count("Cadwa'r cod yn gyfrinach.") == 3
    assert "Taflen 1 o 1" in text
    assert "Torrwch ar hyd y llinellau toredig." in text
    for english in ("Your voting code", "Sheet 1", "Group:", "Make Your Mark", "Website"):
        assert english not in text


def test_a_bilingual_slip_says_everything_in_welsh_then_english() -> None:
    codes = [new_code() for _ in range(2)]
    text = flat(pages_text(sheet(codes, session="7B", languages=("cy", "en")))[0])
    for cy, en in [
        ("Gwneud dy Farc y Gogledd", "Make Your Mark North"),
        ("Dy god pleidleisio", "Your voting code"),
        ("Gwefan", "Website"),
        ("Cadwa'r cod yn gyfrinach.", "Keep it secret."),
        ("Taflen 1 o 1", "Sheet 1 of 1"),
    ]:
        assert cy in text and en in text, (cy, en)
        assert text.index(cy) < text.index(en)
    assert text.index(codes[0]) < text.index(codes[1])


def test_a_title_given_as_one_string_and_markup_is_shown_as_typed() -> None:
    text = flat(pages_text(sheet([new_code()], title="Pupils & <Parents> 2026"))[0])
    assert "Pupils & <Parents> 2026" in text


def test_long_titles_and_labels_are_shortened_inside_the_slip() -> None:
    long_title = "A very long poll title " * 12
    pdf = sheet([new_code() for _ in range(10)], title=long_title, session="Group name " * 20)
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        textpage = page.get_textpage()
        width, _ = page.get_size()
        text = textpage.get_text_range()
        assert "…" in text
        middle = width / 2  # the cut line between the two columns of slips
        for i in range(textpage.count_chars()):
            left, bottom, right, _ = textpage.get_charbox(i)
            if right <= left:  # a space or a line break has no box
                continue
            assert left >= code_sheet.MARGIN_X - 3 and right <= width - code_sheet.MARGIN_X + 3
            if bottom > code_sheet.MARGIN_BOTTOM:  # on a slip, not in the footer
                assert right <= middle or left >= middle, text[i]
        textpage.close()
        page.close()
    finally:
        doc.close()


def test_fit_wraps_and_cuts_with_an_ellipsis() -> None:
    code_sheet._register_fonts()
    lines = code_sheet._fit("word " * 60, code_sheet.SANS, 10, 100, 2)
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    for line in lines:
        assert pdfmetrics.stringWidth(line, code_sheet.SANS, 10) <= 100
    assert code_sheet._fit("short", code_sheet.SANS, 10, 100, 2) == ("short",)


@pytest.mark.parametrize("languages", [(), ("fr",), ("en", "cy", "en", "fr"), ("en", "de")])
def test_languages_must_be_known(languages: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="languages"):
        sheet([new_code()], languages=languages)


def test_a_sheet_costs_little_more_than_encoding_its_qr_codes() -> None:
    """Encoding the QR codes (pure Python, segno) is the floor; laying out and writing the
    PDF costs about as much again (1,000 slips: about 4 s of CPU, half of it encoding). A
    ratio, in one run, so a slow or busy machine does not matter."""
    codes = [new_code() for _ in range(100)]
    sheet(codes[:1])  # fonts
    start = time.process_time()
    sheet(codes)
    whole = time.process_time() - start
    start = time.process_time()
    for code in codes:
        code_sheet.qr_matrix(link_for(code))
    encoding = time.process_time() - start
    assert whole < 4 * encoding


def test_no_codes_is_an_error_not_an_empty_sheet() -> None:
    with pytest.raises(ValueError, match="no codes"):
        sheet([])
