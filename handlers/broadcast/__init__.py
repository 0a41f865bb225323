"""/thongbao: admins write an announcement, pick its audience, preview, send or schedule it,
follow its progress and stop it."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.core.context import Context, Services
from bot.core.dispatcher import Router
from bot.core.forms import Form, Invalid, Step
from bot.core.types import AttachmentKind, Choice, Reply
from bot.delivery.audiences import (
    EVERYONE,
    NONCOMPLIANT,
    PARTICIPANTS,
    ROLE,
    ROLES,
    UNIT,
    ByRole,
    ByUnit,
    Everyone,
)
from bot.delivery.registry import DeliveryRegistry
from bot.delivery.render import TELEGRAM_FILE_PREFIX, broadcast_reply
from bot.delivery.service import AUDIENCE_CONSOLE, delivery_of
from bot.delivery.timing import at_time
from content.text import nfc
from handlers.common.feature import Feature
from storage.delivery.personal_data import BroadcastsWrittenSection
from storage.delivery.repo import ACTIVE_BROADCAST, WAITING, Broadcast, BroadcastRepo, OutboxRepo

FORM = "broadcast"
PREFIX = "bc"
# The framed message must fit one Zalo message (2000) and a Telegram caption (1024).
TEXT_LIMIT = 1800
CAPTION_LIMIT = 850
MIN_TEXT = 10
MAX_DAYS_AHEAD = 60
RECENT = 5
PROGRAMMES = ("works", "conference")
_TIME_RE = re.compile(r"^(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{2})?$")
_DATE_TIME_RE = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?\s+(?:lúc\s+)?(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{2})?$")
_TIME_FIRST_RE = re.compile(
    r"^(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{2})?\s+(?:ngày\s+)?(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?$")


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


def can_broadcast(ctx: Context) -> bool:
    """Tell whether this person may send broadcasts (one place to swap for permissions)."""
    return ctx.person.role == "admin"


# --------------------------------------------------------------------------- audience


def audience_spec(data: dict[str, Any]) -> dict[str, str]:
    """Return the stored audience spec built from the form's answers."""
    kind = data["audience_type"]
    if kind == ROLE:
        return {"type": ROLE, "role": data["role"]}
    if kind == UNIT:
        return {"type": UNIT, "unit": data["unit"]}
    if kind == PARTICIPANTS:
        return {"type": PARTICIPANTS, "campaign": data["campaign"]}
    if kind == NONCOMPLIANT:
        return {"type": NONCOMPLIANT, "campaign": data["campaign"],
                "programme": data["programme"]}
    return {"type": EVERYONE}


def describe(ctx: Context, spec: dict[str, str]) -> str:
    """Return who an audience spec names, in words."""
    kind = spec.get("type", "")
    campaign = ctx.services.campaigns.get(spec.get("campaign", ""))
    campaign_name = campaign.short_name if campaign else spec.get("campaign", "")
    if kind == EVERYONE:
        return ctx.t("broadcast.describe.everyone")
    if kind == ROLE:
        return ctx.t("broadcast.describe.role", role=ctx.t(f"role.{spec['role']}"))
    if kind == UNIT:
        unit = spec["unit"]
        name = ctx.services.units.path_text(unit) if ctx.services.units.get(unit) else unit
        return ctx.t("broadcast.describe.unit", unit=name)
    if kind == PARTICIPANTS:
        return ctx.t("broadcast.describe.participants", campaign=campaign_name)
    if kind == NONCOMPLIANT:
        programme = ctx.t(f"broadcast.programme.{spec['programme']}")
        return ctx.t("broadcast.describe.noncompliant", programme=programme,
                     campaign=campaign_name)
    return ctx.t("broadcast.describe.unknown")


def _for_channel(ctx: Context, spec: dict[str, str]) -> dict[str, str]:
    """Mark a broadcast written in the console, which alone reaches console test users."""
    return {**spec, AUDIENCE_CONSOLE: "1"} if ctx.msg.channel == "console" else spec


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


# --------------------------------------------------------------------------- steps


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
    hits = ctx.services.units.search(text, on=ctx.clock.today(), limit=5)
    if not hits:
        raise Invalid("broadcast.unit_not_found", query=text[:60])
    choices = [Choice(ctx.services.units.path_text(unit.code), "f:" + unit.code)
               for unit, _score in hits]
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


def _preview(ctx: Context, data: dict[str, Any]) -> str:
    content = data["content"]
    counts: dict[str, int] = data.get("_counts", {})
    shown = broadcast_reply(ctx.services.messages, content["text"], None, "console").text
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


def parse_when(text: str, now: datetime) -> datetime:
    """Read "20/04/2024 08:00", "20/4 8h30", "08:00 20/04" or "8:00" (next such time)."""
    cleaned = " ".join(nfc(text).strip().lower().split())
    tz = now.tzinfo
    assert tz is not None
    match = _TIME_RE.match(cleaned)
    if match:
        clock = time(int(match[1]), int(match[2] or 0))
        moment = at_time(now.date(), clock, tz)
        return moment if moment > now else at_time(now.date() + timedelta(days=1), clock, tz)
    match = _DATE_TIME_RE.match(cleaned)
    if match:
        day, month, year, hour, minute = match.groups()
    else:
        match = _TIME_FIRST_RE.match(cleaned)
        if not match:
            raise ValueError(text)
        hour, minute, day, month, year = match.groups()
    moment_day = date(int(year or now.year), int(month), int(day))
    return at_time(moment_day, time(int(hour), int(minute or 0)), tz)


def _parse_time(ctx: Context, text: str) -> str:
    now = ctx.clock.now()
    try:
        moment = parse_when(text, now)
    except ValueError:
        raise Invalid("broadcast.bad_time", typed=text[:40]) from None
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
    Step(Steps.TYPING_TIME, "when", "broadcast.ask_time", parse=_parse_time, max_length=60,
         when=lambda data: data.get("decision") == "schedule"),
)


async def _finish(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    if data.get("decision") == "discard" or not can_broadcast(ctx):
        return [ctx.main_menu(ctx.t("broadcast.discarded"))]
    now = ctx.clock.now()
    scheduled = data.get("decision") == "schedule"
    when = datetime.fromisoformat(data["when"]) if scheduled else now
    content = data["content"]
    broadcast = await BroadcastRepo(ctx.session).create(
        ctx.person.id, content["text"], content.get("photo"),
        _for_channel(ctx, audience_spec(data)), when, now)
    total = sum(data.get("_counts", {}).values())
    follow = [[Choice(ctx.t("broadcast.refresh"), f"bc:v:{broadcast.id}")]]
    if scheduled:
        text = ctx.t("broadcast.scheduled", id=broadcast.id, total=total,
                     when=when.astimezone(ctx.clock.tz).strftime("%H:%M %d/%m/%Y"))
    else:
        text = ctx.t("broadcast.queued", id=broadcast.id, total=total)
    return [Reply(text, follow)]


# --------------------------------------------------------------------------- follow-up


def _fmt(ctx: Context, moment: datetime | None) -> str:
    return moment.astimezone(ctx.clock.tz).strftime("%H:%M %d/%m/%Y") if moment else ""


def _snippet(text: str, size: int = 50) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1].rstrip() + "…"


async def home(ctx: Context, prefix: str | None = None) -> list[Reply]:
    """List recent broadcasts with their status, and offer to write a new one."""
    recent = await BroadcastRepo(ctx.session).recent(RECENT)
    if not recent:
        text = ctx.t("broadcast.home_empty")
        return [Reply(f"{prefix}\n\n{text}" if prefix else text,
                      [[Choice(ctx.t("broadcast.new"), "bc:new")]])]
    items = [ctx.t("broadcast.item", id=b.id, status=ctx.t(f"broadcast.status.{b.status}"),
                   when=_fmt(ctx, b.scheduled_at), snippet=_snippet(b.text)) for b in recent]
    text = ctx.t("broadcast.home", items="\n".join(items))
    if prefix:
        text = f"{prefix}\n\n{text}"
    rows = [[Choice(ctx.t("broadcast.new"), "bc:new")]]
    rows += [[Choice(f"#{b.id} {_snippet(b.text, 30)}", f"bc:v:{b.id}")] for b in recent]
    return [Reply(text, rows)]


async def _counts(ctx: Context, broadcast: Broadcast) -> dict[str, int]:
    if broadcast.status in ACTIVE_BROADCAST:
        live = await OutboxRepo(ctx.session).broadcast_counts(broadcast.id)
        counts = {"recipients": sum(live.values()), "sent": live.get("sent", 0),
                  "pending": sum(live.get(s, 0) for s in WAITING),
                  "failed": live.get("failed", 0), "blocked": live.get("blocked", 0),
                  "cancelled": live.get("cancelled", 0)}
    else:
        counts = {"recipients": broadcast.recipients, "sent": broadcast.sent, "pending": 0,
                  "failed": broadcast.failed, "blocked": broadcast.blocked,
                  "cancelled": broadcast.cancelled}
    # A rerouted row is closed and copied to the person's other channel (counted there).
    reach = await OutboxRepo(ctx.session).broadcast_reach(broadcast.id)
    counts["recipients"] -= reach["rerouted"]
    counts["cancelled"] -= reach["rerouted"]
    counts["failed"] -= reach["unreachable"]
    return {**counts, **reach}


async def detail(ctx: Context, broadcast_id: int, prefix: str | None = None) -> list[Reply]:
    """Show one broadcast: audience, status and counts, with stop / refresh choices."""
    broadcast = await BroadcastRepo(ctx.session).get(broadcast_id)
    if broadcast is None:
        return await home(ctx, ctx.t("broadcast.unknown"))
    author = ctx.t("broadcast.author_unknown")
    if broadcast.author_id is not None:
        person = await ctx.people.get(broadcast.author_id)
        author = person.full_name or author
    schedule = ""
    if broadcast.scheduled_at > broadcast.created_at + timedelta(minutes=1):
        schedule = ctx.t("broadcast.detail_schedule", when=_fmt(ctx, broadcast.scheduled_at))
    text = ctx.t("broadcast.detail", id=broadcast.id,
                 status=ctx.t(f"broadcast.status.{broadcast.status}"), author=author,
                 audience=describe(ctx, broadcast.audience),
                 created=_fmt(ctx, broadcast.created_at), schedule=schedule,
                 text=broadcast.text, **await _counts(ctx, broadcast))
    if prefix:
        text = f"{prefix}\n\n{text}"
    rows = []
    if broadcast.status in ACTIVE_BROADCAST:
        rows.append([Choice(ctx.t("broadcast.stop"), f"bc:x:{broadcast.id}")])
        rows.append([Choice(ctx.t("broadcast.refresh"), f"bc:v:{broadcast.id}")])
    rows.append([Choice(ctx.t("broadcast.back"), "bc:l")])
    return [Reply(text, rows)]


async def confirm_stop(ctx: Context, broadcast_id: int) -> list[Reply]:
    """Ask before stopping a broadcast (it cannot be resumed)."""
    broadcast = await BroadcastRepo(ctx.session).get(broadcast_id)
    if broadcast is None or broadcast.status not in ACTIVE_BROADCAST:
        return await detail(ctx, broadcast_id, ctx.t("broadcast.not_running", id=broadcast_id))
    pending = (await _counts(ctx, broadcast))["pending"]
    return [Reply(ctx.t("broadcast.stop_confirm", id=broadcast_id, pending=pending),
                  [[Choice(ctx.t("broadcast.stop_yes"), f"bc:xx:{broadcast_id}")],
                   [Choice(ctx.t("broadcast.stop_no"), f"bc:v:{broadcast_id}")]])]


async def stop(ctx: Context, broadcast_id: int) -> list[Reply]:
    """Stop a broadcast: nobody who has not received it yet will."""
    final = await delivery_of(ctx.services).cancel_broadcast(ctx.session, broadcast_id,
                                                             ctx.clock.now())
    if final is None:
        return await detail(ctx, broadcast_id, ctx.t("broadcast.not_running", id=broadcast_id))
    return await detail(ctx, broadcast_id, ctx.t("broadcast.stopped", id=broadcast_id,
                                                 cancelled=final["cancelled"],
                                                 sent=final["sent"]))


async def broadcast_command(ctx: Context) -> list[Reply]:
    """/thongbao: recent broadcasts, or straight to writing the first one."""
    if not can_broadcast(ctx):
        return [ctx.main_menu(ctx.t("error.not_allowed", command="/thongbao"))]
    if not await BroadcastRepo(ctx.session).recent(1):
        replies = await ctx.forms.start(ctx, FORM)
        return [Reply(ctx.t("broadcast.home_empty")), *replies]
    return await home(ctx)


async def broadcast_choice(ctx: Context, payload: str) -> list[Reply]:
    """Handle `bc:new`, `bc:l`, `bc:v:<id>` (view), `bc:x:<id>` / `bc:xx:<id>` (stop)."""
    if not can_broadcast(ctx):
        return [ctx.main_menu(ctx.t("error.not_allowed", command="/thongbao"))]
    parts = payload.split(":")
    if parts[1:] == ["new"]:
        return await ctx.forms.start(ctx, FORM)
    if parts[1:] == ["l"]:
        return await home(ctx)
    if len(parts) == 3 and parts[2].isdigit():
        if parts[1] == "v":
            return await detail(ctx, int(parts[2]))
        if parts[1] == "x":
            return await confirm_stop(ctx, int(parts[2]))
        if parts[1] == "xx":
            return await stop(ctx, int(parts[2]))
    return [ctx.main_menu(ctx.t("error.stale_choice"))]


def register(router: Router) -> None:
    """Register /thongbao and its form."""
    admins = frozenset({"admin"})
    router.forms.add(Form(FORM, "broadcast.title", STEPS, _finish, roles=admins))
    router.personal_data.add(BroadcastsWrittenSection())
    router.command("thongbao", menu_label="broadcast.menu", roles=admins,
                   order=810)(broadcast_command)
    router.choice(PREFIX, roles=admins)(broadcast_choice)


def register_delivery(registry: DeliveryRegistry, services: Services) -> None:
    """Add the built-in audiences: everyone, a role, a unit with its children."""
    registry.add_audience(Everyone())
    registry.add_audience(ByRole())
    registry.add_audience(ByUnit(services.units))


FEATURE = Feature("broadcast", register, register_delivery)
