"""The Vietnamese message catalog: every sentence a user reads comes from here."""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from content.address import DEFAULT, address_template, current
from content.errors import ContentError
from content.text import nfc

DEFAULT_CATALOG = Path(__file__).parent / "messages"


class Messages:
    """A flat catalog of message templates keyed by dotted names (`reg.ask_name`)."""

    def __init__(self, templates: Mapping[str, str]) -> None:
        self._templates = dict(templates)
        # Templates turned to one address word ("bác"…), made on first use.
        self._addressed: dict[tuple[str, str], str] = {}

    @classmethod
    def load(cls, path: Path = DEFAULT_CATALOG) -> Messages:
        """Load a catalog file, or every `*.yaml` of a folder (one file per feature).

        Raise ContentError naming the file, the key and the problem; a key defined in two
        files is an error too.
        """
        if not path.is_dir():
            return cls(cls._load_file(path))
        merged: dict[str, str] = {}
        origin: dict[str, str] = {}
        for file in sorted(path.glob("*.yaml")):
            for key, template in cls._load_file(file).items():
                if key in merged:
                    raise ContentError(file.name, key, f"khoá đã có trong {origin[key]}")
                merged[key] = template
                origin[key] = file.name
        return cls(merged)

    @staticmethod
    def _load_file(path: Path) -> dict[str, str]:
        name = path.name
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ContentError(name, "", f"không đọc được tệp: {exc}") from exc
        if not isinstance(raw, dict):
            raise ContentError(name, "", "tệp phải là một bảng khoá: nội dung")
        flat: dict[str, str] = {}
        _flatten(name, "", raw, flat)
        for key, template in flat.items():
            try:
                list(string.Formatter().parse(template))
            except ValueError as exc:
                raise ContentError(name, key, f"mẫu câu sai cú pháp: {exc}") from exc
        return flat

    def __contains__(self, key: str) -> bool:
        return key in self._templates

    def keys(self) -> list[str]:
        """Return every key of the catalog."""
        return list(self._templates)

    def t(self, key: str, **params: Any) -> str:
        """Return the message for key with params filled in; a missing key is a bug.

        The template speaks to the reader with the address word in force
        (content.address: "bạn" unless a person's scope set another one); params are
        filled in after, as they are.
        """
        template = self.template(key, current())
        return template.format(**params) if params else template

    def raw(self, key: str) -> str:
        """Return a template as written in the catalog ("[bạn]" markers included)."""
        return self._templates[key]

    def template(self, key: str, word: str = DEFAULT) -> str:
        """Return the raw template of key as said to a person called `word`."""
        template = self._templates[key]
        if word == DEFAULT:
            return address_template(template, DEFAULT) if "[" in template else template
        cached = self._addressed.get((key, word))
        if cached is None:
            cached = self._addressed[(key, word)] = address_template(template, word)
        return cached


def _flatten(file: str, prefix: str, node: Mapping[str, Any], out: dict[str, str]) -> None:
    for key, value in node.items():
        if not isinstance(key, str):
            # YAML reads bare yes/no/on/off/numbers as non-strings: a silent key loss.
            raise ContentError(file, f"{prefix}.{key}" if prefix else str(key),
                               "khoá phải là chữ (đặt trong dấu ngoặc kép nếu là yes/no/số)")
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(file, path, value, out)
        elif isinstance(value, str):
            out[path] = nfc(value.rstrip("\n"))
        else:
            raise ContentError(file, path, "giá trị phải là chuỗi văn bản")
