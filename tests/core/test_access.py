"""ctx.access: one meaning of "manages this unit" (the unit or one above it), admins all."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.access import Access
from content.units import load_units
from storage.access import Grant


def _grant(role: str, unit: str | None) -> Grant:
    return Grant(id=1, person_id=1, role=role, unit_code=unit, granted_by=None,
                 granted_at=datetime(2024, 1, 1, tzinfo=UTC), revoked_at=None)


def test_a_liaison_manages_their_unit_and_those_below_not_others() -> None:
    tree = load_units()
    district = next(u for u in iter(tree) if tree.children(u.code))
    child = tree.children(district.code)[0]
    other = next(u for u in iter(tree)
                 if u.code != district.code and district.code not in
                 {a.code for a in tree.ancestors(u.code)} and u.code != child.code)
    access = Access((_grant("liaison", district.code),), tree)
    assert access.has("liaison") and not access.has("reviewer")
    assert access.manages(district.code) and access.manages(child.code)
    assert not access.manages(other.code)
    assert not access.manages(None)


def test_an_admin_manages_every_unit_and_everyone_is_a_resident() -> None:
    tree = load_units()
    admin = Access((_grant("admin", None),), tree)
    some_unit = next(iter(tree))
    assert admin.is_admin and admin.manages(some_unit.code) and admin.has("liaison")
    nobody = Access((), tree)
    assert nobody.roles == frozenset({"resident"}) and not nobody.manages(some_unit.code)


def test_a_new_communes_liaison_manages_the_former_communes_merged_into_it() -> None:
    """Since 1/7/2025 xã Bắc Sơn holds what thị trấn Bắc Sơn, xã Long Đống and xã Bắc Quỳnh
    were: its liaison manages their records, not those of the district that was split, nor
    of a neighbour merged elsewhere; a liaison of a former xã does not manage the new one."""
    tree = load_units()
    new = Access((_grant("liaison", "ls.xa-bac-son"),), tree)
    assert new.manages("ls.bac-son.long-dong") and new.manages("ls.bac-son.tt-bac-son")
    assert not new.manages("ls.bac-son") and not new.manages("ls.bac-son.tan-tri")
    old = Access((_grant("liaison", "ls.bac-son.long-dong"),), tree)
    assert not old.manages("ls.xa-bac-son")
