"""The /thongbao form: text (or photo and caption), audience, preview, send now or later."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import Invalid, Step
from bot.core.types import AttachmentKind, Choice, Reply
from bot.delivery.audiences import (
    EVERYONE,
    NONCOMPLIANT,
    PARTICIPANTS,
    ROLE,
    ROLES,
    UNIT,
)
from bot.delivery.render import TELEGRAM_FILE_PREFIX, broadcast_reply
from bot.delivery.service import AUDIENCE_CONSOLE, delivery_of
from bot.delivery.timing import at_time
from content.text import nfc
from handlers.broadcast.payloads import ViewBroadcast
from handlers.broadcast.rules import (
    CAPTION_LIMIT,
    MAX_DAYS_AHEAD,
    MIN_TEXT,
    PROGRAMMES,
    TEXT_LIMIT,
    audience_spec,
    parse_when,
)
from handlers.broadcast.views import describe
from handlers.common.steps import unit_suggestions
from storage.delivery.repo import BroadcastRepo

FORM = "broadcast"


class Steps(StrEnum):
    """What the admin is doing while writing a broadcast."""

    TYPING_TEXT = "typing_text"
    CHOOSING_AUDIENCE = "choosing_audience"
    CHOOSING_ROLE = "choosing_role"
    TYPING_UNIT = "typing_unit"
    CHOOSING_CAMPAIGN = "choosing_campaign"
    CHOOSING_PROGRAMME = "choosing_programme"
    REVIEWING_PREVIEW = "reviewing_preview"
    TYPING_TIME = "typing_time"


def _for_channel(ctx: Context, spec: dict[str, str]) -> dict[str, str]:
    """Mark a broadcast written in the console, which alone reaches console test users."""
    return {**spec, AUDIENCE_CONSOLE: "1"} if ctx.traits.local else spec


async def _counted(ctx: Context, spec: dict[str, str]) -> None:
    """Count the reachable recipients of `spec` into the form data, or refuse the choice."""
    counts = await delivery_of(ctx.services).count_audience(ctx.session,
                                                            _for_channel(ctx, spec))
    if counts is None:
        label = ctx.t(f"broadcast.audience.{spec['type']}")
        raise Invalid("broadcast.no_data", audience=label)
    if not sum(counts.values()):
        raise Invalid("broadcast.no_recipients")
    ctx.state.data["_counts"] = counts


def _parse_content(ctx: Context, text: str) -> dict[str, Any]:
    attachments = ctx.msg.attachments
    photos = [a for a in attachments if a.kind is AttachmentKind.PHOTO]
    if attachments and not photos:
        raise Invalid("broadcast.not_a_photo")
    text = nfc(text).strip()
    photo = None
    limit = TEXT_LIMIT
    if photos:
        if not text:
            raise Invalid("broadcast.photo_needs_caption")
        photo = photos[0].url
        if not photo:
            raise Invalid("broadcast.photo_unusable")
        limit = CAPTION_LIMIT
    if len(text) < MIN_TEXT:
        raise Invalid("broadcast.text_too_short", length=len(text), minimum=MIN_TEXT)
    if len(text) > limit:
        key = "broadcast.caption_too_long" if photos else "broadcast.text_too_long"
        raise Invalid(key, length=len(text), limit=limit)
    return {"text": text, "photo": photo}


def _text_prompt(ctx: Context, _data: dict[str, Any]) -> str:
    return ctx.t("broadcast.ask_text", limit=TEXT_LIMIT, caption_limit=CAPTION_LIMIT)


def _audience_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t(f"broadcast.audience.{kind}"), f"f:{kind}")
            for kind in (EVERYONE, ROLE, UNIT, PARTICIPANTS, NONCOMPLIANT)]


async def _pick_audience(ctx: Context, value: str) -> str:
    if value not in (EVERYONE, ROLE, UNIT, PARTICIPANTS, NONCOMPLIANT):
        raise Invalid("broadcast.pick_from_list")
    if delivery_of(ctx.services).registry.audience(value) is None:
        raise Invalid("broadcast.no_data", audience=ctx.t(f"broadcast.audience.{value}"))
    if value == EVERYONE:
        await _counted(ctx, {"type": EVERYONE})
    return value


def _role_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t(f"role.{role}"), f"f:{role}") for role in ROLES]


async def _pick_role(ctx: Context, value: str) -> str:
    if value not in ROLES:
        raise Invalid("broadcast.pick_from_list")
    await _counted(ctx, {"type": ROLE, "role": value})
    return value


def _parse_unit(ctx: Context, text: str) -> str:
    # The shared suggestions: a former commune ("Long Đống") leads to the one it became.
    choices = unit_suggestions(ctx, text)
    if not choices:
        raise Invalid("broadcast.unit_not_found", query=text[:60])
    raise Invalid("broadcast.unit_pick", choices=choices)


async def _pick_unit(ctx: Context, code: str) -> str:
    if ctx.services.units.get(code) is None:
        raise Invalid("broadcast.unit_not_found", query=code[:60])
    await _counted(ctx, {"type": UNIT, "unit": code})
    return code


def _campaign_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    campaigns = list(ctx.services.campaigns.values())
    if data.get("audience_type") == NONCOMPLIANT:
        campaigns = [c for c in campaigns if _programmes(ctx, c.id)]
    elif data.get("audience_type") == PARTICIPANTS:  # people take part through a programme
        campaigns = [c for c in campaigns if c.programmes.referral is not None] or campaigns
    return [Choice(c.short_name, f"f:{c.id}") for c in campaigns]


def _programmes(ctx: Context, campaign_id: str) -> list[str]:
    campaign = ctx.services.campaigns[campaign_id]
    return [p for p in PROGRAMMES if getattr(campaign.programmes, p) is not None]


async def _pick_campaign(ctx: Context, value: str) -> str:
    if value not in ctx.services.campaigns:
        raise Invalid("broadcast.pick_from_list")
    if ctx.state.data.get("audience_type") == PARTICIPANTS:
        await _counted(ctx, {"type": PARTICIPANTS, "campaign": value})
    elif not _programmes(ctx, value):
        raise Invalid("broadcast.no_programme")
    return value


def _programme_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t(f"broadcast.programme.{p}"), f"f:{p}")
            for p in _programmes(ctx, data["campaign"])]


async def _pick_programme(ctx: Context, value: str) -> str:
    campaign = ctx.state.data.get("campaign", "")
    if campaign not in ctx.services.campaigns or value not in _programmes(ctx, campaign):
        raise Invalid("broadcast.pick_from_list")
    await _counted(ctx, {"type": NONCOMPLIANT, "campaign": campaign, "programme": value})
    return value


def _channel_label(ctx: Context, channel: str) -> str:
    key = f"link.channel.{channel}"
    return ctx.t(key) if key in ctx.services.messages else channel


def _estimate_minutes(ctx: Context, counts: dict[str, int]) -> int:
    delivery = delivery_of(ctx.services)
    seconds = 0.0
    for channel, count in counts.items():
        rate = delivery.pace(channel).rate
        if rate:
            seconds = max(seconds, count / rate)
    return math.ceil(seconds / 60)


def _issuing_body(ctx: Context) -> str | None:
    """Return the body the author speaks for: "UBND xã Nhân Lý" for a local government
    (a commune or a unit above communes), an agency's own name otherwise."""
    tree = ctx.services.units
    unit = tree.get(ctx.person.unit_code or "")
    if unit is None:
        return None
    government = unit.commune_level or any(u.commune_level for u in tree.descendants(unit.code))
    if not government:
        return unit.full_name
    return ctx.t("broadcast.sender_body", unit=unit.full_name[:1].lower() + unit.full_name[1:])


def sender_of(ctx: Context) -> str | None:
    """Return the sender line recipients read: issuing body and author, what is known."""
    body, name = _issuing_body(ctx), ctx.person.full_name
    if body and name:
        return ctx.t("broadcast.sender_both", body=body, name=name)
    return body or name or None


def _preview(ctx: Context, data: dict[str, Any]) -> str:
    content = data["content"]
    counts: dict[str, int] = data.get("_counts", {})
    shown = broadcast_reply(ctx.services.messages, content["text"], None, ctx.msg.channel,
                            sender_of(ctx)).text
    if content.get("photo"):
        shown = f"{ctx.t('broadcast.preview_photo')}\n{shown}"
    channels = ", ".join(ctx.t("broadcast.channel_count", channel=_channel_label(ctx, c),
                               count=n) for c, n in sorted(counts.items()))
    notes = []
    photo = content.get("photo") or ""
    if photo.startswith(TELEGRAM_FILE_PREFIX) and set(counts) - {"telegram"}:
        notes.append(ctx.t("broadcast.note_photo"))
    minutes = _estimate_minutes(ctx, counts)
    if minutes >= 2:
        notes.append(ctx.t("broadcast.note_rate", minutes=minutes))
    delivery = delivery_of(ctx.services)
    now = ctx.clock.now()
    if delivery.quiet.contains(now, ctx.clock.tz) or delivery.quiet.contains(
            now + timedelta(minutes=minutes), ctx.clock.tz):
        settings = ctx.services.settings
        notes.append(ctx.t("broadcast.note_quiet",
                           start=settings.quiet_hours_start.strftime("%H:%M"),
                           end=settings.quiet_hours_end.strftime("%H:%M")))
    return ctx.t("broadcast.preview", message=shown,
                 audience=describe(ctx, audience_spec(data)), total=sum(counts.values()),
                 channels=channels, notes="".join(f"{n}\n" for n in notes))


def _decision_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t("broadcast.send_now"), "f:now"),
            Choice(ctx.t("broadcast.schedule"), "f:schedule"),
            Choice(ctx.t("broadcast.discard"), "f:discard")]


def _pick_decision(_ctx: Context, value: str) -> str:
    if value not in ("now", "schedule", "discard"):
        raise Invalid("broadcast.pick_from_list")
    return value


def _example(ctx: Context) -> str:
    tomorrow = ctx.clock.today() + timedelta(days=1)
    hour = ctx.services.settings.reminder_hour
    return at_time(tomorrow, hour, ctx.clock.tz).strftime("%d/%m/%Y %H:%M")


def _time_prompt(ctx: Context, _data: dict[str, Any]) -> str:
    return ctx.t("broadcast.ask_time", example=_example(ctx))


def _parse_time(ctx: Context, text: str) -> str:
    now = ctx.clock.now()
    try:
        moment = parse_when(text, now)
    except ValueError:
        raise Invalid("broadcast.bad_time", typed=text[:40], example=_example(ctx)) from None
    shown = moment.strftime("%H:%M %d/%m/%Y")
    if moment <= now:
        raise Invalid("broadcast.past_time", when=shown, example=_example(ctx))
    if moment > now + timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid("broadcast.too_far", days=MAX_DAYS_AHEAD, example=_example(ctx))
    if delivery_of(ctx.services).quiet.contains(moment, ctx.clock.tz):
        settings = ctx.services.settings
        raise Invalid("broadcast.quiet_time", when=shown, example=_example(ctx),
                      start=settings.quiet_hours_start.strftime("%H:%M"),
                      end=settings.quiet_hours_end.strftime("%H:%M"))
    return moment.isoformat()


def _is(kind: str) -> Any:
    return lambda data: data.get("audience_type") == kind


STEPS = (
    Step(Steps.TYPING_TEXT, "content", _text_prompt, parse=_parse_content, attachments=True,
         max_length=100_000),
    Step(Steps.CHOOSING_AUDIENCE, "audience_type", "broadcast.ask_audience",
         options=_audience_options, pick=_pick_audience, invalid="broadcast.pick_from_list"),
    Step(Steps.CHOOSING_ROLE, "role", "broadcast.ask_role", options=_role_options,
         pick=_pick_role, invalid="broadcast.pick_from_list", when=_is(ROLE)),
    Step(Steps.TYPING_UNIT, "unit", "broadcast.ask_unit", parse=_parse_unit, pick=_pick_unit,
         max_length=200, when=_is(UNIT)),
    Step(Steps.CHOOSING_CAMPAIGN, "campaign", "broadcast.ask_campaign",
         options=_campaign_options, pick=_pick_campaign, invalid="broadcast.pick_from_list",
         when=lambda data: data.get("audience_type") in (PARTICIPANTS, NONCOMPLIANT)),
    Step(Steps.CHOOSING_PROGRAMME, "programme", "broadcast.ask_programme",
         options=_programme_options, pick=_pick_programme, invalid="broadcast.pick_from_list",
         when=_is(NONCOMPLIANT)),
    Step(Steps.REVIEWING_PREVIEW, "decision", _preview, options=_decision_options,
         pick=_pick_decision, invalid="broadcast.pick_from_list"),
    Step(Steps.TYPING_TIME, "when", _time_prompt, parse=_parse_time, max_length=60,
         when=lambda data: data.get("decision") == "schedule"),
)


async def finish(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    """Save the broadcast (to send now or at the chosen time), or discard it."""
    if data.get("decision") == "discard":
        return [ctx.main_menu(ctx.t("broadcast.discarded"))]
    now = ctx.clock.now()
    scheduled = data.get("decision") == "schedule"
    when = datetime.fromisoformat(data["when"]) if scheduled else now
    content = data["content"]
    broadcast = await BroadcastRepo(ctx.session).create(
        ctx.person.id, content["text"], content.get("photo"),
        _for_channel(ctx, audience_spec(data)), when, now, sender_of(ctx))
    total = sum(data.get("_counts", {}).values())
    follow = [[Choice(ctx.t("broadcast.refresh"), ViewBroadcast(broadcast.id).pack())]]
    if scheduled:
        text = ctx.t("broadcast.scheduled", id=broadcast.id, total=total,
                     when=when.astimezone(ctx.clock.tz).strftime("%H:%M %d/%m/%Y"))
    else:
        text = ctx.t("broadcast.queued", id=broadcast.id, total=total)
    return [Reply(text, follow)]
