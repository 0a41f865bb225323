"""Questions of the good-deed forms, shared by the report form and the reviewers' edits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.files import sniff_mime
from bot.core.forms import Invalid, Stay, Step
from bot.core.render import megabytes
from bot.core.types import Attachment, AttachmentKind, Choice
from content.browse import is_running
from content.schema import Campaign
from content.text import fold, nfc
from handlers.common.parsing.dates import DateError, Direction
from handlers.common.parsing.dates import parse_date as read_date
from handlers.common.steps import (
    NAME_MAX,
    clean_name,
    proper_name,
    unit_suggestions,
    yes_no_step,
)
from handlers.deeds.views import day_text, unit_text
from handlers.deeds.workflow import MAX_AGE, MAX_PHOTOS, Minor, parse_phone
from storage.files import FileRepo

When = Callable[[dict[str, Any]], bool] | None
MIN_WHAT = 15


class Steps(StrEnum):
    """What the person is doing in a good-deed form."""

    DECIDING_CONSENT = "deciding_deeds_consent"
    TYPING_MY_NAME = "typing_full_name"
    CHOOSING_MY_UNIT = "choosing_my_unit"
    CHOOSING_CAMPAIGN = "choosing_campaign"
    CHOOSING_WHO = "choosing_who"
    TYPING_NOMINEE_NAME = "typing_nominee_name"
    TYPING_WHO = "typing_who"
    CHOOSING_NOMINEE_AGE = "choosing_nominee_age"
    CHOOSING_UNIT = "choosing_unit"
    TYPING_VILLAGE = "typing_village"
    TYPING_WHAT = "typing_what"
    TYPING_DATE = "typing_date"
    TYPING_PLACE = "typing_place"
    SENDING_PHOTOS = "sending_photos"
    DECIDING_CONTACT = "deciding_contact"
    REVIEWING = "reviewing_report"
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


GENERAL = "general"  # the choice "no campaign": stored as an empty campaign id


def campaigns_for(ctx: Context, unit_code: str | None) -> list[Campaign]:
    """Return the running campaigns of a unit's own area: issued for it or a unit above it."""
    if not unit_code or unit_code not in ctx.services.units:
        return []
    area = {unit_code, *(u.code for u in ctx.services.units.ancestors(unit_code))}
    return [c for c in running_campaigns(ctx) if c.unit in area]


def settle_campaign(ctx: Context, data: dict[str, Any]) -> None:
    """Choose the campaign when the area leaves no choice (one, or none: a general report);
    with several, the reporter is asked (the campaign step)."""
    found = campaigns_for(ctx, data.get("my_unit"))
    data["_campaigns"] = [c.id for c in found]
    if len(found) <= 1:
        data["campaign_id"] = found[0].id if found else ""
    else:
        data.pop("campaign_id", None)


def _campaign_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    ids = data.get("_campaigns") or []
    return [*(Choice(ctx.services.campaigns[c].short_name, "f:" + c) for c in ids
              if c in ctx.services.campaigns),
            Choice(ctx.t("deeds.campaign_general"), "f:" + GENERAL)]


def _pick_campaign(ctx: Context, value: str) -> str:
    if value == GENERAL:
        return ""
    if value not in (ctx.state.data.get("_campaigns") or []):
        raise Invalid("deeds.campaign_invalid")
    return value


def _parse_campaign(ctx: Context, text: str) -> str:
    typed = fold(text)
    offered = [ctx.services.campaigns[c] for c in ctx.state.data.get("_campaigns") or []
               if c in ctx.services.campaigns]
    hits = [c for c in offered
            if any(fold(alias) in typed or typed in fold(alias)
                   for alias in (c.short_name, *c.aliases))]
    if len(hits) == 1:
        return hits[0].id
    raise Invalid("deeds.campaign_invalid")


# --- the reporter, when the report is their first contact ------------------------------

SELF = "@self"  # "Chính tôi" at the who question (a name never holds "@")
STRONG_UNIT = 90.0


def parse_my_name(ctx: Context, text: str) -> str:
    """Read the reporter's own full name, capitalised."""
    if ctx.msg.attachments:
        raise Invalid("deeds.photo_not_now")
    name = clean_name(text)
    if name is None:
        raise Invalid("deeds.bad_my_name")
    return proper_name(name)


def _take_my_unit(ctx: Context, code: str) -> str:
    ctx.state.data["my_unit"] = code
    settle_campaign(ctx, ctx.state.data)
    return code


def parse_my_unit(ctx: Context, text: str) -> str:
    """Find the reporter's commune: one clear match is taken (shown in the summary to
    correct), several are offered to pick from."""
    if ctx.msg.attachments:
        raise Invalid("deeds.photo_not_now")
    hits = ctx.services.units.search(text, on=ctx.clock.today(), limit=5)
    strong = [unit for unit, score in hits if score >= STRONG_UNIT]
    if len(hits) == 1 or len(strong) == 1:
        return _take_my_unit(ctx, (strong or [hits[0][0]])[0].code)
    choices = unit_suggestions(ctx, text)
    if not choices:
        raise Invalid("deeds.unit_not_found", query=text[:60])
    raise Invalid("deeds.unit_pick", choices=choices)


def pick_my_unit(ctx: Context, code: str) -> str:
    """Accept the reporter's commune from the list offered."""
    return _take_my_unit(ctx, pick_unit(ctx, code))


def _who_self_option(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t("deeds.who_self"), "f:self")]


def _pick_who_name(_ctx: Context, value: str) -> str:
    if value != "self":
        raise Invalid("deeds.who_invalid")
    return SELF


def _parse_who_name(ctx: Context, text: str) -> str:
    words = " ".join(fold(text).split())
    if words in ("toi", "chinh toi", "ban than toi", "minh", "chinh minh", "la toi"):
        return SELF
    return parse_nominee_name(ctx, text)


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
    return proper_name(name)


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
    mine = data.get("my_unit") or data.get("_my_unit")
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
    """Read the day of the deed with the shared date reader ("hôm qua", "tuần trước",
    "ngày 20 tháng 4", "20/4/2024"…): not in the future, not older than 5 years."""
    if ctx.msg.attachments:
        raise Invalid("deeds.photo_not_now")
    today = ctx.clock.today()
    try:
        day = read_date(text, today, Direction.ANY).day
    except DateError:
        raise Invalid("deeds.date_invalid", text=text[:40]) from None
    if day > today:
        raise Invalid("deeds.date_future", day=day_text(day), today=day_text(today))
    if today - day > MAX_AGE:
        raise Invalid("deeds.date_too_old", day=day_text(day))
    return day.isoformat()


# The purpose of a stored deed photo (storage/files.py).
DEED_PHOTO = "deed_photo"


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


async def parse_photos(ctx: Context, _text: str) -> list[dict[str, Any]]:
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
        elif photo.data is not None and len(photo.data) > limit:
            too_big.append(len(photo.data))
        else:
            photos.append({"channel": ctx.msg.channel, "ref": photo.url,
                           "size": len(photo.data) if photo.data is not None else photo.size,
                           "caption": nfc(photo.caption)[:1000] if photo.caption else None,
                           "file": await _keep(ctx, photo)})
    data["photos"] = photos
    if too_big:
        raise Invalid("deeds.photo_too_big", size=megabytes(max(too_big)), limit=megabytes(limit),
                      count=len(photos), max=MAX_PHOTOS)
    if refused:
        raise Invalid("deeds.photo_too_many", max=MAX_PHOTOS)
    raise Stay("deeds.photo_added", count=len(photos), max=MAX_PHOTOS)


async def _keep(ctx: Context, photo: Attachment) -> int | None:
    """Store the photo's bytes (the channel downloaded them) so evidence never expires."""
    if photo.data is None:
        return None
    stored = await FileRepo(ctx.session).add(
        ctx.person.id, DEED_PHOTO, ctx.msg.channel, photo.data, sniff_mime(photo.data),
        ctx.clock.now(), filename=photo.filename)
    return stored.id


def _parse_phone(ctx: Context, text: str) -> str:
    if ctx.msg.attachments:
        raise Invalid("deeds.photo_not_now")
    try:
        return parse_phone(text)
    except ValueError:
        raise Invalid("deeds.phone_invalid") from None


def _consent_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("deeds.consent_ask_new" if data.get("_new") else "deeds.consent_ask")


def consent_step() -> Step:
    """Ask once for the consents a report needs, together (profile too for a newcomer)."""
    return yes_no_step(Steps.DECIDING_CONSENT, "consent_deeds", _consent_prompt,
                       yes="deeds.agree", no="deeds.no", invalid="deeds.consent_invalid",
                       when=lambda d: bool(d.get("_ask_consent")))


def my_name_step(when: When) -> Step:
    """Ask the reporter's own full name (first contact only)."""
    return Step(Steps.TYPING_MY_NAME, "full_name", "deeds.ask_my_name", parse=parse_my_name,
                invalid="deeds.bad_my_name", max_length=NAME_MAX, label="deeds.field.my_name",
                when=when)


def my_unit_step(when: When) -> Step:
    """Ask the reporter's own commune (it chooses the campaigns offered)."""
    return Step(Steps.CHOOSING_MY_UNIT, "my_unit", "deeds.ask_my_unit", parse=parse_my_unit,
                pick=pick_my_unit, max_length=200, label="deeds.field.my_unit", when=when)


def who_name_step(when: When) -> Step:
    """Ask who did the deed in one answer: their name, or "Chính tôi"."""
    return Step(Steps.TYPING_WHO, "who_name", "deeds.ask_who_name", parse=_parse_who_name,
                pick=_pick_who_name, options=_who_self_option, invalid="deeds.bad_name",
                max_length=NAME_MAX, label="deeds.field.nominee_name", when=when)


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


def nominee_unit_step(when: When) -> Step:
    """The nominee's unit when it is not the reporter's (reached from the summary)."""
    return replace(unit_step(when), label="deeds.field.nominee_unit")


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


def campaign_edit_step(when: When) -> Step:
    """Change the campaign from the summary: the area's campaigns, or none."""
    return replace(campaign_step(when), prompt="deeds.ask_campaign_edit")


def photos_step(when: When) -> Step:
    """Collect up to three photos, one message at a time."""
    return Step(Steps.SENDING_PHOTOS, "photos", _photo_prompt, parse=parse_photos,
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
