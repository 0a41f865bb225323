"""The natural-answer words file is checked when loaded: a mistake names the file and place."""

from pathlib import Path

import pytest
import yaml

from content.errors import ContentError
from content.natural import DEFAULT_NATURAL, load_natural


def _write(tmp_path: Path, change: dict) -> Path:
    raw = yaml.safe_load(DEFAULT_NATURAL.read_text(encoding="utf-8"))
    raw.update(change)
    path = tmp_path / "natural.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_shipped_words_load_folded() -> None:
    words = load_natural()
    assert words.relations["anh trai"] == "nguoi_than"
    assert words.relative_days["hom qua"] == -1
    assert words.hedges[0] == max(words.hedges, key=len)


def test_a_word_in_two_relations_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {"relations": {"nguoi_than": ["anh"], "ban_be": ["Anh"]}})
    with pytest.raises(ContentError, match=r"relations\.ban_be"):
        load_natural(path)


def test_missing_weekday_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {"weekdays": {"thứ hai": 1}})
    with pytest.raises(ContentError, match="weekdays"):
        load_natural(path)


def test_unknown_section_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {"extra": []})
    with pytest.raises(ContentError, match="extra"):
        load_natural(path)
