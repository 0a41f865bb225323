"""Pydantic models of a campaign file: passages quoted from a plan, each with its source."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from content.text import nfc

# A validator message "sub.path :: problem" is split by the loader into a longer path.
PATH_SEP = " :: "

_SOURCE_RE = re.compile(r"^(mở đầu|[IVX]+(\.[0-9]+)*(\.[a-zđ])?)$")
_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_UNIT_CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$")
_SPACES_RE = re.compile(r"\s+")

SECTION_KEYS: tuple[str, ...] = (
    "muc_dich",
    "doi_tuong",
    "thoi_gian",
    "noi_dung",
    "tieu_chi",
    "khen_thuong",
    "to_chuc",
    "han_chot",
)


def _clean_text(value: str) -> str:
    text = _SPACES_RE.sub(" ", nfc(value)).strip()
    if not text:
        raise ValueError("text must not be empty")
    return text


def _check_source(value: str) -> str:
    text = _clean_text(value)
    if not _SOURCE_RE.match(text):
        raise ValueError(
            f"source {text!r} must name a section of the plan, e.g. 'III.1.b' or 'mở đầu'"
        )
    return text


def _check_code(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(f"{value!r} must be short lowercase ASCII words joined by '-'")
    return value


def _check_digits(value: str) -> str:
    if not value.isascii() or not value.isdigit() or int(value) <= 0:
        raise ValueError(f"{value!r} must be a positive number written in digits, e.g. '02'")
    return value


def _check_unit_code(value: str) -> str:
    if not _UNIT_CODE_RE.match(value):
        raise ValueError(f"{value!r} must be a unit code from content/units, e.g. 'ls.bac-son'")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
UnitCode = Annotated[str, AfterValidator(_check_unit_code)]
Source = Annotated[str, AfterValidator(_check_source)]
Code = Annotated[str, AfterValidator(_check_code)]
Digits = Annotated[str, AfterValidator(_check_digits)]


def fail(subpath: str, problem: str) -> ValueError:
    """Build a validation error pointing at a sub-path of the model being validated."""
    return ValueError(f"{subpath}{PATH_SEP}{problem}")


class Model(BaseModel):
    """Base of all content models: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Note(Model):
    """A dated remark added after the plan, e.g. when a cited decree was replaced."""

    date: dt.date
    text: Text


class Passage(Model):
    """A leaf: text quoted from the plan (unless quote is false) and the section it comes from."""

    text: Text
    source: Source
    quote: bool = True
    keywords: list[Text] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)


class Count(Passage):
    """A number as written in the plan ("02"), with the passage that states it."""

    value: Digits
    assumption: bool = False
    assumption_note: Text | None = None

    @property
    def number(self) -> int:
        """Return the count as an integer."""
        return int(self.value)

    @model_validator(mode="after")
    def _assumption_explained(self) -> Count:
        if self.assumption and not self.assumption_note:
            raise fail("assumption_note", "an assumption needs a note saying who may change it")
        return self


class DatedPassage(Passage):
    """A passage that fixes a date; inclusive is false for "trước ngày …" (strictly before)."""

    date: dt.date
    inclusive: bool = True


class DeadlineReminder(Model):
    """Who is reminded of a dated deadline, and how many days before it (0: the day itself).

    `to`: "everyone" (people registered in the campaign's units), "liaisons" (unit liaisons
    only; the default, as most deadlines concern units) or "none". `units` narrows the
    audience to these units and those below them instead of the campaign's unit.
    """

    to: Literal["everyone", "liaisons", "none"] = "liaisons"
    days_before: list[int] = Field(default_factory=lambda: [7, 3, 1, 0])
    units: list[UnitCode] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sensible_days(self) -> DeadlineReminder:
        if len(set(self.days_before)) != len(self.days_before):
            raise fail("days_before", "days must not repeat")
        if any(not 0 <= day <= 60 for day in self.days_before):
            raise fail("days_before", "days must be between 0 and 60")
        return self


class Deadline(Passage):
    """Something due: what, by when (a date or a rule), for whom, quoted with its source."""

    what: Text
    audience: Text
    date: dt.date | None = None
    inclusive: bool = True
    rule: Text | None = None
    remind: DeadlineReminder = Field(default_factory=DeadlineReminder)

    @property
    def last_day(self) -> dt.date | None:
        """Return the last day to act ("trước ngày 25/10" means 24/10 is the last day)."""
        if self.date is None:
            return None
        return self.date if self.inclusive else self.date - dt.timedelta(days=1)

    @model_validator(mode="after")
    def _date_or_rule(self) -> Deadline:
        if self.date is None and self.rule is None:
            raise fail("date", "a deadline needs a date or a rule text")
        return self


class Period(Passage):
    """The period of the campaign; dates not written in the plan are marked as assumptions."""

    start: dt.date | None = None
    end: dt.date
    assumption: bool = False
    assumption_note: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start is not None and self.start > self.end:
            raise fail("end", f"end {self.end} is before start {self.start}")
        if self.assumption and not self.assumption_note:
            raise fail("assumption_note", "an assumption needs a note saying who may change it")
        return self


class Document(Model):
    """Identity of the plan as written (number and date may be blank in the plan)."""

    kind: Text
    number: Text | None = None
    date_text: Text | None = None
    signed_by: Text | None = None
    file: str | None = None
    based_on: list[Passage] = Field(default_factory=list)


class CriteriaGroup(Model):
    """Criteria for one kind of collective or individual."""

    title: Text
    kind: Code
    source: Source
    items: list[Passage] = Field(min_length=1)


class Reward(Passage):
    """A reward form and who grants it."""

    form: Text
    granted_by: Text


class Responsibility(Model):
    """What one actor must do."""

    actor: Text
    source: Source
    tasks: list[Passage] = Field(min_length=1)


class Contact(Passage):
    """Whom to ask: the unit the plan names."""

    unit: Text


class Week(Model):
    """One Monday–Sunday week of the referral programme."""

    number: int = Field(ge=1)
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _monday_to_sunday(self) -> Week:
        if self.start.weekday() != 0:
            raise fail("start", f"{self.start} is not a Monday")
        if self.end != self.start + dt.timedelta(days=6):
            raise fail("end", f"{self.end} is not the Sunday after {self.start}")
        return self


class Step(Passage):
    """One step of a file's path, e.g. an achievement report going to the next office."""

    actor: Text


class ReferralProgramme(Model):
    """ "Dân vận khéo": own account plus referred accounts taking part for consecutive weeks."""

    home_unit: UnitCode
    min_age: Count
    until: DatedPassage
    own_account: Passage
    min_referrals: Count
    max_referrals: Count
    consecutive_weeks: Count
    weeks: list[Week] = Field(min_length=1)
    weeks_assumption: bool = False
    weeks_note: Text | None = None
    reward: Reward
    report: Passage
    report_form: Text
    report_path: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ReferralProgramme:
        if self.max_referrals.number < self.min_referrals.number:
            raise fail("max_referrals.value", "must not be below min_referrals")
        if len(self.weeks) != self.consecutive_weeks.number:
            raise fail(
                "weeks",
                f"{len(self.weeks)} weeks listed, consecutive_weeks says "
                f"{self.consecutive_weeks.number}",
            )
        for i, week in enumerate(self.weeks):
            if week.number != i + 1:
                raise fail(f"weeks[{i}].number", f"expected {i + 1}, found {week.number}")
            if i and week.start != self.weeks[i - 1].end + dt.timedelta(days=1):
                raise fail(f"weeks[{i}].start", "must be the day after the previous week ends")
        if self.weeks[-1].end > self.until.date:
            raise fail(f"weeks[{len(self.weeks) - 1}].end", "ends after the campaign's end")
        if self.weeks_assumption and not self.weeks_note:
            raise fail("weeks_note", "assumed weeks need a note saying who may change them")
        return self


class UnitMinimum(Passage):
    """Minimum number of works for some unit types; "*" stands for every other type."""

    unit_types: list[str] = Field(min_length=1)
    label: Text
    count: Digits

    @property
    def number(self) -> int:
        """Return the minimum as an integer."""
        return int(self.count)


class WorkField(Model):
    """A field every registered work must state."""

    key: Code
    label: Text


class WorksProgramme(Model):
    """Registration of works ("công trình, phần việc") by units, with a minimum per unit type."""

    register_by: DatedPassage
    send_to: Text
    minimum_per_unit: list[UnitMinimum] = Field(min_length=1)
    required_fields: list[WorkField] = Field(min_length=1)
    required_fields_passage: Passage
    flagship: Count
    flagship_due: DatedPassage

    @model_validator(mode="after")
    def _one_fallback(self) -> WorksProgramme:
        seen: set[str] = set()
        for i, rule in enumerate(self.minimum_per_unit):
            for unit_type in rule.unit_types:
                if unit_type != "*":
                    _check_code(unit_type)
                if unit_type in seen:
                    raise fail(f"minimum_per_unit[{i}].unit_types", f"{unit_type!r} repeated")
                seen.add(unit_type)
        keys = [f.key for f in self.required_fields]
        if len(set(keys)) != len(keys):
            raise fail("required_fields", "keys must be unique")
        return self

    def minimum_for(self, unit_type: str) -> int:
        """Return how many works a unit of this type must register."""
        fallback = 0
        for rule in self.minimum_per_unit:
            if unit_type in rule.unit_types:
                return rule.number
            if "*" in rule.unit_types:
                fallback = rule.number
        return fallback


class ConferenceLevel(Model):
    """One level of conference: form, length, due date, size and composition of delegates."""

    level: Code
    label: Text
    forms: list[Text] = Field(min_length=1)
    forms_passage: Passage
    duration: Passage
    due: DatedPassage
    plenary_below_staff: Count | None = None
    max_delegates: Count | None = None
    grassroots_percent: Count
    guests_percent: Count
    composition: Passage

    @model_validator(mode="after")
    def _shares(self) -> ConferenceLevel:
        total = self.grassroots_percent.number + self.guests_percent.number
        if total != 100:
            raise fail("guests_percent.value", f"shares add up to {total}, not 100")
        return self


class Pilot(Model):
    """The pilot unit that holds its conference first."""

    unit: UnitCode
    due: DatedPassage


class Deliverable(Passage):
    """A task of one office with its due date."""

    actor: Text
    due: dt.date


class ConferenceProgramme(Model):
    """Conferences of advanced examples at commune and district level."""

    levels: list[ConferenceLevel] = Field(min_length=1)
    pilot: Pilot | None = None
    documents_days_before: Count
    documents: list[Text] = Field(min_length=1)
    documents_send_to: Text
    agenda: list[Passage] = Field(min_length=1)
    deliverables: list[Deliverable] = Field(default_factory=list)


class ExamplesProgramme(Model):
    """Finding and spreading advanced examples (điển hình tiên tiến), step by step."""

    steps: list[Text] = Field(min_length=2)
    passage: Passage
    send_to: Text | None = None
    good_deeds: list[Passage] = Field(default_factory=list)


class Programmes(Model):
    """Structured programmes the bot acts on; each is optional."""

    referral: ReferralProgramme | None = None
    works: WorksProgramme | None = None
    conference: ConferenceProgramme | None = None
    examples: ExamplesProgramme | None = None


_PLAN_SECTION_ID_RE = re.compile(r"^([IVXL]+|[0-9]+)(\.[0-9]+)*(\.[a-zđ])?(-[0-9]+)?$")


def _check_plan_section_id(value: str) -> str:
    if not _PLAN_SECTION_ID_RE.match(value):
        raise ValueError(
            f"{value!r} must be a dotted section number as printed, e.g. 'III.1.b' or 'II.7.2.a'"
        )
    return value


def _clean_optional(value: str) -> str:
    return _SPACES_RE.sub(" ", nfc(value)).strip()


PlanSectionId = Annotated[str, AfterValidator(_check_plan_section_id)]


class PlanSection(Model):
    """A numbered section of the plan as printed, with the passages directly under it.

    `heading` is empty when the numbered item is itself running text (its text is then
    the first passage); for "2. Phòng Nội vụ: Tham mưu …" the heading is "Phòng Nội vụ"
    and "Tham mưu …" the first passage.
    """

    id: PlanSectionId
    label: Text
    heading: Annotated[str, AfterValidator(_clean_optional)] = ""
    passages: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_blank(self) -> PlanSection:
        if not self.heading and not self.passages:
            raise fail("passages", "a section needs a heading or at least one passage")
        return self


class PlanDate(Model):
    """A date found in the plan; reminders may use it only once an admin confirmed it."""

    section: Text
    text: Text
    date: dt.date
    kind: Literal["deadline", "period", "event"]
    precision: Literal["day", "month", "quarter"] = "day"
    confirmed: bool = False


class Plan(Model):
    """The plan's own text, generated by `thidua content import`: sections in document order."""

    file: str | None = None
    title: Text | None = None
    issuer: Text | None = None
    number: Text | None = None
    date_text: Text | None = None
    signed_by: Text | None = None
    preamble: list[Text] = Field(default_factory=list)
    sections: list[PlanSection] = Field(min_length=1)
    dates: list[PlanDate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        seen: set[str] = set()
        for i, section in enumerate(self.sections):
            if section.id in seen:
                raise fail(f"sections[{i}].id", f"{section.id!r} repeated")
            seen.add(section.id)
        for i, found in enumerate(self.dates):
            if found.section not in seen:
                raise fail(f"dates[{i}].section", f"no section {found.section!r} in the plan")
        return self

    def section(self, section_id: str) -> PlanSection | None:
        """Return the section with this id, if any."""
        return next((s for s in self.sections if s.id == section_id), None)


class Campaign(Model):
    """One campaign plan transcribed from its source document."""

    id: Code
    title: Text
    short_name: Text
    aliases: list[Text] = Field(min_length=1)
    issuer: Text
    document: Document
    unit: UnitCode
    province: Text
    period: Period
    audience: list[Passage] = Field(min_length=1)
    aims: list[Passage] = Field(min_length=1)
    requirements: list[Passage] = Field(default_factory=list)
    themes: list[Passage] = Field(default_factory=list)
    content: list[Passage] = Field(min_length=1)
    criteria: list[CriteriaGroup] = Field(default_factory=list)
    rewards: list[Reward] = Field(default_factory=list)
    reward_rules: list[Passage] = Field(default_factory=list)
    organisation: list[Responsibility] = Field(min_length=1)
    deadlines: list[Deadline] = Field(default_factory=list)
    contact: Contact
    notes: list[Note] = Field(default_factory=list)
    programmes: Programmes = Field(default_factory=Programmes)
    # The plan's verbatim text, generated by `thidua content import` (see docs/content.md).
    plan: Plan | None = None
    # Free room for YAML anchors (&name) reused below with aliases (*name); never read.
    anchors: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_rewards(self) -> Campaign:
        if not (self.rewards or self.reward_rules):
            raise fail("rewards", "a campaign needs at least one reward form or reward rule")
        return self
