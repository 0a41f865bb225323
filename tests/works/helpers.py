"""Helpers for works and conference transcripts: people with a unit, forged choices, photos,
and the two registrations most tests start from."""

from __future__ import annotations

from bot.app import App
from bot.channels.console import CHANNEL
from bot.core.types import Attachment, AttachmentKind, Incoming
from content.privacy import Purpose
from storage.people import ConsentRepo, PeopleRepo
from tests.harness import Chat

BAN_CONG = "yb.tram-tau.ban-cong"
PA_LAU = "yb.tram-tau.pa-lau"
TRAM_TAU = "yb.tram-tau"
NHAN_LY = "ls.chi-lang.nhan-ly"
HUU_KIEN = "ls.chi-lang.huu-kien"
DONG_MO = "ls.chi-lang.tt-dong-mo"
CHI_LANG = "ls.chi-lang"
WORKS_CAMPAIGN = "tram-tau-dai-hoi-dang"
CONFERENCE_CAMPAIGN = "chi-lang-dai-hoi-thi-dua"


async def become(chat: Chat, app: App, name: str, role: str, unit_code: str | None,
                 *, consent: bool = True, reminders: bool = False) -> None:
    """Switch to a registered person with a role and unit (reporting consent given; with
    `reminders`, reminders accepted too)."""
    await app.role_of(CHANNEL, name)
    now = app.services.clock.now()
    async with app.sessions() as session:
        people = PeopleRepo(session)
        account = await people.account(CHANNEL, name)
        assert account is not None
        person = await people.get(account.person_id)
        if not person.is_registered:
            await people.update_profile(person.id, now, full_name=name.title(),
                                        birth_year=1985, unit_code=unit_code, registered_at=now)
        elif person.unit_code != unit_code:
            await people.update_profile(person.id, now, unit_code=unit_code)
        consents = ConsentRepo(session)
        if consent and not await consents.has(person.id, Purpose.UNIT_REPORTS):
            await consents.record(person.id, Purpose.UNIT_REPORTS, True, "2026.1", CHANNEL, now)
        if reminders:
            await consents.record(person.id, Purpose.REMINDERS, True, "2026.1", CHANNEL, now)
        await session.commit()
    await chat.send(f"/as {name} {role}")  # the role is granted on the unit set above
    assert f"Bây giờ bạn đang là \"{name}\"" in await chat.reply()


async def press(chat: Chat, payload: str) -> None:
    """Send a choice payload as a channel with buttons would (also used to forge one)."""
    chat.assert_all_read()
    user = chat.channel.user
    chat.pending.extend(await chat.channel.app.handle(
        Incoming(CHANNEL, user, user, choice=payload)))


async def send_photo(chat: Chat, *, size: int | None = None, caption: str | None = None,
                     kind: AttachmentKind = AttachmentKind.PHOTO) -> None:
    """Send a photo (or another attachment) with a known size."""
    chat.assert_all_read()
    attachment = Attachment(kind, url="file:///tmp/site.jpg", size=size, caption=caption)
    chat.pending.extend(await chat.channel.send(caption, (attachment,)))


def pick(chat: Chat, label_part: str) -> str:
    """Return the number of the one choice whose label contains label_part, as typed."""
    labels = chat.choices()
    matches = [i for i, label in enumerate(labels, 1) if label_part in label]
    assert len(matches) == 1, f"{label_part!r} in {labels}"
    return str(matches[0])


async def register_work(chat: Chat, name: str = "Đường bê tông thôn Tà Xùa",
                        value: str = "1,5 tỷ", due: str = "quý 2/2025") -> str:
    """Register a work from the works home (the person is a liaison with consent)."""
    await chat.send("/congtrinh")
    assert "Công trình, phần việc —" in await chat.reply()
    await chat.send("Đăng ký công trình mới")
    assert "Kế hoạch yêu cầu" in await chat.reply()
    assert "Tên công trình" in await chat.reply()
    await chat.send(name)
    assert "Khối lượng" in await chat.reply()
    await chat.send("1,2 km, rộng 3 m")
    assert "Địa điểm thi công" in await chat.reply()
    await chat.send("thôn Tà Xùa")
    assert "giá trị thực hiện" in await chat.reply()
    await chat.send(value)
    assert "Nguồn kinh phí" in await chat.reply()
    await chat.send("ngân sách xã 60%, nhân dân đóng góp 40%")
    assert "dự kiến hoàn thành" in await chat.reply()
    await chat.send(due)
    summary = await chat.reply()
    assert "Thông tin đã đúng chưa?" in summary
    await chat.send("Lưu")
    return await chat.reply()


async def register_conference(chat: Chat, day: str, total: str, grassroots: str,
                              form: str = "1") -> str:
    """Register the unit's conference from /hoinghi; return the saved answer."""
    await chat.send("/hoinghi")
    assert "Hội nghị" in await chat.reply()
    await chat.send("Đăng ký hội nghị")
    assert "theo hình thức nào" in await chat.reply()
    await chat.send(form)
    assert "Ngày tổ chức" in await chat.reply()
    await chat.send(day)
    assert "tổng số đại biểu" in await chat.reply()
    await chat.send(total)
    assert "đại biểu cơ sở" in await chat.reply()
    await chat.send(grassroots)
    assert "Thông tin đã đúng chưa?" in await chat.reply()
    await chat.send("Lưu")
    return await chat.reply()
