"""The `thidua` command (entry point `bot.__main__:main`); built in bot/app/cli.py."""

from __future__ import annotations

import sys

from bot.app.cli import build_parser, main, quiet_noisy_loggers

__all__ = ["build_parser", "main", "quiet_noisy_loggers"]

if __name__ == "__main__":
    sys.exit(main())
