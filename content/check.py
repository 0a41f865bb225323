"""Validate every content file and collect all problems (`thidua content check`)."""

from __future__ import annotations

from content.errors import ContentError
from content.messages import Messages
from content.privacy import load_policy
from content.units import check_units


def check_all() -> list[ContentError]:
    """Return every problem found in the content files (empty when all are valid)."""
    problems: list[ContentError] = []
    for loader in (Messages.load, load_policy):
        try:
            loader()
        except ContentError as exc:
            problems.append(exc)
    problems.extend(check_units())
    return problems
