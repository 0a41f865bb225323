"""The console sends a local file with `/file PATH`, so it can run the weekly import."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from tests.harness import Chat
from tests.referrals.helpers import become, lan_with_two
from tests.referrals.test_manage import OFFICIAL_WEEK_3, marked_week_3, start_import


async def test_the_console_imports_the_week_from_a_local_file(chat: Chat, app: App,
                                                              tmp_path: Path) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    await become(chat, "admin")
    await start_import(chat)
    await chat.send(f"/file {tmp_path / 'khong-co.csv'}")
    assert "Không mở được tệp" in await chat.reply()
    path = tmp_path / "tuan3.csv"
    path.write_bytes(OFFICIAL_WEEK_3)
    await chat.send(f"/file {path}")
    report = await chat.reply()
    assert "Đã nhập danh sách chính thức tuần 3 (tệp tuan3.csv)" in report
    assert "• Khớp với tài khoản đang theo dõi: 2" in report
    # Minh was marked but is not on the list: Lan is told (the console shows the outbox).
    told = [text for text in await chat.replies() if text.startswith("[Tin gửi tới lan]")]
    assert len(told) == 1 and "không có tài khoản dự thi của Hoàng Văn Minh" in told[0]
    await become(chat, "lan")
    await chat.send("/vandong")
    assert "T3 🔒" in await chat.reply()


async def test_a_file_outside_a_file_step_gets_the_menu(chat: Chat, tmp_path: Path) -> None:
    path = tmp_path / "ghi-chu.txt"
    path.write_text("xin chào", encoding="utf-8")
    await chat.send(f"/file {path}")
    assert "tệp CSV, XLSX khi nhập danh sách" in await chat.reply()
