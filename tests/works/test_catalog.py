"""Every message key the works and conference handlers use is in the catalog."""

from __future__ import annotations

import re
from pathlib import Path

from content.messages import Messages
from handlers.works.export import COMPLIANCE_COLUMNS, CONFERENCE_COLUMNS, WORK_COLUMNS
from handlers.works.parsing import AmountProblem, DateProblem
from handlers.works.rules import ConferenceStatus, Status
from handlers.works.works_forms import PLAN_FIELDS

ROOT = Path(__file__).resolve().parents[2]
KEY_RE = re.compile(r"""["']((?:works|conf|menu|consent)\.[a-z0-9_.]+)["']""")


def test_every_key_used_by_the_feature_exists() -> None:
    catalog = Messages.load()
    used: set[str] = set()
    for path in (ROOT / "handlers" / "works").glob("*.py"):
        used.update(k for k in KEY_RE.findall(path.read_text(encoding="utf-8"))
                    if not k.endswith("."))
    families = ([f"works.amount.{p.value}" for p in AmountProblem]
                + [f"works.date.{p.value}" for p in DateProblem]
                + [f"works.title_{s.value}" for s in Status]
                + [f"works.xlsx.status_{s.value}" for s in Status]
                + [f"conf.title_{s.value}" for s in ConferenceStatus]
                + [f"works.due.{p}" for p in ("month", "quarter", "year")]
                + [f"works.due_short.{p}" for p in ("month", "quarter", "year")]
                + [f"works.xlsx.col.{c}" for c in WORK_COLUMNS]
                + [f"works.xlsx.unit_col.{c}" for c in COMPLIANCE_COLUMNS]
                + [f"works.xlsx.conf_col.{c}" for c in CONFERENCE_COLUMNS])
    prefixes = {k for k in used if any(f.startswith(k + ".") for f in families)}
    missing = sorted(k for k in (used - prefixes) | set(families) if k not in catalog)
    assert not missing, missing


def test_reporting_consent_has_a_name_for_the_privacy_page() -> None:
    assert "consent.purpose.unit_reports" in Messages.load()


def test_plan_field_keys_map_to_form_fields() -> None:
    assert set(PLAN_FIELDS.values()) == {"volume", "location", "value_vnd", "funding", "due"}
