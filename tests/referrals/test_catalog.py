"""Every catalog key the referral feature uses exists, and its texts are Vietnamese."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from content.messages import Messages

ROOT = Path(__file__).resolve().parents[2]
KEY_RE = re.compile(r"""["']((?:ref|consent|form|reg|error|console)\.[a-z0-9_.]+)["']""")
DYNAMIC = ("ref.relation.", "ref.account.bad_", "ref.import.err.", "ref.import.problem.",
           "ref.xlsx.status.", "ref.xlsx.col.", "ref.gap.")


def test_every_key_used_by_the_feature_exists() -> None:
    catalog = Messages.load()
    used: set[str] = set()
    sources = [*(ROOT / "handlers" / "referrals").glob("*.py"), ROOT / "bot/channels/console.py"]
    for path in sources:
        used.update(KEY_RE.findall(path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in catalog and not k.endswith(".")
                     and not k.startswith(DYNAMIC))
    assert not missing, missing


def test_dynamic_key_families_are_complete() -> None:
    catalog = Messages.load()
    expected = [f"ref.relation.{r}" for r in ("nguoi_than", "ban_be", "dong_nghiep", "khac")]
    expected += [f"ref.account.bad_{k}" for k in ("phone", "email", "username", "empty",
                                                  "too_long")]
    expected += [f"ref.import.err.{k}" for k in ("empty", "old_xls", "wrong_type",
                                                 "broken_xlsx", "encoding", "broken_csv",
                                                 "no_header", "no_rows", "future_week")]
    expected += [f"ref.xlsx.status.{s}" for s in ("verified", "done", "conflict", "missed",
                                                  "pending")]
    expected += [f"ref.gap.{g}{s}" for g in ("missed", "conflict", "this_week")
                 for s in ("", "_self")]
    assert [k for k in expected if k not in catalog] == []


def test_referral_texts_carry_vietnamese_marks() -> None:
    raw = yaml.safe_load((ROOT / "content/messages/referrals.yaml").read_text(encoding="utf-8"))
    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, str):
            texts.append(node)

    walk(raw)
    def words(text: str) -> list[str]:
        return re.findall(r"[^\W\d_]+", re.sub(r"\{[a-z_]+\}", "", text))

    plain = [t for t in texts if len(words(t)) >= 3 and t.isascii()]
    assert not plain, plain
