"""Form steps every feature asks the same way: yes/no, confirm, full name, birth year, unit.

The yes/no words are data (content/vocab.yaml), one vocabulary for every flow; a confirm
question may add the words naming its action (a `confirm` set of that file). Step names,
catalog keys and the `f:<value>` choices are the caller's, so forms keep theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.core.context import Context
from bot.core.forms import Invalid, Step
from bot.core.types import Choice
from content.query import conversation_kind
from content.text import fold, nfc
from content.vocab import Answer, load_vocab
from handlers.common.parsing.birth import BirthYearError, BirthYearProblem
from handlers.common.parsing.birth import parse_birth_year as read_birth_year
from handlers.common.parsing.dates import DateError, DateProblem, parse_date

When = Callable[[dict[str, Any]], bool] | None
Options = Callable[[Context, dict[str, Any]], list[Choice]]
Parser = Callable[[Context, str], Any]

VOCAB = load_vocab()
# A person's name: words of letters joined by one space, apostrophe, hyphen or dot
# ("Nguyễn Thị Mai", "H'Hen Niê", "Lê Văn T."), optionally ending with a dot.
NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
NAME_MIN, NAME_MAX = 2, 100
# Words that, with yes and no, make an answer ("đúng rồi", "vâng ạ"), never a whole name.
_FILLERS = frozenset({"a", "roi", "nhe", "nha", "luon", "vay", "the", "duoc"})
MIN_AGE = 16
OLDEST_BIRTH_YEAR = 1900

# Step names of the shared profile questions (stored in chat states: never rename).
TYPING_FULL_NAME = "typing_full_name"
TYPING_BIRTH_YEAR = "typing_birth_year"
CHOOSING_UNIT = "choosing_unit"


# --- yes / no -------------------------------------------------------------------------

def yes_no(text: str, confirm: str | None = None) -> Answer | None:
    """Read a typed yes or no ("yes", "no", or None when it is neither)."""
    return VOCAB.answer(text, confirm)


def yes_no_options(yes_key: str, no_key: str) -> Options:
    """Return an options builder offering yes and no (labels are catalog keys)."""

    def options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
        return [Choice(ctx.t(yes_key), "f:yes"), Choice(ctx.t(no_key), "f:no")]

    return options


def yes_no_pick(invalid: str) -> Parser:
    """Return a pick validator accepting only the yes and no choices."""

    def pick(_ctx: Context, value: str) -> str:
        if value not in ("yes", "no"):
            raise Invalid(invalid)
        return value

    return pick


def yes_no_parse(invalid: str, confirm: str | None = None) -> Parser:
    """Return a parser of a typed yes or no (Invalid(invalid) for anything else)."""

    def parse(_ctx: Context, text: str) -> str:
        answer = yes_no(text, confirm)
        if answer is None:
            raise Invalid(invalid)
        return answer

    return parse


def yes_no_step(name: str, field: str, prompt: Any, *, yes: str, no: str, invalid: str,
                confirm: str | None = None, when: When = None,
                max_length: int | None = None) -> Step:
    """Return a question answered yes or no, by a choice or by typing."""
    return Step(name, field, prompt, parse=yes_no_parse(invalid, confirm),
                pick=yes_no_pick(invalid), options=yes_no_options(yes, no), invalid=invalid,
                when=when, max_length=max_length)


def confirm_step(name: str, field: str, prompt: Any, *, yes: str, no: str, invalid: str,
                 confirm: str, when: When = None, max_length: int | None = 100) -> Step:
    """Return a confirmation of an action: yes/no plus the action's own words (`confirm`)."""
    return yes_no_step(name, field, prompt, yes=yes, no=no, invalid=invalid, confirm=confirm,
                       when=when, max_length=max_length)


# --- full name ------------------------------------------------------------------------

def clean_name(text: str) -> str | None:
    """Return a typed full name tidied (NFC, single spaces), or None when it is not one: a
    full name has at least two words (family and given name) and is not an answer to
    another question ("có", "không", "đúng rồi")."""
    name = " ".join(nfc(text).split())
    if not NAME_MIN <= len(name) <= NAME_MAX or not NAME_RE.match(name):
        return None
    words = name.split(" ")
    if len(words) < 2 or all(yes_no(w) is not None or fold(w) in _FILLERS for w in words):
        return None
    if conversation_kind(name) is not None:  # "cảm ơn", "xin chào", "hướng dẫn" are no names
        return None
    if _says_a_date(name):  # "hôm qua", "tuần trước", "thứ hai": the next question's answer
        return None
    return name


def _says_a_date(text: str) -> bool:
    try:
        parse_date(text, date.today())
    except DateError as error:
        return error.problem is not DateProblem.NOT_A_DATE
    return True


def proper_name(name: str) -> str:
    """Capitalise each word of a name typed all in lower or upper case ("hoàng thị lan" →
    "Hoàng Thị Lan"); a name typed with capitals of its own keeps them ("H'Hen Niê")."""
    if name not in (name.lower(), name.upper()):
        return name
    return " ".join(word[:1].upper() + word[1:].lower() for word in name.split(" "))


def name_parser(invalid: str) -> Parser:
    """Return a parser of a full name, capitalised (Invalid(invalid) when it is not one)."""

    def parse(_ctx: Context, text: str) -> str:
        name = clean_name(text)
        if name is None:
            raise Invalid(invalid)
        return proper_name(name)

    return parse


def name_step(when: When = None, *, name: str = TYPING_FULL_NAME, field: str = "full_name",
              prompt: Any = "reg.ask_name", invalid: str = "reg.bad_name",
              label: str | None = "reg.field.full_name") -> Step:
    """Return the full-name question (the profile's by default)."""
    return Step(name, field, prompt, parse=name_parser(invalid), invalid=invalid, label=label,
                max_length=NAME_MAX, when=when)


# --- birth year -----------------------------------------------------------------------

def parse_birth_year(ctx: Context, text: str) -> int:
    """Read a birth year ("1990", "sinh năm 1990", "sn 1990", "90", "35 tuổi") of someone aged
    16 or more (handlers/common/parsing/birth.py)."""
    try:
        return read_birth_year(text, ctx.clock.today(), min_age=MIN_AGE,
                               oldest=OLDEST_BIRTH_YEAR)
    except BirthYearError as exc:
        if exc.problem is BirthYearProblem.FUTURE:
            raise Invalid("reg.future_birth_year", year=exc.year) from None
        if exc.problem is BirthYearProblem.TOO_OLD:
            raise Invalid("reg.too_old_birth_year") from None
        if exc.problem is BirthYearProblem.TOO_YOUNG:
            raise Invalid("reg.under_16", age=exc.age) from None
        raise Invalid("reg.bad_birth_year") from None


def birth_year_step(when: When = None) -> Step:
    """Return the birth-year question."""
    return Step(TYPING_BIRTH_YEAR, "birth_year", "reg.ask_birth_year", parse=parse_birth_year,
                invalid="reg.bad_birth_year", label="reg.field.birth_year", max_length=20,
                when=when)


# --- unit picker ----------------------------------------------------------------------

STRONG_MATCH = 90.0
EXACT_MATCH = 100.0
MAX_SUGGESTIONS = 5


def unit_label(ctx: Context, code: str | None) -> str:
    """Return a unit's display path, or a placeholder when none is chosen."""
    if not code:
        return ctx.t("reg.unit_none")
    return ctx.services.units.path_text(code) if ctx.services.units.get(code) else code


def unit_suggestions(ctx: Context, text: str) -> list[Choice]:
    """Suggest units valid today for a typed name; a former unit leads to its successor.

    Since the 2025 reform many people still name their old commune: when nothing valid
    today matches well, units that no longer exist are searched too and their successors
    offered, labelled with the former name. A name matched exactly ("Long Đống", a former
    commune) is offered without the look-alikes a fuzzy match also finds ("Đồng Nơ").
    """
    units, today = ctx.services.units, ctx.clock.today()
    scored: dict[str, tuple[float, str]] = {}
    for unit, score in units.search(text, on=today, limit=MAX_SUGGESTIONS):
        scored[unit.code] = (score, units.path_text(unit.code))
    if not scored or max(s for s, _ in scored.values()) < STRONG_MATCH:
        for old, score in units.search(text, limit=MAX_SUGGESTIONS):
            if units.is_valid_on(old.code, today):
                continue
            for new in units.successors_on(old.code, today):
                label = ctx.t("reg.unit_successor", unit=units.path_text(new.code),
                              former=old.full_name)
                if score > scored.get(new.code, (0.0, ""))[0]:
                    scored[new.code] = (score, label)
    ranked = sorted(scored.items(), key=lambda item: -item[1][0])[:MAX_SUGGESTIONS]
    if ranked and ranked[0][1][0] >= EXACT_MATCH:  # a name typed exactly: no look-alikes
        ranked = [item for item in ranked if item[1][0] >= STRONG_MATCH]
    return [Choice(label, "f:" + code) for code, (_score, label) in ranked]


def exact_unit(ctx: Context, text: str) -> str | None:
    """Return the one unit valid today whose name is exactly what was typed, if only one is.

    "xã Nhân Lý" or "nhan ly" names one commune: asking to pick it from a list again costs a
    message and a number to type; the confirmation that follows still shows it.
    """
    hits = ctx.services.units.search(text, on=ctx.clock.today(), limit=2)
    exact = [unit for unit, score in hits if score >= EXACT_MATCH]
    return exact[0].code if len(exact) == 1 else None


def parse_unit(ctx: Context, text: str) -> str:
    """Take the unit named exactly, else offer the units matching a typed name to pick."""
    code = exact_unit(ctx, text)
    if code is not None:
        return code
    choices = unit_suggestions(ctx, text)
    if not choices:
        raise Invalid("reg.unit_not_found", query=text[:60])
    raise Invalid("reg.unit_pick", choices=choices)


def pick_unit(ctx: Context, code: str) -> str:
    """Accept a picked unit code that exists."""
    if ctx.services.units.get(code) is None:
        raise Invalid("reg.unit_not_found", query=code[:60])
    return code


def unit_step(when: When = None) -> Step:
    """Return the unit question (fuzzy search with suggestions; may be skipped)."""
    return Step(CHOOSING_UNIT, "unit_code", "reg.ask_unit", parse=parse_unit, pick=pick_unit,
                skip=True, label="reg.field.unit", max_length=200, when=when)
