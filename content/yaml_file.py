"""Reading the project's YAML content files, with errors that name the file and the place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from content.errors import ContentError


def read_yaml(path: Path) -> Any:
    """Return a YAML file's data; ContentError (file, line and column) when it cannot be read."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ContentError(path.name, "", f"YAML syntax error: {where}{exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(path.name, "", f"YAML syntax error: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ContentError(path.name, "", "file is not UTF-8 text") from exc
    except ValueError as exc:  # a date such as 2024-04-31 fails while YAML reads it
        raise ContentError(path.name, "", f"invalid date: {exc}") from exc


def read_mapping(path: Path) -> dict[str, Any]:
    """Return a YAML file that must hold a mapping (ContentError otherwise)."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(path.name, "", "the file must be a mapping")
    return data
