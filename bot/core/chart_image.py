"""Draw a progress `Chart` (the same bars as the web page's SVG) as a PNG for chats that show
photos. Pure: bars in, bytes out; no database, no catalog (the caller puts the words).

Vietnamese unit names need a font with the diacritics: Debian's DejaVu Sans where installed
(`fonts-dejavu-core`). Without it Pillow's own font cannot draw them, so the bars are numbered
instead and `ChartImage.labelled` is False: the caller then lists the names in the caption.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.core.weblinks import Chart

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)
WIDTH = 900
LABEL_W = 330  # room for the unit names, left of the bars
VALUE_W = 110  # room for "123/456", right of the bars
PAD = 12
ROW = 30
MIN_ROW = 6
MAX_HEIGHT = 9000  # Telegram refuses photos whose width + height exceed 10,000 px
MAX_BARS = (MAX_HEIGHT - 3 * PAD - ROW) // MIN_ROW
GREEN = (46, 125, 50)  # reached (the web page's colours)
ORANGE = (230, 81, 0)  # below its target
INK = (17, 17, 17)
GUIDE = (0, 0, 0)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont | ImageFont.TransposedFont


@dataclass(frozen=True, slots=True)
class ChartImage:
    """A drawn chart: PNG bytes, its size, and whether the bars carry the unit names."""

    data: bytes
    width: int
    height: int
    labelled: bool


@lru_cache(maxsize=8)
def _font(size: int, paths: tuple[str, ...]) -> tuple[Font, bool]:
    """Return a font of `size` px and whether it draws Vietnamese (DejaVu found)."""
    for path in paths:
        if Path(path).is_file():
            try:
                return ImageFont.truetype(path, size), True
            except OSError:
                continue
    return ImageFont.load_default(size), False


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Font, width: float) -> str:
    """Return `text`, shortened with "…" to fit `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if draw.textlength(text[:middle] + "…", font=font) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def render_chart(chart: Chart, *, font_paths: tuple[str, ...] = FONT_PATHS) -> ChartImage:
    """Draw `chart` as horizontal bars: green where the target is reached, orange below it,
    a dashed mark at the target, the value (and target) to the right of each bar."""
    bars = list(chart.bars)[:MAX_BARS]  # callers keep far fewer (the web page: 40)
    row = max(MIN_ROW, min(ROW, (MAX_HEIGHT - 3 * PAD - ROW) // max(len(bars), 1)))
    font, labelled = _font(max(6, row * 15 // 30), font_paths)
    title_font, _ = _font(17, font_paths)
    title_h = ROW + PAD
    height = PAD + title_h + row * max(len(bars), 1) + PAD
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    if labelled:  # else the caller's caption carries the title Pillow's font cannot draw
        draw.text((PAD, PAD), _fit(draw, chart.title, title_font, WIDTH - 2 * PAD), fill=INK,
                  font=title_font)
    top = max((max(b.value, b.target or 0) for b in bars), default=0) or 1
    left = PAD + LABEL_W
    span = WIDTH - left - VALUE_W - PAD
    for index, bar in enumerate(bars):
        y = PAD + title_h + index * row
        label = bar.label if labelled else f"{index + 1}."
        draw.text((PAD, y + row / 2), _fit(draw, label, font, LABEL_W - 8), fill=INK, font=font,
                  anchor="lm")
        width = max(0.0, bar.value) / top * span
        reached = bar.target is None or bar.value >= bar.target
        if width >= 1:
            draw.rectangle((left, y + row * 0.15, left + width, y + row * 0.85 - 1),
                           fill=GREEN if reached else ORANGE)
        if bar.target is not None:
            x = left + max(0.0, bar.target) / top * span
            for dash in range(y, y + row, 4):
                draw.line((x, dash, x, min(dash + 1, y + row - 1)), fill=GUIDE)
        value = f"{bar.value:g}" + (f"/{bar.target:g}" if bar.target is not None else "")
        draw.text((left + span + 6, y + row / 2), value, fill=INK, font=font, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG")  # optimize=True: 2 % smaller, 4 times slower
    return ChartImage(out.getvalue(), WIDTH, height, labelled)
