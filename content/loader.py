"""Load and check campaign files, reporting problems as file + dotted path + short text."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import ValidationError

from content.errors import ContentError
from content.schema import PATH_SEP, Campaign
from content.yaml_file import read_yaml

logger = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).parent / "campaigns"

_PREFIXES = ("Value error, ", "Assertion failed, ")


def format_path(loc: Iterable[int | str]) -> str:
    """Format a pydantic location tuple as a dotted path with [i] for list indexes."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _join(path: str, sub: str) -> str:
    if not path:
        return sub
    return path + sub if sub.startswith("[") else f"{path}.{sub}"


def _errors_from_validation(file: str, exc: ValidationError) -> list[ContentError]:
    errors: list[ContentError] = []
    for err in exc.errors():
        # Tagged/nested unions are not used, so every loc part is a field name or list index.
        loc = [p for p in err["loc"] if isinstance(p, int | str)]
        path = format_path(loc)
        problem = str(err["msg"])
        for prefix in _PREFIXES:
            problem = problem.removeprefix(prefix)
        if PATH_SEP in problem:
            sub, problem = problem.split(PATH_SEP, 1)
            path = _join(path, sub)
        if err["type"] == "extra_forbidden":
            problem = "unknown field (check the spelling)"
        elif err["type"] == "missing":
            problem = "required field is missing"
        errors.append(ContentError(file, path, problem))
    return errors


def _parse_file(path: Path) -> tuple[Campaign | None, list[ContentError]]:
    try:
        data = read_yaml(path)
    except ContentError as exc:
        return None, [exc]
    if not isinstance(data, dict):
        return None, [ContentError(path.name, "", "the file must be a mapping of fields")]
    try:
        campaign = Campaign.model_validate(data)
    except ValidationError as exc:
        return None, _errors_from_validation(path.name, exc)
    if campaign.id != path.stem:
        problem = f"id {campaign.id!r} must equal the file name {path.stem!r}"
        return None, [ContentError(path.name, "id", problem)]
    return campaign, []


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("_"))


def _check_all(paths: Sequence[Path]) -> tuple[list[Campaign], list[ContentError]]:
    campaigns: list[Campaign] = []
    errors: list[ContentError] = []
    seen: dict[str, str] = {}
    for path in paths:
        campaign, problems = _parse_file(path)
        errors.extend(problems)
        if campaign is None:
            continue
        if campaign.id in seen:
            errors.append(
                ContentError(
                    path.name, "id", f"duplicate id {campaign.id!r}, also in {seen[campaign.id]}"
                )
            )
            continue
        seen[campaign.id] = path.name
        campaigns.append(campaign)
    return campaigns, errors


def check_campaigns(directory: Path = DEFAULT_DIR) -> list[ContentError]:
    """Return every problem found in every campaign file of the directory (empty if all good)."""
    paths = _files(directory)
    if not paths:
        return [ContentError(str(directory), "", "no campaign files (*.yaml) found")]
    return _check_all(paths)[1]


def load_campaigns(directory: Path = DEFAULT_DIR) -> list[Campaign]:
    """Load every campaign file of the directory; raise the first ContentError found."""
    paths = _files(directory)
    if not paths:
        raise ContentError(str(directory), "", "no campaign files (*.yaml) found")
    campaigns, errors = _check_all(paths)
    if errors:
        for extra in errors[1:]:
            logger.error("content problem: %s", extra)
        raise errors[0]
    logger.info("loaded %s campaigns from %s", len(campaigns), directory)
    return campaigns
