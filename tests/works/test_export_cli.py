"""`thidua export works|conferences` writes the same XLSX on the server."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.app.cli import feature_commands
from bot.core.clock import MovableClock
from handlers.common.feature import CliCommand
from handlers.works import FEATURE
from storage.models import AuditRow
from tests.harness import Chat
from tests.works.helpers import BAN_CONG, HUU_KIEN, become, register_conference, register_work


async def run(app: App, path: tuple[str, ...], *argv: str) -> int:
    """Run the works feature's CLI command at `path` as `thidua` would, on a started app."""
    (command,) = [c for c in FEATURE.cli if c.path == path]
    assert isinstance(command, CliCommand)
    parser = argparse.ArgumentParser(prog="thidua " + " ".join(path))
    command.configure(parser)
    return await command.run(parser.parse_args(list(argv)), app)


async def test_export_works_and_conferences_from_the_command_line(
        chat: Chat, app: App, clock: MovableClock, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await register_work(chat, "Nhà văn hóa thôn Tà Xùa", value="800 triệu")
    clock.set(clock.now().replace(year=2025, month=1, day=10))
    await become(chat, app, "kien", "liaison", HUU_KIEN)
    await register_conference(chat, "20/3/2025", "200", "150")

    works_file = tmp_path / "out" / "cong-trinh.xlsx"
    code = await run(app, ("export", "works"), "--campaign", "tram-tau-dai-hoi-dang",
                     "--out", str(works_file))
    assert code == 0 and "Đã ghi 1 công trình" in capsys.readouterr().out
    sheet = load_workbook(works_file)["Công trình"]
    assert sheet.cell(2, 3).value == "Nhà văn hóa thôn Tà Xùa"
    assert sheet.cell(2, 6).value == 800_000_000
    async with app.sessions() as session:  # names of who registered left the server
        audit = (await session.execute(select(AuditRow.actor_id, AuditRow.target_type,
                                              AuditRow.target_id)
                                       .where(AuditRow.action == "data.export"))).all()
    assert [tuple(row) for row in audit] == [(None, "works", "tram-tau-dai-hoi-dang")]

    conf_file = tmp_path / "hoi-nghi.xlsx"
    code = await run(app, ("export", "conferences"), "--campaign", "chi-lang-dai-hoi-thi-dua",
                     "--out", str(conf_file))
    assert code == 0 and "Đã ghi 1 hội nghị" in capsys.readouterr().out
    assert load_workbook(conf_file)["Hội nghị"].max_row == 22  # 20 communes, the district

    code = await run(app, ("export", "works"), "--campaign", "chi-lang-dai-hoi-thi-dua",
                     "--out", str(conf_file))
    assert code == 2 and "tram-tau-dai-hoi-dang" in capsys.readouterr().err
    assert load_workbook(conf_file)["Hội nghị"].max_row == 22  # nothing overwritten


def test_every_cli_command_has_its_help_in_the_catalog(app: App) -> None:
    assert [c.path for c in FEATURE.cli] == [("export", "works"), ("export", "conferences")]
    for command in FEATURE.cli:
        assert command.help_key in app.services.messages


def test_thidua_runs_the_works_features_own_export_commands() -> None:
    commands = {c.path: c for c in feature_commands()}
    for own in FEATURE.cli:
        assert commands[own.path] is own
