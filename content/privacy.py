"""The personal-data policy: its version and the purposes consent is asked for."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from content.errors import ContentError

DEFAULT_POLICY = Path(__file__).parent / "privacy.yaml"


class Purpose(StrEnum):
    """Purposes of processing the code acts on (texts live in the catalog)."""

    PROFILE = "profile"
    REMINDERS = "reminders"
    DEEDS = "deeds"
    UNIT_REPORTS = "unit_reports"
    REFERRALS = "referrals"


class PurposeSpec(BaseModel):
    """How one purpose is asked."""

    model_config = ConfigDict(extra="forbid")
    required: bool


class Policy(BaseModel):
    """The policy version and its purposes."""

    model_config = ConfigDict(extra="forbid")
    version: str
    purposes: dict[Purpose, PurposeSpec]


def load_policy(path: Path = DEFAULT_POLICY) -> Policy:
    """Load and validate the policy file."""
    try:
        return Policy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(path.name, "", f"không đọc được tệp: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ContentError(path.name, where, first["msg"]) from exc
