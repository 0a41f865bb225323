"""The polite-address question: which word the bot calls the person by (bạn, anh, chị…).

Registration does not ask it as a separate message: its summary shows the word suggested
by the birth year (content.address.suggest) and the person keeps it or changes it with
"Sửa"; /toi changes it at any time. The choices keep one order, so a number keeps its
meaning.
"""

from __future__ import annotations

from typing import Any

from bot.core.context import Context
from bot.core.forms import Invalid, Step
from bot.core.types import Choice
from content.address import WORDS, read_word, suggest
from content.text import fold

CHOOSING_ADDRESS = "choosing_address"  # step name (stored in chat states: never rename)
FIELD = "address"
# Choice payloads are ASCII: "f:bac" stands for "bác".
_BY_CODE = {fold(word): word for word in WORDS}


def address_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    """Return one choice per address word, always in the same order."""
    return [Choice(ctx.t("address.choice", word=word), "f:" + fold(word)) for word in WORDS]


def pick_address(_ctx: Context, code: str) -> str:
    """Accept a pressed address choice."""
    word = _BY_CODE.get(code)
    if word is None:
        raise Invalid("address.invalid")
    return word


def parse_address(_ctx: Context, text: str) -> str:
    """Read a typed address word ("bác", "gọi tôi là chú", "co")."""
    word = read_word(text)
    if word is None:
        raise Invalid("address.invalid")
    return word


def address_step(when: Any = None) -> Step:
    """Return the question "what should the bot call you"."""
    return Step(CHOOSING_ADDRESS, FIELD, "address.ask", parse=parse_address,
                pick=pick_address, options=address_options, invalid="address.invalid",
                label="address.field", max_length=60, when=when)


def never(_data: dict[str, Any]) -> bool:
    """A step's `when` for a question asked only from a summary's "Sửa"."""
    return False


def chosen_or_suggested(ctx: Context, data: dict[str, Any]) -> str:
    """Return the word the person chose in this form, else the one their birth year
    suggests."""
    word = data.get(FIELD)
    if isinstance(word, str) and word in WORDS:
        return word
    birth_year = data.get("birth_year")
    return suggest(birth_year if isinstance(birth_year, int) else None,
                   ctx.clock.today().year)
