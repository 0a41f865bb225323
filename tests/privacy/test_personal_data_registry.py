"""A feature plugs its data into export and deletion by adding one section to the registry."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App, build_router
from storage.personal_data import ANONYMOUS, PersonalDataRegistry, Record
from tests.harness import Chat, register


class FakeReferrals:
    """Stands in for a future feature: referrals a person made, counted per week."""

    key = "fake_referrals"
    purposes = frozenset({"profile"})

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.erased: list[int] = []

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        return [{"referee": r["referee"], "week": r["week"]} for r in self.rows
                if r["person_id"] == person_id]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        self.erased.append(person_id)
        for row in self.rows:  # the weekly count survives, the identities do not
            if row["person_id"] == person_id:
                row.update(person_id=None, referee=ANONYMOUS)


@pytest.fixture
def referrals(app: App) -> FakeReferrals:
    section = FakeReferrals()
    app.services.router.personal_data.add(section)
    return section


async def test_a_plugged_in_section_is_exported_and_erased_on_deletion(
    chat: Chat, app: App, referrals: FakeReferrals
) -> None:
    await register(chat, "Nguyễn Thị Lan")
    referrals.rows.append({"person_id": 1, "referee": "Lò Văn Páo", "week": 2})
    await chat.send("/quyenriengtu")
    assert "Dữ liệu khác: 1 mục" in await chat.reply()  # no heading in the catalog yet
    await chat.send("1")
    assert "referee: Lò Văn Páo; week: 2" in await chat.reply()
    await chat.reply()
    assert chat.last is not None and chat.last.attachments[0].data is not None
    document = json.loads(chat.last.attachments[0].data)
    assert document["data"]["fake_referrals"] == [{"referee": "Lò Văn Páo", "week": 2}]
    await chat.reply()
    await chat.send("/quyenriengtu")
    await chat.reply()
    await chat.send("Xoá tài khoản")
    await chat.reply()
    await chat.send("1")
    await chat.reply()
    assert referrals.erased == [1]
    assert referrals.rows == [{"person_id": None, "referee": ANONYMOUS, "week": 2}]


async def test_withdrawing_a_purpose_erases_only_the_sections_for_it(
    chat: Chat, referrals: FakeReferrals
) -> None:
    await register(chat, "Nguyễn Thị Lan")
    for purpose, erased in (("Nhận nhắc hạn và thông báo", []),
                            ("Hồ sơ tham gia phong trào", [1])):
        await chat.send("/quyenriengtu")
        await chat.reply()
        await chat.send("Rút lại đồng ý")
        await chat.reply()
        await chat.send(purpose)
        await chat.reply()
        await chat.send("1")
        await chat.reply()
        assert referrals.erased == erased


def test_identity_sections_are_erased_after_every_feature() -> None:
    registry = build_router().personal_data
    registry.add(FakeReferrals())
    keys = registry.keys()
    assert keys.index("fake_referrals") < keys.index("channel_accounts")
    assert keys[-3:] == ["consents", "channel_accounts", "profile"]


def test_the_registry_refuses_duplicates_and_non_sections() -> None:
    registry = PersonalDataRegistry()
    registry.add(FakeReferrals())
    with pytest.raises(ValueError, match="twice"):
        registry.add(FakeReferrals())
    with pytest.raises(TypeError):
        registry.add(object())  # type: ignore[arg-type]
