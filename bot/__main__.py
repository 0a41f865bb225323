"""The `thidua` command: chat, run, migrate, content check, units import, import,
export, audit, retention."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.config import Settings
from content.errors import ContentError

logger = logging.getLogger("thidua")


# Libraries whose DEBUG output includes statement parameters or message contents.
NOISY_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "asyncpg")


def quiet_noisy_loggers() -> None:
    """Keep libraries that would log personal values at INFO or above, even in DEBUG."""
    for name in NOISY_LOGGERS:
        library = logging.getLogger(name)
        library.setLevel(max(library.getEffectiveLevel(), logging.INFO))


def _setup_logging(level: str) -> None:
    logging.basicConfig(stream=sys.stderr, level=level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_noisy_loggers()


def _fail(message: str, code: int = 2) -> int:
    sys.stderr.write(message.rstrip() + "\n")
    return code


async def _chat(settings: Settings, jsonl: bool, user: str) -> int:
    from bot.app import create_app
    from bot.channels.console import run_console
    from bot.core.clock import MovableClock

    clock = MovableClock(settings.tz)
    # The console is one trusted local user who may paste whole scripts: no rate limit.
    app = create_app(settings.model_copy(update={"rate_limit_messages": 0}), clock)
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
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None \
            and not settings.zalo_oa_app_id:
        return _fail("Chưa cấu hình kênh nào: đặt ZALO_BOT_TOKEN hoặc TELEGRAM_BOT_TOKEN "
                     "(xem .env.example).\nĐể trò chuyện thử trên máy, dùng: uv run thidua chat")
    from bot.app.runtime import run_bot

    await run_bot(settings)
    return 0


async def _export_deeds(settings: Settings, out: Path, campaign_id: str | None) -> int:
    from bot.app import create_app
    from handlers.deeds.export import audit_export, load_nominations, nominations_xlsx

    app = create_app(settings)
    try:
        services = app.services
        if campaign_id is not None and campaign_id not in services.campaigns:
            known = ", ".join(sorted(services.campaigns))
            return _fail(f"Không có phong trào {campaign_id!r}. Các phong trào: {known}.")
        await app.start()
        async with app.sessions() as session:
            data = await load_nominations(session, None, campaign_id)
            await audit_export(session, services.clock.now(), None, len(data.items), None,
                               campaign_id)
            await session.commit()
        content = nominations_xlsx(data, services.messages, services.units, services.campaigns,
                                   services.clock.tz)
    finally:
        await app.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    sys.stdout.write(f"Đã xuất {len(data.items)} đề nghị khen thưởng gương tốt vào {out}.\n")
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


async def _export(settings: Settings, kind: str, campaign_id: str, out: Path) -> int:
    from bot.app import create_app
    from handlers.works.export import export_conferences, export_works
    from storage.audit import Action, AuditRepo

    app = create_app(settings)
    campaigns = app.services.campaigns
    wanted = "works" if kind == "works" else "conference"
    known = sorted(c.id for c in campaigns.values() if getattr(c.programmes, wanted) is not None)
    campaign = campaigns.get(campaign_id)
    if campaign is None or campaign.id not in known:
        await app.close()
        return _fail(f"Không có phong trào {campaign_id!r} với mục này. Chọn một trong: "
                     + ", ".join(known))
    try:
        await app.start()
        build = export_works if kind == "works" else export_conferences
        async with app.sessions() as session:
            data, count = await build(session, app.services.messages, app.services.units,
                                      campaign, lambda _code: True)
            if kind == "works":  # the list names who registered each work
                await AuditRepo(session).append(Action.PRIVACY_EXPORT, app.services.clock.now(),
                                                actor_id=None, target_type="works",
                                                target_id=campaign.id, after={"rows": count})
                await session.commit()
    finally:
        await app.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    what = "công trình" if kind == "works" else "hội nghị"
    sys.stdout.write(f"Đã ghi {count} {what} vào {out}.\n")
    return 0


def _day(value: str | None, tz: str, plus_one: bool = False) -> datetime | None:
    if not value:
        return None
    day = datetime.strptime(value, "%Y-%m-%d").date() + timedelta(days=1 if plus_one else 0)
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(tz))


async def _audit(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import create_app
    from storage.audit import AuditFilter, AuditRepo

    app = create_app(settings)
    try:
        await app.start()
        where = AuditFilter(actor_id=args.actor, person_id=args.person, action=args.action,
                            target_type=args.target_type, target_id=args.target_id,
                            since=_day(args.since, settings.tz),
                            until=_day(args.until, settings.tz, plus_one=True), limit=args.limit)
        async with app.sessions() as session:
            entries = await AuditRepo(session).search(where)
    finally:
        await app.close()
    t = app.services.messages.t
    tz = ZoneInfo(settings.tz)
    for entry in entries:
        if args.jsonl:
            record = {"id": entry.id, "at": entry.at.astimezone(tz).isoformat(),
                      "actor_id": entry.actor_id, "action": entry.action,
                      "target_type": entry.target_type, "target_id": entry.target_id,
                      "unit_code": entry.unit_code, "changes": entry.changes,
                      "reason": entry.reason}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        actor = f"#{entry.actor_id}" if entry.actor_id is not None else t("cli.audit_system")
        target = f"{entry.target_type}:{entry.target_id}" if entry.target_type else "-"
        changes = json.dumps(entry.changes, ensure_ascii=False) if entry.changes else ""
        line = "  ".join(part for part in (
            entry.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), actor, entry.action, target,
            entry.unit_code or "", changes, f"({entry.reason})" if entry.reason else "") if part)
        sys.stdout.write(line + "\n")
    if not entries and not args.jsonl:
        sys.stderr.write(t("cli.audit_empty") + "\n")
    return 0


async def _retention(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import create_app
    from bot.app.retention import run_retention

    app = create_app(settings)
    try:
        await app.start()
        async with app.sessions() as session:
            result = await run_retention(session, settings, app.services.messages,
                                         app.services.router.personal_data,
                                         app.services.clock.now())
            if args.dry_run:
                await session.rollback()
            else:
                await session.commit()
    finally:
        await app.close()
    for notice in result.notices:
        record = {"channel": notice.channel, "chat_id": notice.chat_id, "text": notice.text}
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    key = "cli.retention_dry_run" if args.dry_run else "cli.retention_done"
    sys.stderr.write(app.services.messages.t(
        key, warned=len({n.person_id for n in result.notices}), notices=len(result.notices),
        anonymised=len(result.anonymised)) + "\n")
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
    content_import = content_sub.add_parser(
        "import", help="nhập một kế hoạch (.txt, .docx, .pdf) vào tệp phong trào")
    content_import.add_argument("plan", type=Path, help="tệp kế hoạch")
    content_import.add_argument("--campaign", help="mã phong trào (tệp content/campaigns/MÃ.yaml)")
    content_import.add_argument("--out", type=Path, help="ghi vào tệp này thay vì tệp phong trào")
    content_import.add_argument("--unit", help="mã đơn vị ban hành khi tạo phong trào mới")
    content_import.add_argument("--strict", action="store_true",
                                help="không ghi gì nếu có chỗ cần xem lại")
    content_import.add_argument("--allow-skips", action="store_true",
                                help="nhập cả khi số mục nhảy cấp (xếp dưới mục cha gần nhất)")
    content_import.add_argument("--dry-run", action="store_true", help="chỉ in tóm tắt, không ghi")
    export = sub.add_parser("export", help="xuất dữ liệu ra tệp Excel")
    export_sub = export.add_subparsers(dest="export_command", required=True)
    export_deeds = export_sub.add_parser(
        "deeds", help="danh sách đề nghị khen thưởng gương người tốt, việc tốt (XLSX)")
    export_deeds.add_argument("--out", type=Path, required=True, help="tệp .xlsx sẽ ghi")
    export_deeds.add_argument("--campaign", default=None, help="chỉ một phong trào (mã)")
    units = sub.add_parser("units", help="danh mục đơn vị hành chính")
    units_sub = units.add_subparsers(dest="units_command", required=True)
    units_import = units_sub.add_parser("import", help="nhập danh mục đơn vị từ tệp CSV")
    units_import.add_argument("file", type=Path)
    units_import.add_argument("--out", type=Path, default=None)
    for name, help_text in (("works", "công trình, phần việc và tình hình đăng ký"),
                            ("conferences", "hội nghị điển hình tiên tiến của các đơn vị")):
        export_cmd = export_sub.add_parser(name, help=help_text)
        export_cmd.add_argument("--campaign", required=True, help="mã phong trào")
        export_cmd.add_argument("--out", type=Path, required=True, help="tệp .xlsx sẽ ghi")


    audit = sub.add_parser("audit", help="xem nhật ký thao tác (chỉ đọc)")
    audit.add_argument("--actor", type=int, default=None, help="mã số người thực hiện")
    audit.add_argument("--person", type=int, default=None,
                       help="mã số một người: việc họ làm hoặc việc làm với họ")
    audit.add_argument("--action", default=None, help="thao tác, ví dụ access hoặc access.grant")
    audit.add_argument("--target-type", default=None, help="loại đối tượng, ví dụ person")
    audit.add_argument("--target-id", default=None, help="mã đối tượng")
    audit.add_argument("--since", default=None, help="từ ngày YYYY-MM-DD")
    audit.add_argument("--until", default=None, help="đến hết ngày YYYY-MM-DD")
    audit.add_argument("--limit", type=int, default=100, help="số dòng tối đa (mặc định 100)")
    audit.add_argument("--jsonl", action="store_true", help="in mỗi dòng một đối tượng JSON")
    retention = sub.add_parser("retention",
                               help="cảnh báo rồi ẩn danh tài khoản lâu không dùng")
    retention.add_argument("--dry-run", action="store_true",
                           help="chỉ in ra sẽ làm gì, không thay đổi dữ liệu")
    imports = sub.add_parser("import", help="nhập dữ liệu từ tệp")
    imports_sub = imports.add_subparsers(dest="import_command", required=True)
    ref_import = imports_sub.add_parser(
        "referrals", help="nhập danh sách tham gia chính thức của một tuần (CSV/XLSX)")
    ref_import.add_argument("file", type=Path)
    ref_import.add_argument("--campaign", required=True, help="mã chương trình")
    ref_import.add_argument("--week", required=True, type=int, help="số tuần")
    ref_import.add_argument("--unit", default=None, help="chỉ xác nhận cho đơn vị này")
    ref_export = export_sub.add_parser("referrals", help="xuất tiến độ vận động (XLSX)")
    ref_export.add_argument("--campaign", required=True, help="mã chương trình")
    ref_export.add_argument("--unit", default=None, help="mã đơn vị (mặc định: cả chương trình)")
    ref_export.add_argument("--eligible", action="store_true",
                            help="danh sách đạt tiêu chí kèm minh chứng")
    ref_export.add_argument("--out", required=True, type=Path, help="tệp .xlsx sẽ ghi")
    zalo_oa = sub.add_parser("zalo-oa", help="kênh Zalo OA (Official Account)")
    zalo_oa_sub = zalo_oa.add_subparsers(dest="zalo_oa_command", required=True)
    zalo_oa_sub.add_parser("connect", help="cấp quyền cho Trợ lý gửi tin qua OA")
    return parser


async def _zalo_oa_connect(settings: Settings) -> int:
    from bot.channels.zalo_oa_connect import connect
    from content.messages import Messages

    messages = Messages.load()
    return await connect(settings, messages.t, _out_line, sys.stdin.readline)


def _out_line(text: str) -> None:
    sys.stdout.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    settings = Settings()
    quiet = args.command in ("chat", "export")
    _setup_logging("WARNING" if quiet else settings.log_level)
    try:
        if args.command == "chat":
            return asyncio.run(_chat(settings, args.jsonl, args.user))
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "run":
            return asyncio.run(_run(settings))
        if args.command == "content" and args.content_command == "import":
            from content.importer.cli import run_import

            return run_import(args.plan, args.campaign, args.out, unit=args.unit,
                              strict=args.strict, dry_run=args.dry_run,
                              allow_skips=args.allow_skips)
        if args.command == "content":
            return _content_check(settings)
        if args.command == "import" or (args.command == "export"
                                             and args.export_command == "referrals"):
            from handlers.referrals import cli

            if args.command == "import":
                return asyncio.run(cli.run_import(settings, args.file, args.campaign, args.week,
                                                  args.unit))
            return asyncio.run(cli.run_export(settings, args.campaign, args.unit,
                                              args.eligible, args.out))
        if args.command == "export" and args.export_command == "deeds":
            return asyncio.run(_export_deeds(settings, args.out, args.campaign))
        if args.command == "export":
            return asyncio.run(_export(settings, args.export_command, args.campaign, args.out))
        if args.command == "units":
            return _units_import(args.file, args.out)
        if args.command == "audit":
            return asyncio.run(_audit(settings, args))
        if args.command == "retention":
            return asyncio.run(_retention(settings, args))
        if args.command == "zalo-oa":
            return asyncio.run(_zalo_oa_connect(settings))
    except ContentError as exc:
        return _fail(f"Lỗi nội dung: {exc}")
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
