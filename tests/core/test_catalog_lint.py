"""Catalog lint: what a person reads never shows internals, misses diacritics or overflows.

Every value of content/messages/*.yaml is checked as a person would read it: filled with
typical parameters, as said to "bạn". Operator texts (the `thidua` command line, the local
console) may name files, settings and codes: they are checked for placeholders and
diacritics only.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from bot.core.text_split import ZALO_TEXT_LIMIT
from content.messages import Messages

ROOT = Path(__file__).resolve().parents[2]
CATALOG = Messages.load()
KEYS = CATALOG.keys()
# Read by IT staff at a terminal, not in a chat: settings, files and codes are fine there.
OPERATOR = ("cli.", "console.", "ops.", "importer.", "zalo_oa.", "delivery.cli.",
            "ref.cli.", "deeds.cli.", "works.cli.", "config.", "backup.", "retention.cli.",
            "channel.")
# A typical value of a parameter: a name, a unit path, a date, a short text.
TYPICAL = "Nguyễn Thị Lan, Xã Nhân Lý"

SNAKE = re.compile(r"(?<![\w/.{])[a-z]+_[a-z0-9_]+(?![\w}])")
RAW_KEY = re.compile(r"(?<![\w/@.])[a-z_]+\.[a-z_]+(?:\.[a-z_]+)*(?![\w/@])")
JSON = re.compile(r"[{\[]\s*\"|\"\s*:\s*[\"{\[\d]|[{}]")
# Common words written without their marks ("ban " for "bạn"); quoted examples of what a
# person may type are not checked.
BARE_WORDS = re.compile(r"(?<!\w)(khong|duoc|nguoi|chua|cua|vui long|tro ly|xin chao|"
                        r"dang ky|thong bao|ban (?!hành|đầu|ngày|tổ|chỉ|dân|điều|giám)\w+)(?!\w)")
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»|'[^']*'")
# Known non-internal dotted words (web addresses, file names shown as examples).
DOTTED_OK = re.compile(r"^(?:[a-z0-9-]+\.)+(?:vn|org|com|net|md|yaml|xlsx|docx|pdf|txt|csv|"
                       r"json|db|sqlite|env)$")


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _filled(key: str) -> str:
    template = CATALOG.template(key)
    return template.format(**{name: TYPICAL for name in _fields(template)})


def _chat(key: str) -> bool:
    return not key.startswith(OPERATOR)


def _text_outside_placeholders(key: str) -> str:
    """Return what the catalog itself says (placeholders and quoted examples removed)."""
    return QUOTED.sub(" ", re.sub(r"\{[^{}]*\}", " ", CATALOG.template(key)))


def test_no_message_shows_a_raw_key_or_a_snake_case_code() -> None:
    problems = []
    for key in KEYS:
        if not _chat(key):
            continue
        said = _text_outside_placeholders(key)
        for code in SNAKE.findall(said):
            problems.append(f"{key}: code {code!r}")
        for dotted in RAW_KEY.findall(said):
            if dotted in CATALOG or not DOTTED_OK.match(dotted):
                problems.append(f"{key}: raw key {dotted!r}")
    assert not problems, "\n".join(problems)


def test_no_message_shows_json_or_braces() -> None:
    problems = [f"{key}: {_filled(key)[:120]!r}" for key in KEYS
                if _chat(key) and JSON.search(_filled(key))]
    assert not problems, "\n".join(problems)


def test_common_words_keep_their_diacritics() -> None:
    problems = []
    for key in KEYS:
        said = _text_outside_placeholders(key)
        problems += [f"{key}: {word!r}" for word in BARE_WORDS.findall(said)]
    assert not problems, "\n".join(problems)


def test_every_message_fits_one_zalo_message_with_typical_values() -> None:
    too_long = [f"{key}: {len(_filled(key))}" for key in KEYS
                if len(_filled(key)) > ZALO_TEXT_LIMIT]
    assert not too_long, too_long


def _literal_calls() -> list[tuple[str, str, set[str]]]:
    """Return (where, key, keyword names) of every `.t("key", a=…)` call with a literal key
    and no `**params` in the code."""
    calls = []
    for package in ("bot", "handlers", "content", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "t" and node.args
                        and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)):
                    continue
                names = {k.arg for k in node.keywords}
                if None in names:  # **params: not known here
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                calls.append((where, node.args[0].value, {n for n in names if n}))
    return calls


def test_every_placeholder_is_filled_where_the_code_says_the_message() -> None:
    """A `{name}` the code does not pass would fail at the very moment a person reads it."""
    problems = []
    for where, key, names in _literal_calls():
        if key not in CATALOG:
            continue
        missing = set(_fields(CATALOG.raw(key))) - names
        if missing:
            problems.append(f"{where}: {key} without {sorted(missing)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("bad", ["Mẫu tin: ref.nudge", "Quan hệ: nguoi_than",
                                 'Nội dung: {{"campaign": 1}}', "Ban khong duoc gui"])
def test_the_lint_catches_what_it_is_for(bad: str) -> None:
    global CATALOG, KEYS
    saved = CATALOG, KEYS
    CATALOG = Messages({"x.y": bad, "ref.nudge": "nhắc"})
    KEYS = ["x.y"]
    try:
        checks = (test_no_message_shows_a_raw_key_or_a_snake_case_code,
                  test_no_message_shows_json_or_braces, test_common_words_keep_their_diacritics)
        failed = 0
        for check in checks:
            try:
                check()
            except AssertionError:
                failed += 1
        assert failed >= 1
    finally:
        CATALOG, KEYS = saved
