"""Administrative unit hierarchy: versioned unit data, validation, lineage and fuzzy search."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rapidfuzz import fuzz, process

from content.errors import ContentError
from content.text import fold_words, nfc

logger = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).parent / "units"
TYPES_FILE = "types.yaml"
CODE_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:\.[a-z0-9]+(?:[-_][a-z0-9]+)*)*$"
TYPE_CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
DEFAULT_CUTOFF = 70.0

_CODE_RE = re.compile(CODE_PATTERN)
# libyaml's loader is several times faster on a national list; same safe semantics.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Query words that never help to tell units apart ("UBND xã Nhân Lý").
_FILLER = ("uy ban nhan dan", "ubnd")


# --------------------------------------------------------------------------- schema


class _TypeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=TYPE_CODE_PATTERN)
    name: str = Field(min_length=1)
    commune_level: bool = False
    prefix: bool = True
    aliases: list[str] = Field(default_factory=list)


class _TypesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    types: list[_TypeModel]


class _UnitModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    type: str = Field(min_length=1)
    parent: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    successors: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    note: str | None = None

    @field_validator("valid_from", "valid_to", mode="before")
    @classmethod
    def _no_datetimes(cls, value: Any) -> Any:
        # YAML may yield datetimes for "2025-07-01 00:00"; a unit changes on whole days.
        if hasattr(value, "date") and callable(value.date):
            return value.date()
        return value


class _UnitsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units: list[_UnitModel]


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True, slots=True)
class UnitType:
    """A row of the unit types table (tỉnh, huyện, xã, cơ quan …)."""

    code: str
    name: str
    commune_level: bool = False
    prefix: bool = True
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit, agency or organisation, valid over a span of days."""

    code: str
    name: str
    type_code: str
    type_name: str
    parent: str | None
    valid_from: date | None
    valid_to: date | None
    successors: tuple[str, ...]
    predecessors: tuple[str, ...]
    full_name: str
    commune_level: bool = False
    aliases: tuple[str, ...] = ()
    note: str | None = None
    source: str = ""

    def is_valid_on(self, day: date) -> bool:
        """Return whether the unit existed on day (bounds inclusive)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


@dataclass(frozen=True, slots=True)
class _RawUnit:
    model: _UnitModel
    file: str
    index: int


def full_name_of(name: str, unit_type: UnitType) -> str:
    """Return the display name of a unit: "Xã Nhân Lý", or the bare name for agencies."""
    return f"{unit_type.name} {name}" if unit_type.prefix else name


def slugify(text: str) -> str:
    """Return a lowercase ASCII slug of text ("Nhân Lý" -> "nhan-ly")."""
    return "-".join(fold_words(text))


def _search_text(text: str) -> str:
    """Fold text to a search key: marks stripped, lowercase, single spaces, filler removed."""
    words = " ".join(fold_words(nfc(text)))
    for filler in _FILLER:
        words = re.sub(rf"\b{filler}\b", " ", words)
    return " ".join(words.split())


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


# --------------------------------------------------------------------------- tree


class UnitTree:
    """The loaded unit hierarchy with queries by code, by day and by fuzzy name."""

    def __init__(self, types: Mapping[str, UnitType], units: Iterable[Unit]) -> None:
        self.types: dict[str, UnitType] = dict(types)
        self._units: dict[str, Unit] = {}
        self._children: dict[str | None, list[str]] = {}
        for unit in units:
            self._units[unit.code] = unit
            self._children.setdefault(unit.parent, []).append(unit.code)
        self._depth: dict[str, int] = {code: self._compute_depth(code) for code in self._units}
        # Each key is kept as written and with its words sorted: the first scores typos that
        # would change the word order when sorted, the second scores words given in any order.
        self._keys: list[str] = []
        self._sorted_keys: list[str] = []
        self._key_owner: list[str] = []
        self._covering: dict[str, frozenset[str]] = {}
        self._build_search_index()

    # ---- basic access

    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._units.values())

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def get(self, code: str) -> Unit | None:
        """Return the unit with this code, or None."""
        return self._units.get(code)

    def _require(self, code: str) -> Unit:
        unit = self._units.get(code)
        if unit is None:
            raise KeyError(code)
        return unit

    def is_valid_on(self, code: str, day: date) -> bool:
        """Return whether the unit with this code existed on day (False if unknown)."""
        unit = self._units.get(code)
        return unit is not None and unit.is_valid_on(day)

    # ---- structure

    def roots(self, on: date | None = None) -> list[Unit]:
        """Return the units without a parent, optionally only those valid on a day."""
        return self.children(None, on)

    def children(self, code: str | None, on: date | None = None) -> list[Unit]:
        """Return the direct children of a unit (roots for None), optionally valid on a day."""
        units = [self._units[c] for c in self._children.get(code, [])]
        return units if on is None else [u for u in units if u.is_valid_on(on)]

    def descendants(self, code: str, on: date | None = None) -> list[Unit]:
        """Return all units below code at any depth (pre-order), optionally valid on a day."""
        out: list[Unit] = []
        stack = list(reversed(self._children.get(code, [])))
        while stack:
            unit = self._units[stack.pop()]
            if on is None or unit.is_valid_on(on):
                out.append(unit)
            stack.extend(reversed(self._children.get(unit.code, [])))
        return out

    def communes(self, code: str, on: date | None = None) -> list[Unit]:
        """Return the commune-level units (xã, phường, thị trấn, đặc khu …) below code."""
        return [u for u in self.descendants(code, on) if u.commune_level]

    def ancestors(self, code: str) -> list[Unit]:
        """Return the parent, grandparent … of a unit, nearest first."""
        out: list[Unit] = []
        parent = self._require(code).parent
        while parent is not None:
            unit = self._units[parent]
            out.append(unit)
            parent = unit.parent
        return out

    def upward(self, code: str) -> frozenset[str]:
        """Return a unit's code and its ancestors' codes (the unit and every unit it lies in);
        an unknown code only itself."""
        if code not in self._units:
            return frozenset({code})
        return frozenset({code, *(u.code for u in self.ancestors(code))})

    def depth(self, code: str) -> int:
        """Return how many ancestors a unit has (0 for a root)."""
        return self._depth[code]

    def path_text(self, code: str, separator: str = ", ") -> str:
        """Return the display path, e.g. "Xã Nhân Lý, Huyện Chi Lăng, Tỉnh Lạng Sơn"."""
        unit = self._require(code)
        return separator.join(u.full_name for u in [unit, *self.ancestors(code)])

    def _compute_depth(self, code: str) -> int:
        depth = 0
        parent = self._units[code].parent
        while parent is not None:
            depth += 1
            parent = self._units[parent].parent
        return depth

    # ---- lineage

    def successors_on(self, code: str, day: date) -> list[Unit]:
        """Follow the old→new lineage from a unit to the units valid on day."""
        return self._follow(code, day, forward=True)

    def predecessors_on(self, code: str, day: date) -> list[Unit]:
        """Follow the lineage backwards from a unit to the units valid on an earlier day."""
        return self._follow(code, day, forward=False)

    def lineage_on(self, code: str, day: date) -> list[Unit]:
        """Return the units valid on day that a record made under code now (or then) belongs to."""
        unit = self._require(code)
        if unit.is_valid_on(day):
            return [unit]
        if unit.valid_from is not None and day < unit.valid_from:
            return self.predecessors_on(code, day)
        return self.successors_on(code, day)

    def covering(self, code: str) -> frozenset[str]:
        """Return the units whose scope holds code's records: code, its ancestors, and the
        units that took it in whole in a reform, with theirs (xã Long Đống, merged whole into
        the new xã Bắc Sơn, is covered by that xã; a district split among six new xã is
        covered by none of them). Unknown codes cover only themselves."""
        found = self._covering.get(code)
        if found is not None:
            return found
        self._covering[code] = frozenset({code})  # a successor cycle stops here
        unit = self._units.get(code)
        out = {code}
        if unit is not None:
            if unit.parent is not None:
                out |= self.covering(unit.parent)
            if unit.successors:
                out |= frozenset.intersection(*(self.covering(s) for s in unit.successors))
        self._covering[code] = frozenset(out)
        return self._covering[code]

    def heirs(self, code: str) -> list[str]:
        """Return the units that took a unit in whole, nearest first (xã Bản Công → the new
        xã Hạnh Phúc); none for a unit split among several, or still in force."""
        out: list[str] = []
        unit = self._units.get(code)
        while unit is not None and unit.successors:
            whole = [s for s in unit.successors
                     if all(s in self.covering(o) for o in unit.successors)]
            if not whole or whole[0] in out:
                break
            out.append(whole[0])
            unit = self._units.get(whole[0])
        return out

    def absorbed(self, code: str) -> list[str]:
        """Return the former units merged whole into a unit (transitively): those whose
        records now belong to it (the new xã Bắc Sơn: thị trấn Bắc Sơn, xã Long Đống, xã
        Bắc Quỳnh). The inverse of `heirs`."""
        out: list[str] = []
        queue = [code]
        while queue:
            unit = self._units.get(queue.pop(0))
            if unit is None:
                continue
            for old in unit.predecessors:
                if old not in out and unit.code in self.heirs(old):
                    out.append(old)
                    queue.append(old)
        return out

    def within(self, code: str) -> list[str]:
        """Return every unit whose records belong under a unit: itself, all below it, and the
        former units merged whole into any of them, with all below those (an unknown code:
        only itself)."""
        out: list[str] = []
        seen: set[str] = set()
        queue = [code]
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            out.append(current)
            queue.extend(c for c in self._children.get(current, []))
            queue.extend(self.absorbed(current))
        return out

    def touches(self, area: str, code: str) -> bool:
        """Tell whether a unit's territory, now or before a reform, lies in `area` or holds
        it: for a plan of huyện Bắc Sơn, a resident of xã Long Đống, of the new xã Bắc Sơn
        (made of former xã of the district) or of Tỉnh Lạng Sơn; not one of huyện Chi Lăng.
        Unknown codes touch nothing."""
        if area not in self._units or code not in self._units:
            return False
        holding = self.upward(area)
        seen: set[str] = set()
        queue = [code]
        while queue:
            current = queue.pop()
            if current in seen:
                continue
            seen.add(current)
            if current in holding or area in self.upward(current):
                return True
            queue.extend(self._units[current].predecessors)
        return False

    def _follow(self, code: str, day: date, *, forward: bool) -> list[Unit]:
        start = self._require(code)
        out: list[Unit] = []
        seen: set[str] = set()
        queue = [start]
        while queue:
            unit = queue.pop(0)
            if unit.code in seen:
                continue
            seen.add(unit.code)
            if unit.is_valid_on(day):
                out.append(unit)
                continue
            links = unit.successors if forward else unit.predecessors
            queue.extend(self._units[c] for c in links)
        # A split district lists both itself and its communes; keep the most specific units.
        covered = {a.code for u in out for a in self.ancestors(u.code)}
        return [u for u in out if u.code not in covered]

    # ---- search

    def _build_search_index(self) -> None:
        for unit in self._units.values():
            parents = self.ancestors(unit.code)
            type_ = self.types[unit.type_code]
            names = [unit.name, *unit.aliases]
            texts: set[str] = set()
            for name in names:
                full = full_name_of(name, type_)
                texts.add(name)
                texts.add(full)
                texts.update(f"{alias} {name}" for alias in type_.aliases)
                if parents:
                    texts.add(f"{name} {parents[0].name}")
                    texts.add(f"{full} {parents[0].full_name}")
                    texts.add(" ".join([name, *(p.name for p in parents)]))
                    texts.add(" ".join([full, *(p.full_name for p in parents)]))
            for key in {_search_text(t) for t in texts}:
                if key:
                    self._keys.append(key)
                    self._sorted_keys.append(_sorted_words(key))
                    self._key_owner.append(unit.code)

    def search(
        self,
        query: str,
        *,
        on: date | None = None,
        limit: int = 5,
        cutoff: float = DEFAULT_CUTOFF,
    ) -> list[tuple[Unit, float]]:
        """Return up to limit units whose names best match query, with scores 0-100."""
        key = _search_text(query)
        if not key or limit <= 0:
            return []
        best: dict[str, float] = {}
        for query_key, keys in ((key, self._keys), (_sorted_words(key), self._sorted_keys)):
            matches = process.extract(
                query_key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
            )
            for _choice, score, index in matches:
                code = self._key_owner[index]
                if score > best.get(code, -1.0):
                    best[code] = float(score)
        found = [self._units[c] for c in best]
        if on is not None:
            found = [u for u in found if u.is_valid_on(on)]
        # Ties: units still in force first, then higher levels, then code for stable output.
        found.sort(
            key=lambda u: (-best[u.code], u.valid_to is not None, self._depth[u.code], u.code)
        )
        return [(u, best[u.code]) for u in found[:limit]]


# --------------------------------------------------------------------------- loading


def _loc_text(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as a readable path: units[3].parent."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _read_yaml(path: Path, errors: list[ContentError]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        errors.append(ContentError(path.name, "", f"not valid UTF-8 ({exc.reason})"))
        return None
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(ContentError(path.name, "", f"invalid YAML{where}: {problem}"))
        return None


def _validation_errors(file: str, exc: ValidationError) -> list[ContentError]:
    return [ContentError(file, _loc_text(err["loc"]), err["msg"]) for err in exc.errors()]


def _load_types(path: Path, errors: list[ContentError]) -> dict[str, UnitType]:
    if not path.is_file():
        errors.append(ContentError(path.name, "", "unit types table is missing"))
        return {}
    before = len(errors)
    data = _read_yaml(path, errors)
    if data is None:
        if len(errors) == before:
            errors.append(ContentError(path.name, "types", "file is empty"))
        return {}
    try:
        parsed = _TypesFile.model_validate(data)
    except ValidationError as exc:
        errors.extend(_validation_errors(path.name, exc))
        return {}
    types: dict[str, UnitType] = {}
    for i, model in enumerate(parsed.types):
        if model.code in types:
            errors.append(
                ContentError(path.name, f"types[{i}].code", f"duplicate type '{model.code}'")
            )
            continue
        types[model.code] = UnitType(
            code=model.code,
            name=nfc(model.name),
            commune_level=model.commune_level,
            prefix=model.prefix,
            aliases=tuple(nfc(a) for a in model.aliases),
        )
    return types


def _load_unit_files(directory: Path, errors: list[ContentError]) -> list[_RawUnit]:
    raw: list[_RawUnit] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == TYPES_FILE:
            continue
        before = len(errors)
        data = _read_yaml(path, errors)
        if data is None:
            if len(errors) == before:
                errors.append(ContentError(path.name, "units", "file has no units"))
            continue
        try:
            parsed = _UnitsFile.model_validate(data)
        except ValidationError as exc:
            errors.extend(_validation_errors(path.name, exc))
            continue
        raw.extend(_RawUnit(model, path.name, i) for i, model in enumerate(parsed.units))
    return raw


def _validate_units(
    types: Mapping[str, UnitType], raw: list[_RawUnit]
) -> tuple[list[Unit], list[ContentError]]:
    """Check cross-references of parsed units and build Unit objects in load order."""
    errors: list[ContentError] = []
    first: dict[str, _RawUnit] = {}
    for item in raw:
        code = item.model.code
        if code in first:
            prev = first[code]
            errors.append(
                ContentError(
                    item.file,
                    f"units[{item.index}].code",
                    f"duplicate code '{code}' (first in {prev.file} units[{prev.index}])",
                )
            )
        else:
            first[code] = item
    for item in first.values():
        m, where = item.model, f"units[{item.index}]"
        if m.type not in types:
            errors.append(ContentError(item.file, f"{where}.type", f"unknown type '{m.type}'"))
        if m.parent is not None and m.parent not in first:
            errors.append(
                ContentError(item.file, f"{where}.parent", f"parent '{m.parent}' does not exist")
            )
        if m.parent == m.code:
            errors.append(ContentError(item.file, f"{where}.parent", "unit is its own parent"))
        if m.valid_from and m.valid_to and m.valid_from > m.valid_to:
            errors.append(
                ContentError(
                    item.file,
                    f"{where}.valid_to",
                    f"valid_to {m.valid_to} is before valid_from {m.valid_from}",
                )
            )
        if m.successors and m.valid_to is None:
            errors.append(
                ContentError(item.file, f"{where}.successors", "successors given but no valid_to")
            )
        for j, succ in enumerate(m.successors):
            if succ not in first:
                errors.append(
                    ContentError(
                        item.file, f"{where}.successors[{j}]", f"successor '{succ}' does not exist"
                    )
                )
            elif succ == m.code:
                errors.append(
                    ContentError(item.file, f"{where}.successors[{j}]", "unit succeeds itself")
                )
    errors.extend(_cycle_errors(first))
    if errors:
        return [], errors
    predecessors: dict[str, list[str]] = {}
    for item in first.values():
        for succ in item.model.successors:
            predecessors.setdefault(succ, []).append(item.model.code)
    units = []
    for item in first.values():
        m = item.model
        type_ = types[m.type]
        name = nfc(m.name)
        units.append(
            Unit(
                code=m.code,
                name=name,
                type_code=type_.code,
                type_name=type_.name,
                parent=m.parent,
                valid_from=m.valid_from,
                valid_to=m.valid_to,
                successors=tuple(dict.fromkeys(m.successors)),
                predecessors=tuple(predecessors.get(m.code, ())),
                full_name=full_name_of(name, type_),
                commune_level=type_.commune_level,
                aliases=tuple(nfc(a) for a in m.aliases),
                note=nfc(m.note) if m.note else None,
                source=item.file,
            )
        )
    return units, []


def _cycle_errors(first: Mapping[str, _RawUnit]) -> list[ContentError]:
    errors: list[ContentError] = []
    done: set[str] = set()
    for start in first:
        path: list[str] = []
        on_path: set[str] = set()
        code: str | None = start
        while code is not None and code in first and code not in done:
            if code in on_path:
                cycle = [*path[path.index(code) :], code]
                item = first[code]
                errors.append(
                    ContentError(
                        item.file,
                        f"units[{item.index}].parent",
                        "parent cycle: " + " -> ".join(cycle),
                    )
                )
                break
            path.append(code)
            on_path.add(code)
            code = first[code].model.parent
        done.update(path)
    return errors


@dataclass
class _Loaded:
    tree: UnitTree | None
    errors: list[ContentError] = field(default_factory=list)


def _load(directory: Path) -> _Loaded:
    errors: list[ContentError] = []
    if not directory.is_dir():
        return _Loaded(None, [ContentError(str(directory), "", "unit directory does not exist")])
    types = _load_types(directory / TYPES_FILE, errors)
    raw = _load_unit_files(directory, errors)
    if errors:
        return _Loaded(None, errors)
    units, problems = _validate_units(types, raw)
    if problems:
        return _Loaded(None, problems)
    return _Loaded(UnitTree(types, units))


def check_units(directory: Path | None = None) -> list[ContentError]:
    """Return every problem found in the unit files of directory (empty when valid)."""
    return _load(directory or DEFAULT_DIR).errors


def load_units(directory: Path | None = None) -> UnitTree:
    """Load and validate the unit files; raise ContentError on the first problem."""
    loaded = _load(directory or DEFAULT_DIR)
    if loaded.errors or loaded.tree is None:
        raise loaded.errors[0]
    logger.info("loaded %s units from %s", len(loaded.tree), directory or DEFAULT_DIR)
    return loaded.tree


def load_types(directory: Path | None = None) -> dict[str, UnitType]:
    """Load only the unit types table; raise ContentError if it is invalid."""
    errors: list[ContentError] = []
    types = _load_types((directory or DEFAULT_DIR) / TYPES_FILE, errors)
    if errors:
        raise errors[0]
    return types


def is_valid_code(code: str) -> bool:
    """Return whether code is a well-formed unit code (lowercase ASCII, dots between levels)."""
    return bool(_CODE_RE.match(code))
