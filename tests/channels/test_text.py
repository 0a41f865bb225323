"""split_text: paragraphs first, then lines, then words; never empty, never over the limit."""

from __future__ import annotations

import random

import pytest

from bot.core.text_split import split_text


def test_short_text_is_one_chunk() -> None:
    assert split_text("Xin chào", 2000) == ["Xin chào"]


def test_empty_or_blank_text_gives_no_chunk() -> None:
    assert split_text("", 10) == []
    assert split_text(" \n\n \n", 10) == []


def test_paragraphs_are_packed_and_never_cut_when_they_fit() -> None:
    paragraphs = ["a" * 40, "b" * 40, "c" * 40]
    chunks = split_text("\n\n".join(paragraphs), 90)
    assert chunks == ["a" * 40 + "\n\n" + "b" * 40, "c" * 40]


def test_long_paragraph_is_split_on_lines_then_words() -> None:
    lines = ["dòng một " * 5, "dòng hai " * 5]
    text = "\n".join(line.strip() for line in lines)
    chunks = split_text(text, 50)
    assert chunks == [lines[0].strip(), lines[1].strip()]
    words = split_text("một hai ba bốn năm sáu", 9)
    assert words == ["một hai", "ba bốn", "năm sáu"]


def test_a_word_longer_than_the_limit_is_cut() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_windows_newlines_and_many_blank_lines_are_paragraph_breaks() -> None:
    assert split_text("một\r\n\r\n\r\nhai", 5) == ["một", "hai"]


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        split_text("a", 0)


@pytest.mark.parametrize("seed", range(30))
def test_random_texts_keep_every_word_in_order_within_the_limit(seed: int) -> None:
    rng = random.Random(seed)
    vocabulary = ["thi", "đua", "yêu", "nước", "\n", "\n\n", "x" * rng.randint(1, 40), "🙂"]
    text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 400)))
    limit = rng.choice([7, 20, 50, 200])
    chunks = split_text(text, limit)
    assert all(0 < len(chunk) <= limit and chunk.strip() for chunk in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())
