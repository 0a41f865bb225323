"""The `thidua` command: chat, run, migrate, content check, units import, referrals."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings
from content.errors import ContentError

logger = logging.getLogger("thidua")


def _setup_logging(level: str) -> None:
    logging.basicConfig(stream=sys.stderr, level=level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _fail(message: str, code: int = 2) -> int:
    sys.stderr.write(message.rstrip() + "\n")
    return code


async def _chat(settings: Settings, jsonl: bool, user: str) -> int:
    from bot.app import create_app
    from bot.channels.console import run_console
    from bot.core.clock import MovableClock

    clock = MovableClock(settings.tz)
    app = create_app(settings, clock)
    try:
        await app.start()
        await run_console(app, clock, jsonl=jsonl, user=user)
    finally:
        await app.close()
    return 0


async def _migrate(settings: Settings) -> int:
    from storage.migrate import upgrade

    await upgrade(settings.database_url)
    sys.stderr.write("Cơ sở dữ liệu đã được cập nhật.\n")
    return 0


async def _run(settings: Settings) -> int:
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        return _fail("Chưa cấu hình kênh nào: đặt ZALO_BOT_TOKEN hoặc TELEGRAM_BOT_TOKEN "
                     "(xem .env.example).\nĐể trò chuyện thử trên máy, dùng: uv run thidua chat")
    from bot.runtime import run_bot

    await run_bot(settings)
    return 0


def _content_check(settings: Settings) -> int:
    from content.check import check_all

    problems = check_all()
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    if problems:
        return _fail(f"Nội dung có {len(problems)} lỗi.")
    sys.stdout.write("Nội dung hợp lệ.\n")
    return 0


def _units_import(csv_path: Path, out: Path | None) -> int:
    from content.units import load_units
    from content.units_csv import default_out_path, import_units_csv

    if not csv_path.is_file():
        return _fail(f"Không tìm thấy tệp {csv_path}.")
    result = import_units_csv(csv_path, out or default_out_path(csv_path), load_units())
    for error in result.errors:
        sys.stderr.write(f"{error}\n")
    if not result.ok:
        return _fail(f"Không nhập được: tệp CSV có {len(result.errors)} lỗi, chưa ghi gì.")
    sys.stdout.write(f"Đã nhập {result.count} đơn vị vào {result.out_path}.\n"
                     "Chạy `uv run thidua content check` để kiểm tra lại toàn bộ nội dung.\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(prog="thidua", description="Trợ lý phong trào thi đua")
    sub = parser.add_subparsers(dest="command", required=True)
    chat = sub.add_parser("chat", help="trò chuyện với Trợ lý ngay trên máy (SQLite)")
    chat.add_argument("--jsonl", action="store_true",
                      help="đọc mỗi dòng một tin nhắn, in mỗi dòng một đối tượng JSON")
    chat.add_argument("--user", default="ban", help="tên người dùng thử (mặc định: ban)")
    sub.add_parser("run", help="chạy Trợ lý trên Zalo/Telegram")
    sub.add_parser("migrate", help="cập nhật cấu trúc cơ sở dữ liệu")
    content = sub.add_parser("content", help="nội dung phong trào")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    content_sub.add_parser("check", help="kiểm tra toàn bộ tệp nội dung")
    units = sub.add_parser("units", help="danh mục đơn vị hành chính")
    units_sub = units.add_subparsers(dest="units_command", required=True)
    units_import = units_sub.add_parser("import", help="nhập danh mục đơn vị từ tệp CSV")
    units_import.add_argument("file", type=Path)
    units_import.add_argument("--out", type=Path, default=None)
    imports = sub.add_parser("import", help="nhập dữ liệu từ tệp")
    imports_sub = imports.add_subparsers(dest="import_command", required=True)
    ref_import = imports_sub.add_parser(
        "referrals", help="nhập danh sách tham gia chính thức của một tuần (CSV/XLSX)")
    ref_import.add_argument("file", type=Path)
    ref_import.add_argument("--campaign", required=True, help="mã chương trình")
    ref_import.add_argument("--week", required=True, type=int, help="số tuần")
    ref_import.add_argument("--unit", default=None, help="chỉ xác nhận cho đơn vị này")
    exports = sub.add_parser("export", help="xuất dữ liệu ra tệp")
    exports_sub = exports.add_subparsers(dest="export_command", required=True)
    ref_export = exports_sub.add_parser("referrals", help="xuất tiến độ vận động (XLSX)")
    ref_export.add_argument("--campaign", required=True, help="mã chương trình")
    ref_export.add_argument("--unit", default=None, help="mã đơn vị (mặc định: cả chương trình)")
    ref_export.add_argument("--eligible", action="store_true",
                            help="danh sách đạt tiêu chí kèm minh chứng")
    ref_export.add_argument("--out", required=True, type=Path, help="tệp .xlsx sẽ ghi")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    settings = Settings()
    quiet = args.command == "chat"
    _setup_logging("WARNING" if quiet else settings.log_level)
    try:
        if args.command == "chat":
            return asyncio.run(_chat(settings, args.jsonl, args.user))
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "run":
            return asyncio.run(_run(settings))
        if args.command == "content":
            return _content_check(settings)
        if args.command == "units":
            return _units_import(args.file, args.out)
        if args.command in ("import", "export"):
            from handlers.referrals import cli

            if args.command == "import":
                return asyncio.run(cli.run_import(settings, args.file, args.campaign, args.week,
                                                  args.unit))
            return asyncio.run(cli.run_export(settings, args.campaign, args.unit,
                                              args.eligible, args.out))
    except ContentError as exc:
        return _fail(f"Lỗi nội dung: {exc}")
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
