"""Nominee protection, own reports, minors, and the XLSX list of nominations."""

from __future__ import annotations

import argparse
import asyncio
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.__main__ import main
from bot.app import App, create_app
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from bot.core.types import AttachmentKind
from handlers.deeds import FEATURE
from storage.db import create_engine
from storage.models import AuditRow
from tests.conftest import START, make_settings
from tests.deeds.conftest import DeedsChat
from tests.deeds.helpers import (
    become,
    nominate,
    pick,
    press,
    register,
    report_other,
    setup_people,
)
from tests.harness import Chat


async def test_nominee_is_not_shown_publicly_before_consent(chat: Chat) -> None:
    await setup_people(chat)
    await become(chat, "minh")
    await chat.send("/duyet 1")
    assert "Báo cáo #1 — Chờ cán bộ nhận" in await chat.reply()
    await chat.send("Nhận xem xét")
    assert "Bạn đã nhận xem xét báo cáo #1. Người báo đã được" in await chat.reply()
    await chat.send("Ghi nhận là gương tốt")
    assert "Đã ghi nhận báo cáo #1 là gương tốt. Người báo đã" in await chat.reply()
    await become(chat, "lan")
    await chat.send("/guongtot")
    assert "Gương người tốt, việc tốt — bạn muốn làm gì?" in await chat.reply()
    await chat.send("Các gương tốt đã được ghi nhận")
    assert "Chưa có gương tốt nào được ghi nhận và công khai" in await chat.reply()
    await become(chat, "minh")
    await chat.send("/duyet 1")
    assert "Báo cáo #1 — Đã được ghi nhận" in await chat.reply()
    await chat.send("Ghi nhận ý kiến của người được nêu")
    assert "Người được nêu (hoặc cha mẹ, người giám hộ) đã" in await chat.reply()
    await pick(chat, "không đồng ý công khai")
    assert "Ghi nhận bằng cách nào (ví dụ: đồng ý bằng văn" in await chat.reply()
    await chat.send("Bỏ qua")
    assert "Bạn kiểm tra lại thông tin" in await chat.reply()
    await chat.send("Lưu")
    assert "Đã ghi nhận ý kiến của người được nêu (báo cáo" in await chat.reply()
    await chat.send("Đề nghị khen thưởng")
    assert "Cần ghi nhận sự đồng ý" in await chat.reply()
    await become(chat, "lan")
    await chat.send("/guongtot")
    assert "Gương người tốt, việc tốt — bạn muốn làm gì?" in await chat.reply()
    await chat.send("Các gương tốt đã được ghi nhận")
    assert "Hoàng Văn Nam" not in await chat.reply()


async def test_a_minor_needs_a_guardians_consent(chat: Chat) -> None:
    await register(chat, "minh", "Trần Văn Minh", "bac son", "Huyện Bắc Sơn", "liaison")
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    await report_other(chat, name="Lò Văn Páo", age="Dưới 16")
    await become(chat, "minh")
    await chat.send("/duyet 1")
    detail = await chat.reply()
    assert "Lò Văn Páo (dưới 16 tuổi; chưa ghi nhận đồng ý" in detail
    await chat.send("Ghi nhận ý kiến của người được nêu")
    assert "Người được nêu (hoặc cha mẹ, người giám hộ) đã" in await chat.reply()
    await pick(chat, "Người được nêu đã đồng ý")
    assert "cần sự đồng ý của cha mẹ hoặc người giám hộ" in await chat.reply()
    await pick(chat, "Cha mẹ hoặc người giám hộ")
    assert "Ghi nhận bằng cách nào (ví dụ: đồng ý bằng văn" in await chat.reply()
    await chat.send("Bố em Páo ký giấy đồng ý ngày 12/4/2024")
    assert "Bạn kiểm tra lại thông tin" in await chat.reply()
    await chat.send("Lưu")
    assert "Lò Văn Páo (dưới 16 tuổi; cha mẹ/người giám hộ đã đồng ý)" in await chat.reply()


async def test_a_reviewer_does_not_review_their_own_report(chat: Chat) -> None:
    await register(chat, "minh", "Trần Văn Minh", "bac son", "Huyện Bắc Sơn", "liaison")
    await report_other(chat)
    await chat.send("/duyet 1")
    assert "Báo cáo #1 — Chờ cán bộ nhận" in await chat.reply()
    assert "Nhận xem xét" not in chat.choices()
    await press(chat, "gtd:a:1:1:take")
    assert "không tự duyệt báo cáo do chính mình gửi" in await chat.reply()


async def test_export_in_chat_is_an_xlsx_of_nominations_with_protected_names(
        chat: Chat, app: App) -> None:
    await setup_people(chat)
    await become(chat, "minh")
    await chat.send("/duyet")
    assert "Báo cáo gương tốt thuộc Huyện Bắc Sơn, Tỉnh Lạng" in await chat.reply()
    assert chat.choices()[7] == "Xuất danh sách đề nghị khen thưởng (XLSX)"
    await press(chat, "gtd:x")
    assert "Chưa có báo cáo nào được đề nghị" in await chat.reply()
    await nominate(chat)
    await chat.send("Ghi nhận ý kiến của người được nêu")  # the nominee withdraws later
    assert "Người được nêu (hoặc cha mẹ, người giám hộ) đã" in await chat.reply()
    await pick(chat, "không đồng ý công khai")
    assert "Ghi nhận bằng cách nào (ví dụ: đồng ý bằng văn" in await chat.reply()
    await chat.send("Anh Nam gọi điện rút lại đồng ý")
    assert "Bạn kiểm tra lại thông tin" in await chat.reply()
    await chat.send("Lưu")
    assert "Đã ghi nhận ý kiến của người được nêu (báo cáo" in await chat.reply()
    await chat.send("/duyet")
    assert "Báo cáo gương tốt thuộc Huyện Bắc Sơn, Tỉnh Lạng" in await chat.reply()
    await pick(chat, "Xuất danh sách")
    text = await chat.reply()
    assert "Danh sách 1 đề nghị khen thưởng: tệp de-nghi-khen-thuong-2024-04-10.xlsx" in text
    assert chat.last is not None
    (document,) = chat.last.attachments
    assert document.kind is AttachmentKind.DOCUMENT and document.data is not None
    sheet = load_workbook(io.BytesIO(document.data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Số báo cáo", "Phong trào", "Đơn vị", "Thôn, tổ dân phố, cơ quan",
                           "Người được đề nghị")
    assert rows[1][0] == 1 and rows[1][4] == "(chưa có đồng ý của người được nêu)"
    assert rows[1][1] == "Dân vận khéo Bắc Sơn 2024"  # the campaign of the reporter's area
    assert str(rows[1][2]).startswith("Xã Long Đống, Huyện Bắc Sơn")
    assert rows[1][3] is None and "Nam" not in str(rows[1])
    assert rows[1][10] == "Giấy khen (Chủ tịch UBND huyện)" and rows[1][11] == "III.2"
    assert rows[1][14] == "Trần Văn Minh"
    async with app.sessions() as session:  # a list with names left the bot: audited
        (audit,) = (await session.scalars(select(AuditRow)
                                          .where(AuditRow.action == "data.export"))).all()
    assert (audit.actor_id, audit.target_type, audit.changes["after"]["rows"]) == (
        1, "deed_nominations", 1)


async def _prepare_nomination(db_url: str) -> None:
    clock = MovableClock(start=START)
    app = create_app(make_settings(db_url), clock)
    await app.start()
    chat = DeedsChat(ConsoleChannel(app, clock, "lan"))
    try:
        await setup_people(chat)
        await become(chat, "minh")
        await nominate(chat)
        chat.assert_all_read()
    finally:
        await app.close()


def test_export_on_the_server_writes_the_xlsx(db_url: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_prepare_nomination(db_url))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)  # no .env file is read
    out = tmp_path / "out" / "de-nghi.xlsx"
    assert main(["export", "deeds", "--out", str(out)]) == 0
    assert "Đã xuất 1 đề nghị khen thưởng" in capsys.readouterr().out
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][4] == "Hoàng Văn Nam" and rows[1][6] == "người được nêu đã đồng ý"
    assert main(["export", "deeds", "--out", str(out), "--campaign", "khong-co"]) == 2
    assert "Không có phong trào 'khong-co'" in capsys.readouterr().err
    assert asyncio.run(_exports_audited(db_url)) == [(None, "deed_nominations")]


async def test_the_export_command_of_the_manifest_runs_on_a_started_app(
        db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await _prepare_nomination(db_url)
    (command,) = FEATURE.cli
    assert command.path == ("export", "deeds")
    parser = argparse.ArgumentParser()
    command.configure(parser)
    app = create_app(make_settings(db_url), MovableClock(start=START))
    await app.start()
    try:
        out = tmp_path / "xuat" / "de-nghi.xlsx"
        args = parser.parse_args(["--out", str(out), "--campaign", "bac-son-dan-van-kheo-2024"])
        assert await command.run(args, app) == 0
        assert "Đã xuất 1 đề nghị khen thưởng gương tốt" in capsys.readouterr().out
        sheet = load_workbook(out).active
        assert sheet is not None
        assert list(sheet.iter_rows(values_only=True))[1][4] == "Hoàng Văn Nam"
        unknown = parser.parse_args(["--out", str(out), "--campaign", "khong-co"])
        assert await command.run(unknown, app) == 2
        assert "Không có phong trào 'khong-co'. Các phong trào:" in capsys.readouterr().err
    finally:
        await app.close()
    assert await _exports_audited(db_url) == [(None, "deed_nominations")]


async def _exports_audited(db_url: str) -> list[tuple[int | None, str | None]]:
    engine = create_engine(db_url)
    async with engine.connect() as conn:
        rows = await conn.execute(select(AuditRow.actor_id, AuditRow.target_type)
                                  .where(AuditRow.action == "data.export"))
        found = [(actor, target) for actor, target in rows.all()]
    await engine.dispose()
    return found


async def test_liaison_without_a_unit_is_told_how_to_get_one(app: App) -> None:
    chat = Chat(ConsoleChannel(app, MovableClock(start=START), "vy"))
    await chat.send("/as vy liaison")
    assert 'Bây giờ bạn đang là "vy" (vai trò: Cán bộ đầu mối' in await chat.reply()
    await chat.send("/duyet")
    assert "chưa gắn với đơn vị nào" in await chat.reply()
