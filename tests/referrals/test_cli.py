"""`thidua import referrals` and `thidua export referrals` on the server.

The commands are the feature's CliCommands, run with a started app (the test app) as the
command line runs them.
"""

from __future__ import annotations

import argparse
import asyncio
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.__main__ import main
from bot.app import App
from handlers.common.feature import CliCommand
from handlers.referrals import FEATURE
from tests.harness import Chat
from tests.referrals.helpers import CAMPAIGN, lan_with_two
from tests.referrals.test_delivery import mark_all_this_week


@pytest.fixture
def env(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's machine
    return tmp_path


def command(*path: str) -> CliCommand:
    """Return the feature's command for `thidua <path…>` from its manifest."""
    [found] = [c for c in FEATURE.cli if c.path == path]
    return found


async def run(app: App, argv: list[str]) -> int:
    """Parse argv with the command's own arguments, then run it with the app."""
    cli = command(*argv[:2])
    parser = argparse.ArgumentParser(prog=" ".join(("thidua", *cli.path)))
    cli.configure(parser)
    return await cli.run(parser.parse_args(argv[2:]), app)


async def test_import_a_large_list_then_export(chat: Chat, app: App, env: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    await lan_with_two(chat)
    lines = ["Họ và tên,Số điện thoại,Email"]
    lines += [f"Người {n},09{n:08d}," for n in range(25_000)]
    lines += ["Nguyễn Thị Lan,0912 345 678,", "Trần Thu Hoa,,hoa.tran@gmail.com"]
    path = env / "tuan2.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    argv = ["import", "referrals", str(path), "--campaign", CAMPAIGN, "--week", "2"]
    code = await run(app, argv)
    out, err = capsys.readouterr()
    assert code == 0
    assert "Đã đọc 10.000 dòng…" in err and "Đã đọc 20.000 dòng…" in err
    assert "• Số dòng đọc được: 25.002" in out
    assert "• Khớp với tài khoản đang theo dõi: 2 (mới xác nhận 2" in out
    assert "• Không khớp (không thuộc chương trình trên Trợ lý): 25.000" in out
    code = await run(app, argv)
    assert code == 0 and "không có gì thay đổi" in capsys.readouterr().out
    await chat.send("/vandong")
    assert "T1 ❌ · T2 🔒" in await chat.reply()
    out_file = env / "tien-do.xlsx"
    code = await run(app, ["export", "referrals", "--campaign", CAMPAIGN, "--unit",
                       "ls.bac-son.long-dong", "--out", str(out_file)])
    assert code == 0 and "bảng tiến độ" in capsys.readouterr().out
    book = load_workbook(io.BytesIO(out_file.read_bytes()), read_only=True)
    accounts = [list(r) for r in book["Từng tài khoản"].iter_rows(values_only=True)]
    assert any(r[4] == "Trần Thu Hoa" and r[8] == "Chính thức" for r in accounts)


async def test_an_import_on_the_server_tells_the_referrer_of_a_contradiction(
        chat: Chat, app: App, env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await lan_with_two(chat)
    await mark_all_this_week(chat)  # Lan, Minh and Hoa self-reported week 3
    path = env / "tuan3.csv"
    path.write_text("Họ và tên,Số điện thoại,Email\nNguyễn Thị Lan,0912 345 678,\n"
                    "Trần Thu Hoa,,hoa.tran@gmail.com\n", encoding="utf-8")
    argv = ["import", "referrals", str(path), "--campaign", CAMPAIGN, "--week", "3"]
    assert await run(app, argv) == 0
    assert "Hoàng Văn Minh (của Nguyễn Thị Lan)" in capsys.readouterr().out
    # The next message Lan sends brings the notice queued for her (console delivery).
    await chat.send("/clock +1m")
    replies = await chat.replies()
    [notice] = [r for r in replies if "⚠️" in r]
    assert "không có tài khoản dự thi của Hoàng Văn Minh" in notice


async def test_cli_errors_are_clear(app: App, env: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert await run(app, ["import", "referrals", "khong-co.csv", "--campaign", CAMPAIGN,
                       "--week", "2"]) == 2
    assert "Không tìm thấy tệp khong-co.csv" in capsys.readouterr().err
    (env / "ds.pdf").write_bytes(b"%PDF-1.4")
    assert await run(app, ["import", "referrals", "ds.pdf", "--campaign", "khong-co",
                       "--week", "2"]) == 2
    assert "Không tìm thấy chương trình vận động \"khong-co\"" in capsys.readouterr().err
    assert await run(app, ["import", "referrals", "ds.pdf", "--campaign", CAMPAIGN,
                       "--week", "9"]) == 2
    assert "chỉ có 5 tuần" in capsys.readouterr().err
    assert await run(app, ["import", "referrals", "ds.pdf", "--campaign", CAMPAIGN,
                       "--week", "2"]) == 1
    assert "chỉ đọc được tệp CSV hoặc XLSX" in capsys.readouterr().err
    assert await run(app, ["export", "referrals", "--campaign", CAMPAIGN, "--unit", "ls.chi-lang",
                       "--out", "x.xlsx"]) == 2
    assert "Không có đơn vị \"ls.chi-lang\" trong chương trình" in capsys.readouterr().err


async def test_the_command_line_runs_the_commands(env: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (env / "ds.csv").write_text("Số điện thoại\n0912 345 678\n", encoding="utf-8")
    argv = ["import", "referrals", "ds.csv", "--campaign", CAMPAIGN, "--week", "1"]
    assert await asyncio.to_thread(main, argv) == 0  # its own event loop, in a thread
    assert "• Số dòng đọc được: 1" in capsys.readouterr().out
    argv = ["export", "referrals", "--campaign", CAMPAIGN, "--out", "x.xlsx"]
    assert await asyncio.to_thread(main, argv) == 0
    assert "Đã ghi x.xlsx (bảng tiến độ)" in capsys.readouterr().out
    assert (env / "x.xlsx").read_bytes().startswith(b"PK")
