"""Unit duty reminders over the Zalo fake: two liaisons, only the one whose commune still
owes its conference is reminded, and the one who closes it stops getting them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime

import pytest

from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_api import ZaloBotApi
from bot.core.clock import MovableClock
from storage.works.repo import ConferenceRepo
from tests.channels.conftest import ZALO_TOKEN
from tests.channels.fake_zalo import FakeZalo
from tests.delivery.conftest import MakeChat
from tests.delivery.helpers import seed_people
from tests.delivery.test_paced import send_all

CAMPAIGN = "chi-lang-dai-hoi-thi-dua"
NHAN_LY = "ls.chi-lang.nhan-ly"
HUU_KIEN = "ls.chi-lang.huu-kien"


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    fake = FakeZalo(ZALO_TOKEN)
    await fake.start()
    yield fake
    await fake.close()


async def test_conference_reminders_reach_only_the_commune_that_owes_one(
    make_chat: MakeChat, clock: MovableClock, zalo: FakeZalo,
) -> None:
    app, _chat = await make_chat(quiet_hours_start="00:00", quiet_hours_end="00:00")
    app.delivery.live_channels = frozenset({"zalo"})  # as `thidua run` with a Zalo token
    clock.set(datetime(2025, 3, 24, 8, 0))
    now = clock.now()
    [nhan_ly] = await seed_people(app.sessions, 1, now, channel="zalo", unit_code=NHAN_LY,
                                  role="liaison", first_external=500)
    [huu_kien] = await seed_people(app.sessions, 1, now, channel="zalo", unit_code=HUU_KIEN,
                                   role="liaison", first_external=600)
    async with app.sessions() as session:
        held = await ConferenceRepo(session).save(CAMPAIGN, NHAN_LY, "xa", "Đại hội thi đua",
                                                  date(2025, 1, 15), 120, 90, None, now)
        late = await ConferenceRepo(session).save(CAMPAIGN, HUU_KIEN, "xa", "Đại hội thi đua",
                                                  date(2025, 4, 5), 120, 90, None, now)
        await session.commit()
    channel = ZaloChannel(ZaloBotApi(ZALO_TOKEN, zalo.base_url), handle=app.handle,
                          on_blocked=app.mark_blocked, texts=app.services.messages.t)
    sender = app.delivery.sender("zalo", channel)
    try:
        assert await app.delivery.tick() == 1
        await send_all(app, sender)
        [reminder] = zalo.sent
        assert reminder["chat_id"] == huu_kien and nhan_ly != huu_kien
        assert "Còn 7 ngày nữa là hết hạn \"Hội nghị cấp xã\"" in reminder["text"]
        async with app.sessions() as session:  # Hữu Kiên reports it held (earlier than planned)
            await ConferenceRepo(session).close(late.id, held_on=date(2025, 3, 25), now=now)
            await session.commit()
        clock.set(datetime(2025, 3, 28, 8, 0))
        assert await app.delivery.tick() == 0
        await send_all(app, sender)
        assert len(zalo.sent) == 1 and held.id != late.id
    finally:
        await channel.stop()
