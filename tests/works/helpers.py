"""Helpers for works and conference transcripts: people with a unit, forged choices, photos."""

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
CHI_LANG = "ls.chi-lang"
WORKS_CAMPAIGN = "tram-tau-dai-hoi-dang"
CONFERENCE_CAMPAIGN = "chi-lang-dai-hoi-thi-dua"


async def become(chat: Chat, app: App, name: str, role: str, unit_code: str | None,
                 *, consent: bool = True) -> None:
    """Switch to a registered person with a role and unit (reporting consent given)."""
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
        await session.commit()
    await chat.send(f"/as {name} {role}")  # the role is granted on the unit set above
    await chat.reply()


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
    """Return the number of the choice whose label contains label_part, as typed."""
    labels = chat.choices()
    matches = [i for i, label in enumerate(labels, 1) if label_part in label]
    assert len(matches) == 1, f"{label_part!r} in {labels}"
    return str(matches[0])
