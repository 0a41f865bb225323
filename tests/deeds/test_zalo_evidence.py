"""Evidence photos sent over Zalo are fetched at once and kept: once Zalo's URL has expired
the reviewer still gets the photo; the reporter's privacy export lists it."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import create_app
from bot.app.runtime import make_channels
from bot.channels.console import ConsoleChannel
from bot.channels.runner import start_channels, stop_channels
from bot.core.clock import MovableClock
from bot.core.config import Settings
from bot.core.types import AttachmentKind, Incoming
from storage.deeds.models import DeedPhotoRow
from storage.files import FileRepo, StoredFileRow
from tests.channels.conftest import ZALO_TOKEN
from tests.channels.fake_zalo import FakeZalo, ZaloChat, zalo_event
from tests.conftest import START
from tests.deeds.helpers import register
from tests.deeds.test_zalo_notices import number_of, say
from tests.harness import Chat

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40  # a small "JPEG"


async def test_a_zalo_photo_outlives_its_url(db_url: str) -> None:
    zalo = FakeZalo(ZALO_TOKEN)
    await zalo.start()
    settings = Settings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                        zalo_bot_token=ZALO_TOKEN, zalo_api_base=zalo.base_url,
                        zalo_poll_timeout=1, rate_limit_messages=100)
    clock = MovableClock(start=START)
    app = create_app(settings, clock)
    await app.start()
    channels = make_channels(app)
    await start_channels(channels)
    try:
        console = Chat(ConsoleChannel(app, clock, user="minh"))
        await register(console, "minh", "Trần Văn Minh", "bac son", "Huyện Bắc Sơn", "liaison")
        lan = ZaloChat(zalo, "zalo-lan")
        for line, expected in (
                ("/baoguong", "Bạn có đồng ý không?"), ("1", "Họ và tên của bạn"),
                ("hoàng thị lan", "xã, phường nào"), ("long dong", "Ai đã làm việc tốt"),
                ("Hoàng Văn Nam", "kể ngắn gọn"),
                ("Anh Nam nhặt được ví có 5 triệu đồng ở chợ và trả lại người đánh rơi.",
                 "ngày nào")):
            await say(lan, line, expected)
        review = await say(lan, "hôm qua", "Báo cáo của bạn")
        zalo.push(zalo_event("message.image.received", "zalo-lan",
                             photo_url=zalo.photo_url("p1.jpg", PHOTO)))
        added = await lan.reply()
        assert "1/3" in added
        assert zalo.fetched == ["p1.jpg"]  # fetched while the message was handled
        await say(lan, number_of(review, "Gửi báo cáo"), "Đã gửi báo cáo #1")
        zalo.expire("p1.jpg")  # Zalo's URL is gone now

        replies = await app.handle(Incoming("console", "minh", "minh", text="/duyet 1"))
        [photo] = [a for r in replies for a in r.attachments]
        assert photo.kind is AttachmentKind.PHOTO and photo.data == PHOTO
        assert zalo.fetched == ["p1.jpg"]
        async with app.sessions() as session:
            [file_id] = list(await session.scalars(select(DeedPhotoRow.file_id)))
            assert file_id is not None
            stored = await FileRepo(session).get(file_id)
            assert stored is not None and stored.claimed
            assert (stored.mime, stored.size, stored.purpose) == ("image/jpeg", len(PHOTO),
                                                                  "deed_photo")

        await say(lan, "/quyenriengtu", "Tệp và ảnh bạn đã gửi cho Trợ lý: 1 mục")
        async with app.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(StoredFileRow)) == 1
    finally:
        await stop_channels(channels)
        await app.close()
        await zalo.close()
