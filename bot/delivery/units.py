"""Which units a unit-addressed message concerns, across the 2025 reform lineage (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from content.units import UnitTree


def _with_descendants(tree: UnitTree, code: str) -> list[str]:
    return [code, *(u.code for u in tree.descendants(code))]


def _successors(tree: UnitTree, code: str) -> tuple[str, ...]:
    unit = tree.get(code)
    return unit.successors if unit is not None else ()


def units_concerned(tree: UnitTree, codes: Iterable[str]) -> frozenset[str]:
    """Return the units a message for `codes` reaches.

    That is the units themselves and all below them; the units they became after a reform
    (successors, transitively, with all below them), so a district's plan reaches people
    registered in the communes that replaced it; and the older units wholly merged into the
    starting units (predecessors whose successors all lie in the area), so a new commune
    reaches people registered before the reform. A predecessor split between this area and
    another is left out, and predecessors are not followed from successors (an old commune's
    deadline does not reach its neighbours merged into the same new commune).
    """
    start = [code for code in codes if tree.get(code) is not None]
    base: set[str] = set()
    for code in start:
        base.update(_with_descendants(tree, code))
    area = set(base)
    queue = [s for code in base for s in _successors(tree, code)]
    while queue:
        code = queue.pop()
        if code in area:
            continue
        area.update(_with_descendants(tree, code))
        queue.extend(_successors(tree, code))
    queue = list(base)
    while queue:
        unit = tree.get(queue.pop())
        assert unit is not None
        for old in unit.predecessors:
            before = tree.get(old)
            if old in area or before is None or not set(before.successors) <= area:
                continue
            area.update(_with_descendants(tree, old))
            queue.append(old)
    return frozenset(area)
