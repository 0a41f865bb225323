"""The one error of the importer: a catalog key and its parameters, shown in Vietnamese."""

from __future__ import annotations

from typing import Any


class PlanError(Exception):
    """A plan that cannot be imported; `key` names a message of content/messages/importer.yaml."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
