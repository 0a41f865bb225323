"""Names are echoed capitalised, as written on papers, whoever typed them in lower case."""

from __future__ import annotations

import pytest

from handlers.common.steps import proper_name


@pytest.mark.parametrize("typed, shown", [
    ("hoàng thị lan", "Hoàng Thị Lan"),
    ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
    ("H'Hen Niê", "H'Hen Niê"),          # capitals of its own are kept
    ("Lê văn Tám", "Lê văn Tám"),
    ("đỗ thị ánh", "Đỗ Thị Ánh"),
])
def test_names_typed_in_one_case_are_capitalised(typed: str, shown: str) -> None:
    assert proper_name(typed) == shown
