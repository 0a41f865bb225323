"""Files and photos through the adapters: fetched at once within the size cap, handed to the
core as bytes; what cannot be read gets the catalog text and never reaches the core."""

from __future__ import annotations

from collections.abc import Callable

from bot.channels.telegram import TelegramChannel, telegram_file_id
from bot.channels.zalo import ZaloChannel
from bot.core.types import AttachmentKind
from tests.channels.conftest import TEXTS
from tests.channels.fake_telegram import FakeTelegram, TelegramChat
from tests.channels.fake_zalo import FakeZalo, ZaloChat, zalo_event
from tests.channels.scripted import ScriptedCore

MakeTelegram = Callable[..., TelegramChannel]
MakeZalo = Callable[..., ZaloChannel]
JPEG = b"\xff\xd8\xff\xe0" + b"anh-viec-tot" * 100
CSV = "Họ và tên;SĐT\nLan;0912345678\n".encode()


async def test_telegram_photo_and_document_arrive_with_their_bytes(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    chat.send_content(caption="Anh Nam trả ví", **fake_telegram.photo_fields("ph-1", JPEG))
    assert (await chat.reply())["text"] == "Đã nhận ảnh."
    chat.send_content(**fake_telegram.document_fields("doc-1", CSV, "tuan3.csv"))
    await chat.reply()
    photo = core.calls[0].attachments[0]
    assert (photo.kind, photo.data, photo.size) == (AttachmentKind.PHOTO, JPEG, len(JPEG))
    assert telegram_file_id(photo) == "ph-1"  # the largest size, still sendable by id
    document = core.calls[1].attachments[0]
    assert (document.kind, document.data, document.filename) == (
        AttachmentKind.DOCUMENT, CSV, "tuan3.csv")
    assert fake_telegram.downloads == ["photos/ph-1.jpg", "documents/doc-1_tuan3.csv"]


async def test_telegram_files_over_the_cap_are_not_fetched(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    await make_telegram(max_download_bytes=100).start()
    chat = TelegramChat(fake_telegram)
    chat.send_content(**fake_telegram.document_fields("doc-big", CSV * 10, "lon.csv"))
    await chat.reply()
    document = core.calls[0].attachments[0]
    assert document.data is None and document.size == len(CSV) * 10
    assert fake_telegram.downloads == [] and "getFile" not in fake_telegram.methods()


async def test_telegram_download_failure_still_delivers_the_message(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    fields = fake_telegram.document_fields("doc-2", CSV, "ds.csv")
    fake_telegram.fail("getFile", 500, "Internal Server Error")
    chat.send_content(**fields)
    await chat.reply()
    document = core.calls[0].attachments[0]
    assert document.data is None and telegram_file_id(document) == "doc-2"


async def test_telegram_voice_video_and_location_get_what_the_bot_reads(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    chat.send_content(voice={"file_id": "v1", "file_unique_id": "uv1", "duration": 3})
    assert (await chat.reply())["text"] == TEXTS["channel.unsupported"]
    chat.send_content(video={"file_id": "vd", "file_unique_id": "uvd", "width": 1,
                             "height": 1, "duration": 2})
    assert (await chat.reply())["text"] == TEXTS["channel.unsupported"]
    chat.send_content(location={"latitude": 21.0, "longitude": 105.8})
    assert (await chat.reply())["text"] == TEXTS["channel.unsupported"]
    assert core.calls == [] and fake_telegram.downloads == []


async def test_zalo_photo_is_fetched_at_once_and_an_expired_one_keeps_its_url(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore
) -> None:
    await make_zalo().start()
    chat = ZaloChat(fake_zalo)
    url = fake_zalo.photo_url("a.jpg", JPEG)
    fake_zalo.push(zalo_event("message.image.received", chat.chat_id, photo_url=url))
    assert await chat.reply() == "Đã nhận ảnh."
    gone = fake_zalo.photo_url("b.jpg", JPEG)
    fake_zalo.expire("b.jpg")
    fake_zalo.push(zalo_event("message.image.received", chat.chat_id, photo_url=gone))
    assert await chat.reply() == "Đã nhận ảnh."
    fresh, expired = (c.attachments[0] for c in core.calls)
    assert (fresh.data, fresh.url, fresh.size) == (JPEG, url, len(JPEG))
    assert (expired.data, expired.url) == (None, gone)
    assert fake_zalo.fetched == ["a.jpg"]


async def test_zalo_photo_over_the_cap_is_dropped_and_a_file_arrives_without_bytes(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore
) -> None:
    await make_zalo(max_download_bytes=100).start()
    chat = ZaloChat(fake_zalo)
    url = fake_zalo.photo_url("big.jpg", JPEG)
    fake_zalo.push(zalo_event("message.image.received", chat.chat_id, photo_url=url))
    assert await chat.reply() == "Đã nhận ảnh."
    fake_zalo.push(zalo_event("message.file.received", chat.chat_id, file_name="ds.xlsx"))
    await chat.reply()
    photo, document = (c.attachments[0] for c in core.calls)
    assert photo.data is None and photo.url == url
    assert (document.kind, document.data, document.filename) == (
        AttachmentKind.DOCUMENT, None, "ds.xlsx")
