"""TEMPORARY stand-in for the unit hierarchy (replaced by the real loader)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from content.text import fold


@dataclass(frozen=True)
class Unit:
    """A unit."""

    code: str
    name: str
    full_name: str


class UnitTree:
    """Stand-in."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = {u.code: u for u in units}

    def get(self, code: str) -> Unit | None:
        """Get."""
        return self.units.get(code)

    def path_text(self, code: str) -> str:
        """Path."""
        return self.units[code].full_name

    def search(self, query: str, *, on: date | None = None, limit: int = 5
               ) -> list[tuple[Unit, float]]:
        """Search."""
        q = fold(query)
        return [(u, 100.0) for u in self.units.values() if q in fold(u.full_name)][:limit]


def load_units(directory: Path | None = None) -> UnitTree:
    """Load."""
    return UnitTree([Unit("ls.chi-lang.nhan-ly", "Nhân Lý", "Xã Nhân Lý, Huyện Chi Lăng"),
                     Unit("ls.chi-lang", "Chi Lăng", "Huyện Chi Lăng, Tỉnh Lạng Sơn")])
