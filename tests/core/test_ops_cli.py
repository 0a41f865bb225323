"""Operator commands: admin grant/revoke, backup/restore, one `thidua run` per SQLite file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app.cli import main
from storage.single_process import DatabaseBusy, hold_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh install: no database yet, settings from the environment only."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL",
                 "ZALO_WEBHOOK_URL", "BOT_TZ", "TZ", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "data" / "thidua.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("ADMIN_IDS", "")
    return path


def _admin_rows(path: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT a.channel, a.external_id, g.revoked_at FROM role_grants g "
            "JOIN channel_accounts a ON a.person_id = g.person_id WHERE g.role = 'admin' "
            "ORDER BY g.id").fetchall()


def _audit_actions(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT action FROM audit_log ORDER BY id")]


def test_admin_grant_on_a_fresh_install_then_revoke(db: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "grant", "telegram:123456"]) == 0
    out = capsys.readouterr().out
    assert "Đã cấp quyền quản trị cho telegram:123456" in out
    assert _admin_rows(db) == [("telegram", "123456", None)]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT role FROM persons").fetchall() == [("admin",)]
    assert main(["admin", "grant", "telegram:123456"]) == 0
    assert "đã có quyền quản trị" in capsys.readouterr().out
    assert len(_admin_rows(db)) == 1  # not granted twice

    assert main(["admin", "revoke", "telegram:123456"]) == 0
    assert "Đã thu hồi quyền quản trị của telegram:123456" in capsys.readouterr().out
    assert _admin_rows(db)[0][2] is not None
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT role FROM persons").fetchall() == [("resident",)]
    assert main(["admin", "revoke", "telegram:123456"]) == 1
    assert "không có quyền quản trị" in capsys.readouterr().out
    actions = _audit_actions(db)
    assert actions.count("access.grant") == 1 and actions.count("access.revoke") == 1


@pytest.mark.parametrize("value", ["123456", "facebook:1", "zalo:"])
def test_admin_grant_refuses_an_account_without_a_known_channel(
        db: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    assert main(["admin", "grant", value]) == 2
    assert "không đúng dạng kênh:mã" in capsys.readouterr().out
    assert not db.exists()


def test_backup_then_restore_brings_the_admin_back(db: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "grant", "zalo:8f2c"]) == 0
    folder = db.parent / "saved"
    assert main(["backup", "--out", str(folder), "--keep", "3"]) == 0
    out = capsys.readouterr().out
    copies = sorted(folder.glob("thidua-*.db"))
    assert len(copies) == 1 and f"Đã sao lưu cơ sở dữ liệu vào {copies[0]}" in out

    assert main(["admin", "revoke", "zalo:8f2c"]) == 0
    assert main(["restore", str(copies[0])]) == 0
    assert "Đã khôi phục cơ sở dữ liệu" in capsys.readouterr().out
    assert _admin_rows(db) == [("zalo", "8f2c", None)]
    assert list(db.parent.glob("thidua.db.before-restore-*"))  # the old file is kept


def test_restore_is_refused_while_the_bot_runs(db: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "grant", "zalo:8f2c"]) == 0
    assert main(["backup"]) == 0
    copy = next((db.parent / "backups").glob("thidua-*.db"))
    capsys.readouterr()
    with hold_database(f"sqlite+aiosqlite:///{db}"):  # as `thidua run` does
        assert main(["restore", str(copy)]) == 2
    assert "Trợ lý đang chạy trên cơ sở dữ liệu này" in capsys.readouterr().err
    assert not list(db.parent.glob("*.before-restore-*"))  # nothing was touched


def test_a_second_run_on_one_sqlite_file_is_refused(db: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ZALO_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("ZALO_API_BASE", "http://127.0.0.1:9")  # never reached
    with hold_database(f"sqlite+aiosqlite:///{db}"):
        assert main(["run"]) == 2
    assert "Trợ lý đã đang chạy trên tệp cơ sở dữ liệu này" in capsys.readouterr().err


def test_the_lock_dies_with_a_crashed_process_and_postgres_takes_none(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from storage.single_process import hold_database; "
         f"lock = hold_database({url!r}); print('held', flush=True); time.sleep(120)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseBusy):
            hold_database(url)
    finally:
        holder.kill()  # as SIGKILL or a crash would
        holder.wait()
    lock = hold_database(url)  # the lock file stayed, the lock did not
    assert lock is not None
    lock.release()
    assert hold_database("postgresql+asyncpg://u@127.0.0.1/thidua") is None
