"""A tiny PDF writer for tests: text lines in a Unicode font with a ToUnicode map.

Enough for a text layer that PDF readers extract (glyphs are not embedded), and for a
"scanned" page that has drawings but no text. Written for these tests only.
"""

from __future__ import annotations

import textwrap

LINES_PER_PAGE = 60


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _to_unicode(text: str) -> bytes:
    highs = sorted({ord(ch) >> 8 for ch in text} | {0})
    ranges = "\n".join(f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in highs)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(highs)} beginbfrange\n{ranges}\nendbfrange\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    return _stream(cmap.encode("ascii"))


def _page_content(lines: list[str]) -> bytes:
    ops = ["BT /F1 10 Tf 12 TL 40 800 Td"]
    for line in lines:
        hexed = "".join(f"{ord(ch):04X}" for ch in line)
        ops.append(f"<{hexed}> Tj T*")
    ops.append("ET")
    return _stream("\n".join(ops).encode("ascii"))


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _document(contents: list[bytes], font: list[bytes] | None) -> bytes:
    # 1 catalog, 2 page tree, then (font objects), then page + content per page.
    first_page = 3 + (len(font) if font else 0)
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(contents)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {len(contents)} >>".encode()]
    resources = "<< /Font << /F1 3 0 R >> >>" if font else "<< >>"
    if font:
        objects += font
    for i, content in enumerate(contents):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources {resources} "
            f"/Contents {first_page + 2 * i + 1} 0 R >>".encode())
        objects.append(content)
    return _assemble(objects)


def text_pdf(paragraphs: list[str], width: int = 95) -> bytes:
    """Return a PDF whose text layer holds the paragraphs, wrapped at `width` characters."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += textwrap.wrap(paragraph, width, break_long_words=False,
                               break_on_hyphens=False) or [""]
    lines = [line for line in lines if line]
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    font = [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Arial /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 6 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Arial /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R "
        b"/DW 500 >>",
        b"<< /Type /FontDescriptor /FontName /Arial /Flags 32 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>",
        _to_unicode("".join(lines)),
    ]
    return _document([_page_content(page) for page in pages], font)


def scanned_pdf(pages: int = 2) -> bytes:
    """Return a PDF whose pages hold only drawings (as a scan holds only images): no text."""
    drawing = _stream(b"0.5 g 40 40 515 760 re f")
    return _document([drawing] * pages, None)
