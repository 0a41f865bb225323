"""A hostile plan file (a .docx zip bomb, an oversized file) is refused before parsing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from content.importer.errors import PlanError
from content.importer.read import MAX_BYTES, read_plan
from content.messages import Messages

MB = 1_000_000
BODY = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
        'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
END = "</w:t></w:r></w:p></w:body></w:document>"


def docx(path: Path, text_mb: int, text: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive, \
            archive.open("word/document.xml", "w", force_zip64=True) as part:
        part.write((BODY + text).encode())
        chunk = b"A" * MB
        for _ in range(text_mb):
            part.write(chunk)
        part.write(END.encode())
    return path


def refused(path: Path) -> PlanError:
    with pytest.raises(PlanError) as error:
        read_plan(path)
    return error.value


def test_a_docx_inflating_to_300_mb_is_refused(tmp_path: Path) -> None:
    path = docx(tmp_path / "kehoach.docx", 300)
    assert path.stat().st_size < 5 * MB
    error = refused(path)
    assert error.key == "importer.docx_too_big"
    text = Messages.load().t(error.key, **error.params)
    assert "kehoach.docx" in text and "Chưa ghi gì" in text


def test_a_small_docx_still_reads(tmp_path: Path) -> None:
    plan = read_plan(docx(tmp_path / "nho.docx", 0, "I. Mục đích, yêu cầu"))
    assert plan.paragraphs == ["I. Mục đích, yêu cầu"]


def test_a_file_over_the_byte_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "kehoach.txt"
    with path.open("wb") as out:
        out.truncate(MAX_BYTES + 1)
    error = refused(path)
    assert error.key == "importer.too_big"
    assert "{" not in Messages.load().t(error.key, **error.params)
