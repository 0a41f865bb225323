"""Which units a unit-addressed message concerns, across the 2025 reform lineage (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from content.units import UnitTree


def units_concerned(tree: UnitTree, codes: Iterable[str]) -> frozenset[str]:
    """Return the units a message for `codes` reaches: those units and all below them, the
    units they became (successors, transitively, with all below them), and older units that
    were wholly merged into that area (so people registered before the reform are reached).

    A district that was split keeps its people; a predecessor that was split between this
    area and another is left out (its people are reached by the other area's successors).
    """
    area: set[str] = set()
    queue = [code for code in codes if tree.get(code) is not None]
    while queue:
        code = queue.pop()
        if code in area:
            continue
        area.add(code)
        unit = tree.get(code)
        assert unit is not None
        queue.extend(u.code for u in tree.descendants(code))
        queue.extend(unit.successors)
    changed = True
    while changed:
        changed = False
        for code in list(area):
            unit = tree.get(code)
            assert unit is not None
            for old in unit.predecessors:
                before = tree.get(old)
                if old not in area and before is not None and set(before.successors) <= area:
                    area.add(old)
                    changed = True
    return frozenset(area)
