"""The `thidua` command line, built from the app's own commands and every feature's manifest.

Built in: chat, run, migrate, content check, content import, units import, audit,
retention. Every
`CliCommand` in a feature's `FEATURE.cli` (bot/app/features.py) is added under its path
(`thidua export deeds`): it runs with a started app (bot.core.cli.CliApp). Help texts,
of commands and of their arguments, are catalog keys (`cli.help.*`).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import create_app
from bot.app.admin_cli import account_args, grant_admin, revoke_admin
from bot.app.config_check import Problem, check_run, load_settings
from bot.app.exports import CommandApp
from bot.app.features import FEATURES
from bot.app.logs import quiet_noisy_loggers, setup_logging
from bot.app.retention import RETENTION_KIND, run_retention
from bot.channels.console import run_console
from bot.channels.zalo_oa import oa_configured
from bot.channels.zalo_oa_connect import connect
from bot.core.cli import CliError
from bot.core.clock import MovableClock
from bot.core.config import Settings
from bot.delivery.service import delivery_of
from content.check import check_all
from content.errors import ContentError
from content.importer.cli import run_import as import_plan
from content.messages import Messages
from content.units import load_units
from content.units_csv import default_out_path, import_units_csv
from handlers.common.feature import CliCommand, Feature
from storage.audit import AuditFilter, AuditRepo
from storage.backup import (
    BackupError,
    backup_postgres,
    backup_sqlite,
    restore_sqlite,
    sqlite_file,
)
from storage.migrate import upgrade
from storage.single_process import DatabaseBusy, hold_database

__all__ = ["build_parser", "main", "quiet_noisy_loggers"]

@functools.cache
def _catalog() -> Messages | None:
    """The message catalog, or None when it is broken (`content check` must still run)."""
    try:
        return Messages.load()
    except ContentError:
        return None


def t(key: str, **params: object) -> str:
    """Return a catalog text (the key itself when the catalog cannot be read)."""
    catalog = _catalog()
    if catalog is None or key not in catalog:
        return key
    return catalog.t(key, **params)


def _err(text: str) -> None:
    sys.stderr.write(text.rstrip() + "\n")


def _out(text: str) -> None:
    sys.stdout.write(text.rstrip() + "\n")


@dataclass(frozen=True, slots=True)
class Builtin:
    """A command of the app itself; `run(args, settings)` returns the exit code."""

    path: tuple[str, ...]
    help_key: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Settings], Awaitable[int]]


def _no_args(_parser: argparse.ArgumentParser) -> None:
    return None


async def _chat(args: argparse.Namespace, settings: Settings) -> int:
    clock = MovableClock(settings.tz)
    # The console is one trusted local user who may paste whole scripts: no rate limit.
    app = create_app(settings.model_copy(update={"rate_limit_messages": 0}), clock)
    try:
        await app.start()
        await run_console(app, clock, jsonl=args.jsonl, user=args.user)
    finally:
        await app.close()
    return 0


def _chat_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jsonl", action="store_true", help="cli.help.chat_jsonl")
    parser.add_argument("--user", default="ban", help="cli.help.chat_user")


async def _run(_args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None \
            and not oa_configured(settings):
        _err(t("cli.no_channel"))
        return 2
    # The one function-level import allowed (tests/core/test_layers.py): the channel
    # libraries (aiogram) take seconds to import, and only `thidua run` needs them.
    from bot.app.runtime import run_bot

    try:
        lock = hold_database(settings.database_url)
    except DatabaseBusy:
        _err(t("ops.run_busy"))
        return 2
    try:
        await run_bot(settings)
    finally:
        if lock is not None:
            lock.release()
    return 0


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".", ",")
    return f"{max(size, 1) / 1000:.0f} kB"


def _backup_folder(settings: Settings, out: Path | None) -> Path:
    if out is not None:
        return out
    database = sqlite_file(settings.database_url)
    return (database.parent if database is not None else Path(".")) / "backups"


async def _backup(args: argparse.Namespace, settings: Settings) -> int:
    folder = _backup_folder(settings, args.out)
    now = datetime.now(ZoneInfo(settings.tz))
    try:
        if sqlite_file(settings.database_url) is not None:
            result = backup_sqlite(settings.database_url, folder, now, keep=args.keep)
        else:
            result = backup_postgres(settings.database_url, folder, now, keep=args.keep)
    except BackupError as exc:
        _err(t(exc.key, **exc.params))
        return 2
    _out(t("backup.done", path=result.path, size=_size(result.size)))
    if result.removed:
        _out(t("backup.removed", count=len(result.removed), keep=args.keep))
    return 0


def _backup_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None, help="cli.help.backup_out")
    parser.add_argument("--keep", type=int, default=14, help="cli.help.backup_keep")


async def _restore(args: argparse.Namespace, settings: Settings) -> int:
    try:
        lock = hold_database(settings.database_url)
    except DatabaseBusy:
        _err(t("backup.running"))
        return 2
    try:
        aside = restore_sqlite(settings.database_url, args.file,
                               datetime.now(ZoneInfo(settings.tz)))
    except BackupError as exc:
        _err(t(exc.key, **exc.params))
        return 2
    finally:
        if lock is not None:
            lock.release()
    _out(t("backup.restored", file=args.file, aside=aside))
    return 0


async def _admin_grant(args: argparse.Namespace, settings: Settings) -> int:
    return await grant_admin(args, settings, _out, t)


async def _admin_revoke(args: argparse.Namespace, settings: Settings) -> int:
    return await revoke_admin(args, settings, _out, t)


def _restore_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="cli.help.restore_file")


async def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    await upgrade(settings.database_url)
    _err(t("cli.migrated"))
    return 0


async def _content_check(_args: argparse.Namespace, _settings: Settings) -> int:
    problems = check_all()
    for problem in problems:
        _err(str(problem))
    if problems:
        _err(t("cli.content_problems", count=len(problems)))
        return 2
    _out(t("cli.content_ok"))
    return 0


async def _units_import(args: argparse.Namespace, _settings: Settings) -> int:
    csv_path: Path = args.file
    if not csv_path.is_file():
        _err(t("cli.no_file", path=csv_path))
        return 2
    result = import_units_csv(csv_path, args.out or default_out_path(csv_path), load_units())
    for error in result.errors:
        _err(str(error))
    if not result.ok:
        _err(t("cli.units_failed", count=len(result.errors)))
        return 2
    _out(t("cli.units_done", count=result.count, path=result.out_path))
    return 0


async def _content_import(args: argparse.Namespace, _settings: Settings) -> int:
    return import_plan(args.plan, args.campaign, args.out, unit=args.unit, strict=args.strict,
                       dry_run=args.dry_run, allow_skips=args.allow_skips)


def _content_import_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", type=Path, help="cli.help.plan")
    parser.add_argument("--campaign", help="cli.help.plan_campaign")
    parser.add_argument("--out", type=Path, help="cli.help.plan_out")
    parser.add_argument("--unit", help="cli.help.plan_unit")
    parser.add_argument("--strict", action="store_true", help="cli.help.plan_strict")
    parser.add_argument("--allow-skips", action="store_true", help="cli.help.plan_allow_skips")
    parser.add_argument("--dry-run", action="store_true", help="cli.help.plan_dry_run")


def _units_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path)
    parser.add_argument("--out", type=Path, default=None)


def _day(value: str | None, tz: str, plus_one: bool = False) -> datetime | None:
    if not value:
        return None
    day = datetime.strptime(value, "%Y-%m-%d").date() + timedelta(days=1 if plus_one else 0)
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(tz))


async def _audit(args: argparse.Namespace, settings: Settings) -> int:
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
    tz = ZoneInfo(settings.tz)
    for entry in entries:
        if args.jsonl:
            record = {"id": entry.id, "at": entry.at.astimezone(tz).isoformat(),
                      "actor_id": entry.actor_id, "action": entry.action,
                      "target_type": entry.target_type, "target_id": entry.target_id,
                      "unit_code": entry.unit_code, "changes": entry.changes,
                      "reason": entry.reason}
            _out(json.dumps(record, ensure_ascii=False))
            continue
        actor = f"#{entry.actor_id}" if entry.actor_id is not None else t("cli.audit_system")
        target = f"{entry.target_type}:{entry.target_id}" if entry.target_type else "-"
        changes = json.dumps(entry.changes, ensure_ascii=False) if entry.changes else ""
        _out("  ".join(part for part in (
            entry.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), actor, entry.action, target,
            entry.unit_code or "", changes, f"({entry.reason})" if entry.reason else "") if part))
    if not entries and not args.jsonl:
        _err(t("cli.audit_empty"))
    return 0


def _audit_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--actor", type=int, default=None, help="cli.help.audit_actor")
    parser.add_argument("--person", type=int, default=None, help="cli.help.audit_person")
    parser.add_argument("--action", default=None, help="cli.help.audit_action")
    parser.add_argument("--target-type", default=None, help="cli.help.audit_target_type")
    parser.add_argument("--target-id", default=None, help="cli.help.audit_target_id")
    parser.add_argument("--since", default=None, help="cli.help.audit_since")
    parser.add_argument("--until", default=None, help="cli.help.audit_until")
    parser.add_argument("--limit", type=int, default=100, help="cli.help.audit_limit")
    parser.add_argument("--jsonl", action="store_true", help="cli.help.audit_jsonl")


async def _retention(args: argparse.Namespace, settings: Settings) -> int:
    app = create_app(settings)
    try:
        await app.start()
        async with app.sessions() as session:
            now = app.services.clock.now()
            notify = functools.partial(delivery_of(app.services).notify, kind=RETENTION_KIND,
                                       now=now)
            result = await run_retention(session, settings, app.services.messages,
                                         app.services.router.personal_data, notify, now)
            if args.dry_run:
                await session.rollback()
            else:
                await session.commit()
    finally:
        await app.close()
    key = "cli.retention_dry_run" if args.dry_run else "cli.retention_done"
    _out(t(key, warned=len(result.notices), anonymised=len(result.anonymised)))
    return 0


def _retention_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="cli.help.retention_dry_run")


async def _zalo_oa_connect(_args: argparse.Namespace, settings: Settings) -> int:
    return await connect(settings, t, _out, sys.stdin.readline)


async def _settings_checked(_args: argparse.Namespace, _settings: Settings) -> int:
    """`thidua config check` is answered by main() before any setting is used."""
    return 0


BUILTINS: tuple[Builtin, ...] = (
    Builtin(("config", "check"), "cli.help.config_check", _no_args, _settings_checked),
    Builtin(("chat",), "cli.help.chat", _chat_args, _chat),
    Builtin(("run",), "cli.help.run", _no_args, _run),
    Builtin(("migrate",), "cli.help.migrate", _no_args, _migrate),
    Builtin(("content", "check"), "cli.help.content_check", _no_args, _content_check),
    Builtin(("content", "import"), "cli.help.content_import", _content_import_args,
            _content_import),
    Builtin(("units", "import"), "cli.help.units_import", _units_args, _units_import),
    Builtin(("audit",), "cli.help.audit", _audit_args, _audit),
    Builtin(("retention",), "cli.help.retention", _retention_args, _retention),
    Builtin(("zalo-oa", "connect"), "cli.help.zalo_oa_connect", _no_args, _zalo_oa_connect),
    Builtin(("admin", "grant"), "cli.help.admin_grant", account_args, _admin_grant),
    Builtin(("admin", "revoke"), "cli.help.admin_revoke", account_args, _admin_revoke),
    Builtin(("backup",), "cli.help.backup", _backup_args, _backup),
    Builtin(("restore",), "cli.help.restore", _restore_args, _restore),
)
# Help of the command groups (`thidua export …`).
GROUP_HELP = {"admin": "cli.help.admin", "config": "cli.help.config",
              "content": "cli.help.content", "units": "cli.help.units",
              "export": "cli.help.export", "import": "cli.help.import",
              "zalo-oa": "cli.help.zalo_oa"}


def feature_commands(features: Iterable[Feature] = FEATURES) -> list[CliCommand]:
    """Return every feature's subcommands (two with one path are a programming error)."""
    commands = [command for feature in features for command in feature.cli]
    taken = {command.path for command in commands}
    if len(taken) != len(commands):
        raise ValueError("two features declare the same thidua subcommand")
    return commands


def _feature_runner(command: CliCommand) -> Callable[[argparse.Namespace, Settings],
                                                     Awaitable[int]]:
    async def run(args: argparse.Namespace, settings: Settings) -> int:
        app = create_app(settings)
        try:
            await app.start()
            return await command.run(args, CommandApp(app))
        finally:
            await app.close()

    return run


def _translate_help(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if action.help and action.help.startswith("cli."):
            action.help = t(action.help)


def build_parser(features: Iterable[Feature] = FEATURES) -> argparse.ArgumentParser:
    """Return the command-line parser: built-in commands, then every feature's."""
    parser = argparse.ArgumentParser(prog="thidua", description=t("cli.description"))
    top = parser.add_subparsers(dest="command", required=True)
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    entries: list[tuple[tuple[str, ...], str, Callable[[argparse.ArgumentParser], None],
                        Callable[[argparse.Namespace, Settings], Awaitable[int]]]] = [
        (b.path, b.help_key, b.configure, b.run) for b in BUILTINS]
    entries += [(c.path, c.help_key, c.configure, _feature_runner(c))
                for c in feature_commands(features)]
    for path, help_key, configure, run in entries:
        if not 1 <= len(path) <= 2:
            raise ValueError(f"a thidua subcommand is one or two words: {path}")
        where = top
        if len(path) == 2:
            if path[0] not in groups:
                group = top.add_parser(path[0], help=t(GROUP_HELP.get(path[0], "")))
                groups[path[0]] = group.add_subparsers(dest=f"{path[0]}_command",
                                                       required=True)
            where = groups[path[0]]
        command = where.add_parser(path[-1], help=t(help_key))
        configure(command)
        _translate_help(command)
        command.set_defaults(run=run)
    return parser


def _config_check(problems: list[Problem]) -> int:
    """`thidua config check`: print every problem; non-zero when one is fatal."""
    fatal = [p for p in problems if p.fatal]
    for problem in problems:
        text = problem.text(t)
        _err(text if problem.fatal else t("config.notice", text=text))
    if fatal:
        _err(t("config.found", count=len(fatal)))
        return 2
    _out(t("config.ok"))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    loaded, problems = load_settings()
    if loaded is not None and args.command in ("run", "config"):
        problems += check_run(loaded)
    if args.command == "config":
        return _config_check(problems)
    fatal = [p for p in problems if p.fatal]
    if loaded is None or fatal:
        for problem in fatal:
            _err(problem.text(t))
        _err(t("config.found", count=len(fatal)))
        return 2
    settings = loaded
    quiet = args.command in ("chat", "export")
    setup_logging("WARNING" if quiet else settings.log_level)
    for problem in problems:
        logging.getLogger("bot.app.config_check").warning("%s", problem.text(t))
    try:
        code: int = asyncio.run(args.run(args, settings))
        return code
    except CliError as exc:
        _err(exc.message)
        return exc.code
    except ContentError as exc:
        _err(t("cli.content_error", error=exc) if _catalog() else str(exc))
        return 2
    except KeyboardInterrupt:
        return 130
