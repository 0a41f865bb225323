"""Every catalog key the good-deed feature uses exists, including the ones built from enums."""

from __future__ import annotations

import re
from pathlib import Path

from content.messages import Messages
from handlers.deeds.export import COLUMNS
from handlers.deeds.review_forms import CONSENT_SOURCES
from handlers.deeds.workflow import (
    REJECT_REASONS,
    REVIEW_MENU,
    TOLD_TO_REPORTER,
    Action,
    Minor,
    NomineeConsent,
    Status,
)

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"""["'](deeds\.[a-z0-9_.]+[a-z0-9_])["']""")


def test_literal_keys_exist() -> None:
    catalog = Messages.load()
    used: set[str] = set()
    for path in [*(ROOT / "handlers" / "deeds").glob("*.py"),
                 ROOT / "storage" / "deeds" / "personal_data.py", ROOT / "bot" / "__main__.py"]:
        used.update(LITERAL.findall(path.read_text(encoding="utf-8")))
    keys = catalog.keys()
    families = {key.rsplit(".", 1)[0] for key in keys}  # e.g. a section's value labels
    missing = sorted(k for k in used if k not in catalog and k not in families)
    assert len(used) > 100 and not missing, missing


def test_keys_built_from_enums_exist() -> None:
    catalog = Messages.load()
    families = {
        "deeds.status": [s.value for s in Status],
        "deeds.event": [a.value for a in Action] + ["award_plain"],
        "deeds.history_action": [a.value for a in Action],
        "deeds.action": [a.value for a in REVIEW_MENU],
        "deeds.done": [a.value for a in REVIEW_MENU],
        "deeds.notice": [a.value for a in TOLD_TO_REPORTER] + ["new", "answered"],
        "deeds.reason": list(REJECT_REASONS),
        "deeds.consent_state": [c.value for c in NomineeConsent],
        "deeds.consent_choice": [c.value for c in CONSENT_SOURCES],
        "deeds.minor": [m.value for m in Minor],
        "deeds.minor_choice": [m.value for m in Minor],
        "deeds.refuse": ["not_now", "own_report", "not_holder", "needs_consent",
                         "guardian_needed", "no_rewards"],
        "deeds.export.col": list(COLUMNS),
        "deeds.field": ["campaign", "nominee_name", "age", "unit", "village", "what", "when",
                        "place", "contact", "phone"],
    }
    missing = [f"{prefix}.{name}" for prefix, names in families.items() for name in names
               if f"{prefix}.{name}" not in catalog]
    assert not missing, missing
    assert "consent.purpose.deeds" in catalog and "menu.deeds" in catalog
