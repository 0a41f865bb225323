"""The /tiendo picture: a PNG with one bar per unit, green at or above the target and orange
below it, whatever the number of units or the length of their Vietnamese names."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.core.chart_image import FONT_PATHS, LABEL_W, MAX_HEIGHT, PAD, WIDTH, render_chart
from bot.core.weblinks import Bar, Chart

GREEN, ORANGE = (46, 125, 50), (230, 81, 0)
LONG = "Phường Nguyễn Trung Trực, khu phố Đông Hưng Thuận, tổ dân phố số 12 " * 3


def opened(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def bars_drawn(image: Image.Image) -> list[tuple[int, int, tuple[int, int, int]]]:
    """Return (top, length, colour) of each bar, scanning down just right of the bars' start."""
    found: list[tuple[int, int, tuple[int, int, int]]] = []
    left = PAD + LABEL_W
    column = [image.getpixel((left + 1, y)) for y in range(image.height)]
    y = 0
    while y < image.height:
        colour = column[y]
        if colour in (GREEN, ORANGE):
            length = 0
            while image.getpixel((left + length, y)) == colour:
                length += 1
            found.append((y, length, colour))  # type: ignore[arg-type]
            while y < image.height and column[y] == colour:
                y += 1
        y += 1
    return found


def test_one_bar_per_unit_coloured_by_its_target_and_sized_by_its_value() -> None:
    chart = Chart("Tài khoản đã làm tuần 3 / tổng tài khoản, theo đơn vị",
                  [Bar("Xã Long Đống", 2, 3), Bar("Phường Ấp Bắc", 8, 8), Bar("Thị trấn", 4, 10)])
    drawn = render_chart(chart)
    image = opened(drawn.data)
    assert (image.width, image.height) == (WIDTH, drawn.height) and drawn.width == WIDTH
    bars = bars_drawn(image)
    assert [colour for _, _, colour in bars] == [ORANGE, GREEN, ORANGE]
    lengths = [length for _, length, _ in bars]
    assert lengths[0] * 4 == pytest.approx(lengths[1], abs=5)  # 2 is a quarter of 8
    assert lengths[2] * 2 == pytest.approx(lengths[1], abs=3)  # 4 is half of 8


def test_no_unit_gives_a_small_empty_picture() -> None:
    drawn = render_chart(Chart("Chưa có đơn vị", []))
    image = opened(drawn.data)
    assert image.width == WIDTH and image.height < 150
    assert bars_drawn(image) == []


def test_two_hundred_units_with_long_names_stay_within_telegram_limits() -> None:
    chart = Chart(LONG, [Bar(f"{i}. {LONG}", i % 9 + 1, 5) for i in range(200)])
    drawn = render_chart(chart)
    image = opened(drawn.data)
    assert len(bars_drawn(image)) == 200
    assert image.width + image.height <= 10_000 and image.height <= MAX_HEIGHT
    assert image.height / image.width < 20 and len(drawn.data) < 10_000_000
    many = opened(render_chart(Chart("x", [Bar("Xã", 1, 1)] * 5000)).data)
    assert many.height <= MAX_HEIGHT  # huge inputs are cut, never an unsendable picture


@pytest.mark.skipif(not any(__import__("os").path.isfile(p) for p in FONT_PATHS),
                    reason="DejaVu Sans is not installed (fonts-dejavu-core)")
def test_vietnamese_names_are_drawn_with_dejavu() -> None:
    assert render_chart(Chart("Đơn vị", [Bar("Xã Ấp Bắc", 1, 2)])).labelled


def test_without_a_vietnamese_font_the_bars_are_numbered_and_nothing_breaks() -> None:
    drawn = render_chart(Chart("Tiến độ", [Bar(LONG, 1, 2), Bar("Xã Ấp Bắc", 3, 2)]),
                         font_paths=("/nonexistent/DejaVuSans.ttf",))
    assert not drawn.labelled  # the caller lists the names in the caption
    assert [c for _, _, c in bars_drawn(opened(drawn.data))] == [ORANGE, GREEN]
