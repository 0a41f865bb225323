"""The layers stay readable: imports at the top of modules, the CLI built from manifests.

The layer and feature contracts themselves are checked by import-linter in CI
(`uv run lint-imports`, pyproject.toml); these tests cover what it cannot see.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app.cli import build_parser
from bot.core.cli import CliApp, ExportFile
from handlers.common.feature import CliCommand, Feature
from storage.base import AuditRow, PersonRow
from storage.db import create_engine
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("bot", "handlers", "storage", "content")
# Folders whose modules must import the project at the top only (a hidden cycle or a
# layer crossing is what a function-level import usually hides).
CHECKED = ("bot/__main__.py", "bot/app", "bot/core", "bot/delivery", "bot/channels/console.py",
           "bot/channels/__init__.py", "storage/db.py", "storage/base.py", "storage/models.py",
           "storage/migrate.py", "storage/migrations/env.py")
# The one exception: `thidua run` alone needs the channel libraries, slow to import.
ALLOWED = {("bot/app/cli.py", "bot.app.runtime")}


def _function_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [name for name in names if name.split(".")[0] in PROJECT]
    return found


def test_modules_import_the_project_at_the_top_only() -> None:
    offenders = []
    for entry in CHECKED:
        target = ROOT / entry
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for path in files:
            relative = path.relative_to(ROOT).as_posix()
            offenders += [f"{relative}: {name}" for name in _function_level_imports(path)
                          if (relative, name) not in ALLOWED]
    assert offenders == []
    # The exception is still needed (else drop it from ALLOWED).
    assert _function_level_imports(ROOT / "bot/app/cli.py") == ["bot.app.runtime"]


def _things_feature(rows: list[str]) -> Feature:
    """A made-up feature with one export command, as a feature's manifest declares it."""

    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--out", type=Path, required=True)

    async def run(args: argparse.Namespace, app: CliApp) -> int:
        async def build(_session: AsyncSession) -> ExportFile:
            book = Workbook()
            for row in rows:
                book.active.append([row])
            data = io.BytesIO()
            book.save(data)
            return ExportFile(data.getvalue(), len(rows), "things", scope="chien-dich",
                              done=lambda out: f"wrote {out}")

        return await app.export(args.out, build)

    return Feature("things", lambda _router: None,
                   cli=(CliCommand(("export", "things"), "cli.help.export", configure, run),))


def test_a_feature_export_command_is_in_the_cli_written_and_audited(
        db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser([_things_feature(["Cầu Bản Pẻo", "Nhà văn hoá"])])
    out = tmp_path / "xuat" / "things.xlsx"
    args = parser.parse_args(["export", "things", "--out", str(out)])
    assert asyncio.run(args.run(args, make_settings(db_url))) == 0
    assert [c.value for c in load_workbook(out).active["A"]] == ["Cầu Bản Pẻo", "Nhà văn hoá"]
    assert f"wrote {out}" in capsys.readouterr().out
    # The built-in commands are still there next to the feature's.
    assert parser.parse_args(["content", "check"]).command == "content"

    async def audit() -> list[tuple[object, ...]]:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                found = await conn.execute(select(
                    AuditRow.action, AuditRow.actor_id, AuditRow.target_type, AuditRow.target_id,
                    AuditRow.changes))
                people = await conn.scalar(select(PersonRow.id))
            assert people is None  # an export touches no one
            return [tuple(row) for row in found]
        finally:
            await engine.dispose()

    assert asyncio.run(audit()) == [("data.export", None, "things", "chien-dich",
                                     {"after": {"rows": 2}})]
