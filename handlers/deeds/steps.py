"""Questions of the good-deed forms, shared by the report form and the reviewers' edits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import Invalid, Stay, Step
from bot.core.render import megabytes
from bot.core.types import AttachmentKind, Choice
from content.browse import is_running
from content.schema import Campaign
from content.text import fold, nfc
from handlers.common.steps import NAME_MAX, clean_name, yes_no_step
from handlers.deeds.views import day_text, unit_text
from handlers.deeds.workflow import MAX_PHOTOS, DateProblem, Minor, parse_deed_date, parse_phone

When = Callable[[dict[str, Any]], bool] | None
MIN_WHAT = 15


class Steps(StrEnum):
    """What the person is doing in a good-deed form."""

    DECIDING_CONSENT = "deciding_deeds_consent"
    CHOOSING_CAMPAIGN = "choosing_campaign"
    CHOOSING_WHO = "choosing_who"
    TYPING_NOMINEE_NAME = "typing_nominee_name"
    CHOOSING_NOMINEE_AGE = "choosing_nominee_age"
    CHOOSING_UNIT = "choosing_unit"
    TYPING_VILLAGE = "typing_village"
    TYPING_WHAT = "typing_what"
    TYPING_DATE = "typing_date"
    TYPING_PLACE = "typing_place"
    SENDING_PHOTOS = "sending_photos"
    DECIDING_CONTACT = "deciding_contact"
    TYPING_PHONE = "typing_phone"
    TYPING_ANSWER = "typing_answer"
    TYPING_QUESTION = "typing_question"
    CHOOSING_REASON = "choosing_reason"
    TYPING_REASON_TEXT = "typing_reason_text"
    CHOOSING_REWARD = "choosing_reward"
    TYPING_NOMINATION_NOTE = "typing_nomination_note"
    TYPING_AWARD_DECISION = "typing_award_decision"
    TYPING_NOTE = "typing_note"
    CHOOSING_CONSENT_SOURCE = "choosing_consent_source"
    TYPING_CONSENT_HOW = "typing_consent_how"


def free_text(min_length: int, key: str) -> Callable[[Context, str], str]:
    """Return a parser for free text of at least min_length characters."""

    def parse(ctx: Context, text: str) -> str:
        if ctx.msg.attachments:
            raise Invalid("deeds.photo_not_now")
        cleaned = nfc(text).strip()
        if len(cleaned) < min_length:
            raise Invalid(key, min=min_length)
        return cleaned

    return parse


def running_campaigns(ctx: Context) -> list[Campaign]:
    """Return the campaigns running today, in name order."""
    today = ctx.clock.today()
    return sorted((c for c in ctx.services.campaigns.values() if is_running(c, today)),
                  key=lambda c: c.short_name)


def _campaign_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(c.short_name, "f:" + c.id) for c in running_campaigns(ctx)]


def _pick_campaign(ctx: Context, value: str) -> str:
    if value not in {c.id for c in running_campaigns(ctx)}:
        raise Invalid("deeds.campaign_invalid")
    return value


def _parse_campaign(ctx: Context, text: str) -> str:
    typed = fold(text)
    hits = [c for c in running_campaigns(ctx)
            if any(fold(alias) in typed or typed in fold(alias)
                   for alias in (c.short_name, *c.aliases))]
    if len(hits) == 1:
        return hits[0].id
    raise Invalid("deeds.campaign_invalid")


def _who_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t("deeds.who_self"), "f:self"), Choice(ctx.t("deeds.who_other"), "f:other")]


def _pick_who(_ctx: Context, value: str) -> str:
    if value not in ("self", "other"):
        raise Invalid("deeds.who_invalid")
    return value


def _parse_who(_ctx: Context, text: str) -> str:
    words = " ".join(fold(text).split())
    if words in ("toi", "chinh toi", "ban than toi", "minh", "chinh minh"):
        return "self"
    if words in ("nguoi khac", "khac", "nguoi khac lam"):
        return "other"
    raise Invalid("deeds.who_invalid")


def parse_nominee_name(ctx: Context, text: str) -> str:
    """Read the nominee's full name (letters and spaces, 2 to 100 characters)."""
    if ctx.msg.attachments:
        raise Invalid("deeds.photo_not_now")
    name = clean_name(text)
    if name is None:
        raise Invalid("deeds.bad_name")
    return name


def _age_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t(f"deeds.minor_choice.{m.value}"), f"f:{m.value}") for m in Minor]


def _pick_age(_ctx: Context, value: str) -> str:
    if value not in {m.value for m in Minor}:
        raise Invalid("deeds.age_invalid")
    return value


def _parse_age(_ctx: Context, text: str) -> str:
    cleaned = fold(text).removesuffix("tuoi").strip()
    if cleaned.isdigit() and 1 <= int(cleaned) <= 120:
        return Minor.YES if int(cleaned) < 16 else Minor.NO
    if cleaned in ("khong ro", "khong biet", "chua ro"):
        return Minor.UNKNOWN
    raise Invalid("deeds.age_invalid")


def _unit_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    mine = data.get("_my_unit")
    if not mine or mine not in ctx.services.units:
        return []
    return [Choice(ctx.t("deeds.unit_mine", unit=unit_text(ctx, mine)), "f:" + mine)]


def parse_unit(ctx: Context, text: str) -> str:
    """Search a unit by name; always answer with the matches to pick from."""
    if ctx.msg.attachments:
        raise Invalid("deeds.photo_not_now")
    hits = ctx.services.units.search(text, on=ctx.clock.today(), limit=5)
    if not hits:
        raise Invalid("deeds.unit_not_found", query=text[:60])
    choices = [Choice(ctx.services.units.path_text(unit.code), "f:" + unit.code)
               for unit, _score in hits]
    raise Invalid("deeds.unit_pick", choices=choices)


def pick_unit(ctx: Context, code: str) -> str:
    """Accept a unit code from the list offered."""
    if code not in ctx.services.units:
        raise Invalid("deeds.unit_not_found", query=code[:60])
    return code


def parse_date(ctx: Context, text: str) -> str:
    """Read the day of the deed (see workflow.parse_deed_date); stored as an ISO string."""
    if ctx.msg.attachments:
        raise Invalid("deeds.photo_not_now")
    today = ctx.clock.today()
    try:
        return parse_deed_date(text, today).isoformat()
    except DateProblem as problem:
        if problem.kind == "future" and problem.day is not None:
            raise Invalid("deeds.date_future", day=day_text(problem.day),
                          today=day_text(today)) from None
        if problem.kind == "too_old" and problem.day is not None:
            raise Invalid("deeds.date_too_old", day=day_text(problem.day)) from None
        raise Invalid("deeds.date_invalid", text=text[:40]) from None


def _photo_prompt(ctx: Context, data: dict[str, Any]) -> str:
    count = len(data.get("photos") or [])
    if count:
        return ctx.t("deeds.ask_photos_more", count=count, max=MAX_PHOTOS)
    return ctx.t("deeds.ask_photos", max=MAX_PHOTOS,
                 limit=megabytes(ctx.services.settings.max_photo_bytes))


def _photo_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    count = len(data.get("photos") or [])
    if count:
        return [Choice(ctx.t("deeds.photos_done", count=count), "f:done")]
    return [Choice(ctx.t("deeds.photos_none"), "f:none")]


def _pick_photos(ctx: Context, value: str) -> list[dict[str, Any]]:
    photos = list(ctx.state.data.get("photos") or [])
    if value == "none" and not photos:
        return []
    if value == "done" and photos:
        return photos
    raise Invalid("deeds.photos_need_photo", count=len(photos), max=MAX_PHOTOS)


def _parse_photos(ctx: Context, _text: str) -> list[dict[str, Any]]:
    data = ctx.state.data
    photos: list[dict[str, Any]] = list(data.get("photos") or [])
    if not ctx.msg.attachments:
        raise Invalid("deeds.photos_need_photo", count=len(photos), max=MAX_PHOTOS)
    incoming = [a for a in ctx.msg.attachments if a.kind is AttachmentKind.PHOTO]
    if not incoming:
        raise Invalid("deeds.photos_not_photo")
    limit = ctx.services.settings.max_photo_bytes
    too_big: list[int] = []
    refused = 0
    for photo in incoming:
        if photo.size is not None and photo.size > limit:
            too_big.append(photo.size)
        elif len(photos) >= MAX_PHOTOS:
            refused += 1
        else:
            photos.append({"channel": ctx.msg.channel, "ref": photo.url, "size": photo.size,
                           "caption": nfc(photo.caption)[:1000] if photo.caption else None})
    data["photos"] = photos
    if too_big:
        raise Invalid("deeds.photo_too_big", size=megabytes(max(too_big)), limit=megabytes(limit),
                      count=len(photos), max=MAX_PHOTOS)
    if refused:
        raise Invalid("deeds.photo_too_many", max=MAX_PHOTOS)
    raise Stay("deeds.photo_added", count=len(photos), max=MAX_PHOTOS)


def _parse_phone(ctx: Context, text: str) -> str:
    if ctx.msg.attachments:
        raise Invalid("deeds.photo_not_now")
    try:
        return parse_phone(text)
    except ValueError:
        raise Invalid("deeds.phone_invalid") from None


def consent_step() -> Step:
    """Ask once for consent to the deeds purpose."""
    return yes_no_step(Steps.DECIDING_CONSENT, "consent_deeds", "deeds.consent_ask",
                       yes="deeds.yes", no="deeds.no", invalid="deeds.yes_no_invalid",
                       when=lambda d: bool(d.get("_ask_consent")))


def campaign_step(when: When) -> Step:
    """Ask which running campaign the report belongs to."""
    return Step(Steps.CHOOSING_CAMPAIGN, "campaign_id", "deeds.ask_campaign",
                parse=_parse_campaign, pick=_pick_campaign, options=_campaign_options,
                invalid="deeds.campaign_invalid", label="deeds.field.campaign", when=when)


def who_step(when: When) -> Step:
    """Ask whether the reporter did the deed themselves."""
    return Step(Steps.CHOOSING_WHO, "who", "deeds.ask_who", parse=_parse_who, pick=_pick_who,
                options=_who_options, invalid="deeds.who_invalid", when=when)


def nominee_name_step(when: When = None) -> Step:
    """Ask the full name of the person who did the deed."""
    return Step(Steps.TYPING_NOMINEE_NAME, "nominee_name", "deeds.ask_nominee_name",
                parse=parse_nominee_name, invalid="deeds.bad_name", max_length=NAME_MAX,
                label="deeds.field.nominee_name", when=when)


def nominee_age_step(when: When) -> Step:
    """Ask whether the nominee is under 16 (their consent then comes from a guardian)."""
    return Step(Steps.CHOOSING_NOMINEE_AGE, "nominee_minor", "deeds.ask_nominee_age",
                parse=_parse_age, pick=_pick_age, options=_age_options,
                invalid="deeds.age_invalid", label="deeds.field.age", when=when)


def unit_step(when: When = None) -> Step:
    """Ask the unit (commune, ward, agency) of the person who did the deed."""
    return Step(Steps.CHOOSING_UNIT, "unit_code", "deeds.ask_unit", parse=parse_unit,
                pick=pick_unit, options=_unit_options, max_length=200,
                label="deeds.field.unit", when=when)


def village_step(when: When = None) -> Step:
    """Ask the village, residential group or workplace (optional)."""
    return Step(Steps.TYPING_VILLAGE, "village", "deeds.ask_village",
                parse=free_text(2, "deeds.too_short"), skip=True, max_length=200,
                label="deeds.field.village", when=when)


def what_step(when: When = None) -> Step:
    """Ask what happened."""
    return Step(Steps.TYPING_WHAT, "what", "deeds.ask_what",
                parse=free_text(MIN_WHAT, "deeds.what_too_short"), label="deeds.field.what",
                when=when)


def date_step(when: When = None) -> Step:
    """Ask the day of the deed."""
    return Step(Steps.TYPING_DATE, "happened_on", "deeds.ask_date", parse=parse_date,
                invalid="deeds.date_invalid", max_length=40, label="deeds.field.when",
                when=when)


def place_step(when: When = None) -> Step:
    """Ask where it happened."""
    return Step(Steps.TYPING_PLACE, "place", "deeds.ask_place",
                parse=free_text(2, "deeds.too_short"), max_length=300,
                label="deeds.field.place", when=when)


def photos_step(when: When) -> Step:
    """Collect up to three photos, one message at a time."""
    return Step(Steps.SENDING_PHOTOS, "photos", _photo_prompt, parse=_parse_photos,
                pick=_pick_photos, options=_photo_options, attachments=True, when=when)


def contact_step(when: When) -> Step:
    """Ask whether reviewers may contact the reporter directly."""
    step = yes_no_step(Steps.DECIDING_CONTACT, "contact", "deeds.ask_contact",
                       yes="deeds.yes", no="deeds.no", invalid="deeds.yes_no_invalid", when=when)
    return replace(step, label="deeds.field.contact")


def phone_step(when: When) -> Step:
    """Ask a phone number for that contact (optional)."""
    return Step(Steps.TYPING_PHONE, "phone", "deeds.ask_phone", parse=_parse_phone,
                invalid="deeds.phone_invalid", skip=True, max_length=30,
                label="deeds.field.phone", when=when)


# The report fields a reviewer may correct, and the question asking each.
EDIT_STEPS: dict[str, Callable[[], Step]] = {
    "nominee_name": nominee_name_step, "unit_code": unit_step, "village": village_step,
    "what": what_step, "happened_on": date_step, "place": place_step}
