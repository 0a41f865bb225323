"""The message catalog covers every key the code uses; settings are all documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.config import Settings
from content.errors import ContentError
from content.messages import Messages

ROOT = Path(__file__).resolve().parents[2]
KEY_RE = re.compile(r"""\bt\(\s*["']([a-z_][a-z0-9_.]*)["']""")
STEP_KEY_RE = re.compile(r"""["']((?:reg|profile|consent|form|menu|error|stats|console|role"""
                         r"""|cancel|privacy|roles|limits|cli)\.[a-z0-9_.]+)["']""")


def _code_keys() -> set[str]:
    keys: set[str] = set()
    for package in ("bot", "handlers", "content", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            keys.update(KEY_RE.findall(source))
            keys.update(STEP_KEY_RE.findall(source))
    return keys


def test_every_message_key_used_in_code_exists_in_the_catalog() -> None:
    catalog = Messages.load()
    missing = sorted(k for k in _code_keys()
                     if k not in catalog and not k.endswith((".", ".yaml")))
    assert not missing, f"keys used in code but missing from vi.yaml: {missing}"


def test_yes_no_keys_are_refused_instead_of_silently_lost(tmp_path: Path) -> None:
    broken = tmp_path / "vi.yaml"
    broken.write_text("consent:\n  yes: Đồng ý\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        Messages.load(broken)
    assert error.value.file == "vi.yaml" and error.value.path == "consent.True"


def test_broken_catalog_names_file_and_problem(tmp_path: Path) -> None:
    broken = tmp_path / "vi.yaml"
    broken.write_text("welcome: \"unterminated\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"vi\.yaml"):
        Messages.load(broken)


def test_env_example_documents_every_setting() -> None:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    documented = {line.split("=", 1)[0].lower() for line in lines
                  if line and not line.startswith("#")}
    assert documented == set(Settings.model_fields)
    for index, line in enumerate(lines):
        if line and not line.startswith("#"):
            above = index - 1
            while above >= 0 and lines[above] and not lines[above].startswith("#"):
                above -= 1  # keys grouped under one comment share it
            assert above >= 0 and lines[above].startswith("#"), f"{line} has no comment"


def test_feature_catalog_files_merge_and_duplicates_are_refused(tmp_path: Path) -> None:
    (tmp_path / "vi.yaml").write_text("menu:\n  title: \"Chọn\"\n", encoding="utf-8")
    (tmp_path / "referrals.yaml").write_text("ref:\n  hello: \"Chào\"\n", encoding="utf-8")
    catalog = Messages.load(tmp_path)
    assert catalog.t("menu.title") == "Chọn" and catalog.t("ref.hello") == "Chào"
    (tmp_path / "works.yaml").write_text("menu:\n  title: \"Khác\"\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        Messages.load(tmp_path)
    assert (error.value.file, error.value.path) == ("works.yaml", "menu.title")


def test_every_consent_purpose_is_explained_in_chat() -> None:
    from content.privacy import Purpose, load_policy

    catalog = Messages.load()
    policy = load_policy()
    for purpose in Purpose:
        assert purpose in policy.purposes, purpose
        for key in (f"consent.purpose.{purpose}", f"privacy.purpose.{purpose}"):
            assert key in catalog, key
