"""Console channel, roles, menu answers and the `thidua` command as a newcomer runs it."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.app import App, create_app
from bot.channels.console import ConsoleChannel, run_console
from bot.core.clock import MovableClock
from tests.conftest import make_settings
from tests.harness import Chat, register

ROOT = Path(__file__).resolve().parents[2]


async def test_menu_answered_by_number_or_by_words(chat: Chat) -> None:
    await chat.send("/menu")
    assert "2. Hồ sơ của tôi" in await chat.reply()
    await chat.send("hồ sơ của tôi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("/menu")
    await chat.reply()
    await chat.send(str(chat.choices().index("Hướng dẫn sử dụng") + 1))
    assert "Hướng dẫn sử dụng Trợ lý thi đua" in await chat.reply()


async def test_resident_is_told_politely_admin_command_is_not_for_them(chat: Chat) -> None:
    await chat.send("/thongke")
    reply = await chat.reply()
    assert "chỉ dành cho cán bộ được phân quyền" in reply
    assert "Thống kê" not in reply


async def test_admin_from_admin_ids_sees_and_uses_admin_commands(chat: Chat) -> None:
    await chat.send("/menu")
    assert "Thống kê" not in await chat.reply()
    await chat.send("/as admin")
    assert "Quản trị" in await chat.reply()
    await chat.send("/menu")
    assert "Thống kê người dùng (quản trị)" in await chat.reply()
    await chat.send("/thongke")
    stats = await chat.reply()
    assert "Đã liên hệ Trợ lý: 2" in stats and "console 2" in stats


async def test_as_switches_identity_and_role(chat: Chat) -> None:
    await register(chat, "Lê Văn Minh", user="minh")
    await chat.send("/as minh liaison")
    assert "\"minh\" (vai trò: Cán bộ đầu mối đơn vị)" in await chat.reply()
    await chat.send("/as minh")
    assert "Cán bộ đầu mối đơn vị" in await chat.reply()
    await chat.send("/as")
    assert "Cách dùng: /as" in await chat.reply()
    await chat.send("/as admin")
    assert "Quản trị" in await chat.reply()


async def test_as_takes_a_name_with_spaces(chat: Chat) -> None:
    await chat.send("/as Hoàng Thị Lan resident")
    assert "\"Hoàng Thị Lan\" (vai trò: Người dân)" in await chat.reply()
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("/as Hoàng Thị Lan")
    assert "\"Hoàng Thị Lan\"" in await chat.reply()


async def test_a_unit_role_before_registering_is_given_on_the_unit_registered(
        chat: Chat) -> None:
    await chat.send("/as cuong reviewer")
    waiting = await chat.reply()
    assert "chưa đăng ký đơn vị" in waiting and "/toi" in waiting
    last = await register(chat, "Phạm Văn Cường")
    assert "Đã giao vai trò Cán bộ xét duyệt" in last
    await chat.send("/duyet")
    queue = await chat.reply()
    assert "chỉ dành cho cán bộ" not in queue and "Nhân Lý" in queue
    await chat.send("/as cuong")
    assert "Cán bộ xét duyệt" in await chat.reply()


async def test_console_banner_names_every_role_and_blank_lines_do_not_end_it(
        app: App, clock: MovableClock) -> None:
    out = io.StringIO()
    await run_console(app, clock, jsonl=False, user="lan",
                      stdin=io.StringIO("\n   \n/menu\n\n/thoat\n/menu\n"), stdout=out)
    shown = out.getvalue()
    for role in ("resident", "reviewer", "liaison", "admin"):
        assert role in shown.split("\n\n")[0]
    assert shown.count("Bạn muốn làm gì?") == 1  # /menu answered once: /thoat ended it
    assert shown.rstrip().endswith("Tạm biệt!")


async def test_clock_moves_and_resets(chat: Chat, clock: MovableClock) -> None:
    await chat.send("/clock 2024-04-20 08:00")
    assert "08:00 20/04/2024" in await chat.reply()
    await chat.send("/clock +3d")
    assert "23/04/2024" in await chat.reply()
    await chat.send("/clock -2h")
    assert "06:00 23/04/2024" in await chat.reply()
    await chat.send("/clock hôm qua")
    assert "Cách dùng: /clock" in await chat.reply()
    await chat.send("/clock now")
    await chat.reply()
    assert clock.now().year >= 2026


async def test_form_continues_after_the_process_restarts(db_url: str,
                                                         clock: MovableClock) -> None:
    first = create_app(make_settings(db_url), clock)
    await first.start()
    chat = Chat(ConsoleChannel(first, clock, "lan"))
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "1", "Hà Thị Mai"):
        await chat.send(line)
        await chat.reply()
    await first.close()

    second = create_app(make_settings(db_url), clock)
    await second.start()
    chat = Chat(ConsoleChannel(second, clock, "lan"))
    await chat.send("1992")
    assert "đơn vị nào" in await chat.reply()
    await chat.send("Bỏ qua")
    assert "Hà Thị Mai" in await chat.reply()
    await second.close()


def _thidua(db: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db}", "ADMIN_IDS": ""}
    return subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _exchange(proc: subprocess.Popen[str], line: str) -> dict[str, object]:
    assert proc.stdin and proc.stdout
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    record: dict[str, object] = json.loads(proc.stdout.readline())
    return record


def test_jsonl_session_survives_sigkill_mid_registration(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    proc = _thidua(db, "chat", "--jsonl")
    assert _exchange(proc, "/toi")["in"] == "/toi"
    for line in ("1", "Đồng ý", "Không đồng ý"):
        _exchange(proc, line)
    asked = _exchange(proc, "Vũ Thị Thu")
    replies = asked["replies"]
    assert isinstance(replies, list) and "sinh năm nào" in replies[0]["text"]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    proc = _thidua(db, "chat", "--jsonl")
    out, _err = proc.communicate("1991\nnhan\n1\nLưu\n\nignored after blank\n", timeout=60)
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["in"] for r in records] == ["1991", "nhan", "1", "Lưu"]
    assert "đơn vị nào" in records[0]["replies"][0]["text"]
    assert records[1]["replies"][0]["choices"][0].startswith("Xã Nhân Lý")
    assert "Đăng ký xong" in records[3]["replies"][0]["text"]
    assert "Vũ Thị Thu" in records[3]["replies"][1]["text"]
    assert proc.returncode == 0


def test_content_check_reports_ok() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "content", "check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Nội dung hợp lệ" in result.stdout


def test_run_without_tokens_points_to_chat(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN")}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Chưa cấu hình kênh nào" in result.stderr and "thidua chat" in result.stderr


def test_units_import_writes_yaml_or_reports_rows(tmp_path: Path) -> None:
    good = tmp_path / "xa.csv"
    good.write_text("\ufeffma;ten;loai;ma_cha;hieu_luc_tu\n"
                    "ls.xa-chi-lang.thon-moi;Thôn Mới;thon;ls.xa-chi-lang;01/07/2025\n",
                    encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = subprocess.run([sys.executable, "-m", "bot", "units", "import", str(good),
                             "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Đã nhập 1 đơn vị" in result.stdout and "Thôn Mới" in out.read_text("utf-8")

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,type,parent\nx.a,A,thon,khong-co\n", encoding="utf-8")
    out_bad = tmp_path / "bad.yaml"
    result = subprocess.run([sys.executable, "-m", "bot", "units", "import", str(bad),
                             "--out", str(out_bad)], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "row 2" in result.stderr and not out_bad.exists()


async def test_admin_ids_applied_at_startup_to_known_accounts(db_url: str,
                                                              clock: MovableClock) -> None:
    first = create_app(make_settings(db_url, admin_ids=""), clock)
    await first.start()
    chat = Chat(ConsoleChannel(first, clock, "huong"))
    await chat.send("/thongke")
    assert "chỉ dành cho cán bộ" in await chat.reply()
    await first.close()
    second = create_app(make_settings(db_url, admin_ids="console:huong"), clock)
    await second.start()
    assert await second.role_of("console", "huong") == "admin"
    await second.close()
