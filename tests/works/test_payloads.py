"""Buttons keep their bytes: payloads sent before the typed classes still work, forged ones
are refused without a crash."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.core.clock import MovableClock
from bot.core.payloads import MAX_PAYLOAD_BYTES
from handlers.works.payloads import (
    NO_WORK,
    PREFIX_FAMILIES,
    AllWorks,
    AskComplete,
    AskWithdraw,
    ConferenceHome,
    ConferenceList,
    ConfirmComplete,
    ConfirmWithdraw,
    ConsentNo,
    ConsentYes,
    EditConference,
    EditWork,
    ExportConferences,
    ExportWorks,
    FlagshipList,
    RegisterConference,
    RegisterWork,
    ReportProgress,
    ToggleFlagship,
    ViewWork,
    WorkPhotos,
    WorksHome,
    WorksList,
)
from storage.models import WorkRow
from tests.harness import Chat
from tests.works.helpers import (
    BAN_CONG,
    CONFERENCE_CAMPAIGN,
    TRAM_TAU,
    WORKS_CAMPAIGN,
    become,
    press,
    register_work,
)

CAMPAIGN = WORKS_CAMPAIGN
# The strings the f-strings wrote before the typed classes, byte for byte.
BEFORE = [
    (WorksHome(CAMPAIGN), f"w:c:{CAMPAIGN}"),
    (RegisterWork(CAMPAIGN), f"w:n:{CAMPAIGN}"),
    (WorksList(CAMPAIGN, "s"), f"w:l:{CAMPAIGN}:s"),
    (AllWorks(CAMPAIGN, 2), f"w:a:{CAMPAIGN}:2"),
    (FlagshipList(CAMPAIGN), f"w:fl:{CAMPAIGN}"),
    (ExportWorks(CAMPAIGN), f"w:x:{CAMPAIGN}"),
    (ViewWork(7), "w:v:7"),
    (WorkPhotos(7), "w:ph:7"),
    (ToggleFlagship(7), "w:f:7"),
    (EditWork(7), "w:e:7"),
    (ReportProgress(7), "w:p:7"),
    (AskComplete(7), "w:d:7"),
    (ConfirmComplete(7), "w:dy:7"),
    (AskWithdraw(7), "w:r:7"),
    (ConfirmWithdraw(7), "w:ry:7"),
    (ConferenceHome(CONFERENCE_CAMPAIGN), f"h:c:{CONFERENCE_CAMPAIGN}"),
    (RegisterConference(CONFERENCE_CAMPAIGN), f"h:n:{CONFERENCE_CAMPAIGN}"),
    (ConferenceList(CONFERENCE_CAMPAIGN, "m"), f"h:l:{CONFERENCE_CAMPAIGN}:m"),
    (ExportConferences(CONFERENCE_CAMPAIGN), f"h:x:{CONFERENCE_CAMPAIGN}"),
    (EditConference(12), "h:e:12"),
    (ConsentYes("w:p:7"), "wc:y:w:p:7"),
    (ConsentNo(), "wc:n"),
]


def test_payloads_pack_to_the_bytes_sent_before_and_read_back() -> None:
    for payload, raw in BEFORE:
        assert payload.pack() == raw
        assert type(payload).parse(raw) == payload
        assert len(raw.encode()) <= MAX_PAYLOAD_BYTES


def test_a_consent_payload_keeps_the_whole_button_it_resumes() -> None:
    longest = ConsentYes(RegisterConference(CONFERENCE_CAMPAIGN).pack()).pack()
    assert ConsentYes.parse(longest) == ConsentYes(f"h:n:{CONFERENCE_CAMPAIGN}")
    assert len(longest.encode()) <= MAX_PAYLOAD_BYTES


def test_unreadable_ids_name_no_work_and_no_conference() -> None:
    assert ViewWork.parse("w:v:abc") == ViewWork(NO_WORK)
    assert EditWork.parse("w:e:9223372036854775808") == EditWork(NO_WORK)
    assert ViewWork.parse("w:v:²") == ViewWork(NO_WORK)
    assert EditConference.parse("h:e:abc") is None
    assert EditConference.parse("h:e:99999999999999") is None
    assert AllWorks.parse(f"w:a:{CAMPAIGN}:x") is None


async def test_forged_huge_ids_are_answered_not_crashed(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await press(chat, "w:v:9223372036854775808")
    assert "Không tìm thấy công trình" in await chat.reply()
    await press(chat, "h:e:99999999999999999999")
    assert "không còn hiệu lực" in await chat.reply()
    await press(chat, f"w:a:{WORKS_CAMPAIGN}:x")
    assert "không còn hiệu lực" in await chat.reply()


async def test_a_district_liaison_manages_the_works_of_its_communes(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await register_work(chat)
    async with app.sessions() as session:
        work = (await session.scalars(select(WorkRow))).one()
    await become(chat, app, "huyen", "liaison", TRAM_TAU)
    await press(chat, ViewWork(work.id).pack())
    shown = await chat.reply()
    assert "Đơn vị: Xã Bản Công" in shown
    assert "Cập nhật tiến độ" in chat.choices() and "Sửa thông tin" in chat.choices()
    await chat.send("Cập nhật tiến độ")
    assert "đang ở 0%" in await chat.reply()
    await chat.send("60")
    assert "Ghi chú ngắn" in await chat.reply()
    await chat.send("Bỏ qua")
    assert "ảnh chụp hiện trường" in await chat.reply()
    await chat.send("Bỏ qua")
    assert "Đã ghi nhận tiến độ 60%." in await chat.reply()


def test_every_payload_belongs_to_a_family_whose_unknown_buttons_are_answered() -> None:
    assert {type(p).PREFIX.split(":", 1)[0] for p, _ in BEFORE} == set(PREFIX_FAMILIES)


async def test_an_unknown_works_button_is_stale_for_a_liaison_and_refused_to_a_resident(
        chat: Chat, app: App) -> None:
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await press(chat, "w:zz:1")
    assert "không còn hiệu lực" in await chat.reply()
    await chat.send("/as dan resident")
    assert "Bây giờ bạn đang là \"dan\"" in await chat.reply()
    await press(chat, "h:zz:1")
    assert "chỉ dành cho cán bộ được phân quyền" in await chat.reply()
