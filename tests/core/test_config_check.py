"""`thidua config check` and the start of every command: settings problems in Vietnamese."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app.config_check import check_run, load_settings
from bot.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# Settings a test might inherit from the machine running it.
OWN = ("DATABASE_URL", "TZ", "BOT_TZ", "LOG_LEVEL", "ADMIN_IDS", "TELEGRAM_BOT_TOKEN",
       "ZALO_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "ZALO_WEBHOOK_URL",
       "ZALO_WEBHOOK_SECRET")


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OWN}
    env["PYTHONPATH"] = str(ROOT)
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env.update(values)
    return env


def _thidua(tmp_path: Path, *args: str, **values: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path,
                          env=_env(tmp_path, **values), capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)


def test_config_check_reports_every_problem_in_vietnamese(tmp_path: Path) -> None:
    done = _thidua(tmp_path, "config", "check", LOG_LEVEL="LOUD", BOT_TZ="Asia/Hanoi_Typo",
                   ADMIN_IDS="123456,facebook:42,telegram:7",
                   TELEGRAM_BOT_TOKEN="1:abc", TELEGRAM_WEBHOOK_URL="http://bot.example.vn/tg",
                   ZALO_WEBHOOK_URL="https://bot.example.vn/zalo")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    err = done.stderr
    assert "LOG_LEVEL=LOUD không hợp lệ" in err
    assert "BOT_TZ=Asia/Hanoi_Typo không phải múi giờ hợp lệ" in err
    assert 'ADMIN_IDS có mục "123456" thiếu tên kênh' in err and "telegram:123456" in err
    assert 'ADMIN_IDS có mục "facebook:42" với kênh không có' in err
    assert "TELEGRAM_WEBHOOK_URL phải bắt đầu bằng https://" in err
    assert "chưa đặt TELEGRAM_WEBHOOK_SECRET" in err and "chưa đặt ZALO_WEBHOOK_SECRET" in err
    assert "telegram:7" not in err  # a well-formed entry is not a problem
    assert "Cấu hình có 7 lỗi" in err


def test_config_check_without_a_channel_token_fails_and_a_good_setup_passes(
        tmp_path: Path) -> None:
    bare = _thidua(tmp_path, "config", "check")
    assert bare.returncode != 0
    assert "Chưa cấu hình kênh nào" in bare.stderr
    good = _thidua(tmp_path, "config", "check", ZALO_BOT_TOKEN="1:abc",
                   ADMIN_IDS="zalo:8f2c,telegram:1")
    assert good.returncode == 0, good.stderr
    assert "Cấu hình hợp lệ." in good.stdout


@pytest.mark.parametrize("values", [{"LOG_LEVEL": "verbose"}, {"TZ": "x"},
                                    {"WEBHOOK_PORT": "tám nghìn"}, {"ADMIN_IDS": "123456"}])
def test_every_command_refuses_a_broken_setting_without_a_traceback(
        tmp_path: Path, values: dict[str, str]) -> None:
    if "TZ" in values:  # TZ from the .env file (an OS-level TZ is ignored)
        (tmp_path / ".env").write_text(f"TZ={values.pop('TZ')}\n", encoding="utf-8")
    done = _thidua(tmp_path, "migrate", **values)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "Cấu hình có 1 lỗi cần sửa" in done.stderr
    assert not (tmp_path / "bot.db").exists()  # nothing was started


def test_run_refuses_a_webhook_without_secret(tmp_path: Path) -> None:
    done = _thidua(tmp_path, "run", ZALO_BOT_TOKEN="1:abc",
                   ZALO_WEBHOOK_URL="https://bot.example.vn/zalo")
    assert done.returncode == 2
    assert "chưa đặt ZALO_WEBHOOK_SECRET" in done.stderr
    assert "Traceback" not in done.stderr


def test_postgres_url_without_driver_is_accepted_and_said(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for scheme in ("postgres", "postgresql"):
        monkeypatch.setenv("DATABASE_URL", f"{scheme}://thidua:pw@db:5432/thidua")
        settings, problems = load_settings()
        assert settings is not None
        assert settings.database_url == "postgresql+asyncpg://thidua:pw@db:5432/thidua"
        assert [(p.key, p.fatal) for p in problems] == [("database_normalised", False)]
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://thidua@db/thidua")
    _settings, problems = load_settings()
    assert [(p.key, p.fatal) for p in problems] == [("database_driver", True)]


def test_loopback_http_webhook_is_allowed_for_local_tests() -> None:
    settings = Settings(telegram_bot_token="1:a", telegram_webhook_url="http://127.0.0.1:9/tg",
                        telegram_webhook_secret="s3cret")
    assert check_run(settings) == []


def test_os_level_tz_does_not_move_the_bots_time_zone(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TZ", raising=False)
    monkeypatch.setenv("TZ", "UTC")  # as on many servers and containers
    assert Settings().tz == "Asia/Ho_Chi_Minh"
    (tmp_path / ".env").write_text("TZ=Asia/Bangkok\n", encoding="utf-8")
    settings, problems = load_settings()
    assert settings is not None and settings.tz == "Asia/Bangkok"
    assert [(p.key, p.fatal) for p in problems] == [("os_tz_ignored", False)]
    monkeypatch.setenv("BOT_TZ", "Asia/Ho_Chi_Minh")
    assert Settings().tz == "Asia/Ho_Chi_Minh"  # BOT_TZ wins over everything


def test_quiet_hours_follow_the_communes_zone_not_the_servers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.delivery.timing import QuietHours

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TZ", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    settings = Settings()
    quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
    # 15:00 UTC is 22:00 in Hà Nội: inside quiet hours there, not in UTC.
    assert quiet.contains(datetime(2026, 11, 25, 15, 0, tzinfo=UTC), ZoneInfo(settings.tz))
