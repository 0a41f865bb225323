"""Plain-text views of good-deed reports for reporters, reviewers and everyone."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.context import Context
from content.browse import format_date
from handlers.deeds.workflow import Action, NomineeConsent, Status, consent_given
from storage.deeds.notifications import Notification
from storage.deeds.repo import Deed, DeedEvent
from storage.deeds.states import REPORTER_EVENTS
from storage.personal_data import ANONYMOUS

SNIPPET = 60
HISTORY_LINES = 12
FIELD_LABELS = {"nominee_name": "deeds.field.nominee_name", "unit_code": "deeds.field.unit",
                "village": "deeds.field.village", "what": "deeds.field.what",
                "happened_on": "deeds.field.when", "place": "deeds.field.place"}


def shown(ctx: Context, text: str) -> str:
    """Return a report's text, or a note saying it was erased with the reporter's identity."""
    return ctx.t("deeds.erased") if text == ANONYMOUS else text


def is_erased(deed: Deed) -> bool:
    """Tell whether a self-report lost its content with its reporter's identity."""
    return deed.nominee_name == ANONYMOUS


def snippet(text: str, limit: int = SNIPPET) -> str:
    """Return the start of a text, cut at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def day_text(day: date | str) -> str:
    """Render a date (or an ISO date string) as 20/4/2024."""
    return format_date(date.fromisoformat(day) if isinstance(day, str) else day)


def moment_text(ctx: Context, moment: datetime) -> str:
    """Render a time as 09:05 10/4/2024 in the bot's time zone."""
    local = moment.astimezone(ctx.clock.tz)
    return f"{local:%H:%M} {format_date(local.date())}"


def status_text(ctx: Context, status: str) -> str:
    """Return the plain-words name of a status."""
    return ctx.t(f"deeds.status.{Status(status).value}")


def unit_text(ctx: Context, code: str | None) -> str:
    """Return a unit's display path (or the code when the unit list no longer has it)."""
    if not code:
        return ctx.t("deeds.none")
    return ctx.services.units.path_text(code) if code in ctx.services.units else code


def campaign_text(ctx: Context, campaign_id: str) -> str:
    """Return a campaign's short name (a report of no campaign is a general report)."""
    if not campaign_id:
        return ctx.t("deeds.general")
    campaign = ctx.services.campaigns.get(campaign_id)
    return campaign.short_name if campaign else ctx.t("deeds.campaign_gone")


def rewards_of(ctx: Context, campaign_id: str) -> list[tuple[str, str]]:
    """Return the rewards a campaign's plan provides, as (text, plan section) pairs."""
    campaign = ctx.services.campaigns.get(campaign_id)
    if campaign is None:
        return []
    return [(ctx.t("deeds.reward_text", form=r.form, granted_by=r.granted_by), r.source)
            for r in campaign.rewards]


def reason_text(ctx: Context, code: str | None) -> str:
    """Return the label of a rejection reason."""
    return ctx.t(f"deeds.reason.{code}") if code else ""


def minor_text(ctx: Context, minor: str) -> str:
    """Return the nominee's age group in words."""
    return ctx.t(f"deeds.minor.{minor}")


def consent_text(ctx: Context, consent: str) -> str:
    """Return the nominee-consent state in words."""
    return ctx.t(f"deeds.consent_state.{NomineeConsent(consent).value}")


def place_line(ctx: Context, deed: Deed) -> str:
    """Return the unit and village of a report."""
    unit = unit_text(ctx, deed.unit_code)
    return f"{deed.village}, {unit}" if deed.village else unit


async def names_of(ctx: Context, ids: set[int | None]) -> dict[int, str]:
    """Return the display names of people (reviewers, reporters) by id."""
    out: dict[int, str] = {}
    for person_id in ids:
        if person_id is None:
            continue
        person = await ctx.people.get(person_id)
        out[person_id] = person.full_name or ctx.t(f"role.{person.role}")
    return out


def field_text(ctx: Context, name: str, value: object) -> str:
    """Render a report field's value for people (dates as 20/4/2024, units as paths)."""
    if value is None or value == "":
        return ctx.t("deeds.none")
    if value == ANONYMOUS:
        return ctx.t("deeds.erased")
    if name == "happened_on":
        return day_text(str(value))
    if name == "unit_code":
        return unit_text(ctx, str(value))
    return str(value)


def event_line(ctx: Context, event: DeedEvent, names: dict[int, str], *,
               for_reporter: bool) -> str | None:
    """Render one history row (None when the reporter must not see it)."""
    action = Action(event.action)
    if for_reporter and action not in REPORTER_EVENTS:
        return None
    if for_reporter:
        actor = ctx.t("deeds.you") if action in (Action.SUBMIT, Action.ANSWER) \
            else ctx.t("deeds.a_reviewer")
    else:
        actor = names.get(event.actor_id or 0, ctx.t("deeds.someone"))
    params = {"when": moment_text(ctx, event.at), "actor": actor,
              "text": shown(ctx, event.text or ""),
              "reason": (reason_text(ctx, event.reason) if action is Action.REJECT
                         else event.reason or "")}
    if action is Action.EDIT and event.before is not None and event.after is not None:
        name = next(iter(event.after), "")
        params.update(field=ctx.t(FIELD_LABELS.get(name, "deeds.field.what")),
                      before=snippet(field_text(ctx, name, event.before.get(name)), 80),
                      after=snippet(field_text(ctx, name, event.after.get(name)), 80))
    if action is Action.CONSENT and event.after is not None:
        params["consent"] = consent_text(ctx, str(event.after.get("nominee_consent")))
    key = f"deeds.event.{action.value}"
    if action is Action.AWARD and not event.text:
        key = "deeds.event.award_plain"
    return ctx.t(key, **params)


def _history(ctx: Context, events: list[DeedEvent], names: dict[int, str], *,
             for_reporter: bool) -> str:
    lines = [line for e in events
             if (line := event_line(ctx, e, names, for_reporter=for_reporter)) is not None]
    if len(lines) > HISTORY_LINES:
        lines = [ctx.t("deeds.history_more", count=len(lines) - HISTORY_LINES),
                 *lines[-HISTORY_LINES:]]
    return "\n".join(lines)


def _edited_fields(deed: Deed) -> list[str]:
    current = {"nominee_name": deed.nominee_name, "unit_code": deed.unit_code,
               "village": deed.village, "what": deed.what,
               "happened_on": deed.happened_on.isoformat(), "place": deed.place}
    return [k for k, v in current.items() if k in deed.original and deed.original[k] != v]


def _decision_line(ctx: Context, deed: Deed) -> str:
    if deed.status in (Status.NOMINATED, Status.AWARDED) and deed.reward_form:
        return "\n" + ctx.t("deeds.reward_line", reward=deed.reward_form)
    return ""


async def reporter_view(ctx: Context, deed: Deed, events: list[DeedEvent]) -> str:
    """Return a report as its reporter sees it: their text, the status, the decisions."""
    who = ctx.t("deeds.self_label") if deed.is_self else deed.nominee_name
    text = ctx.t("deeds.mine.detail", id=deed.id, status=status_text(ctx, deed.status),
                 campaign=campaign_text(ctx, deed.campaign_id), who=who,
                 unit=place_line(ctx, deed), what=deed.what,
                 when=day_text(deed.happened_on),
                 place=deed.place or ctx.t("deeds.place_in_what"),
                 photos=len(deed.photos),
                 contact=ctx.t("deeds.contact_yes" if deed.contact_ok else "deeds.contact_no"))
    text += _decision_line(ctx, deed)
    if _edited_fields(deed):
        text += "\n" + ctx.t("deeds.mine.edited")
    history = _history(ctx, events, {}, for_reporter=True)
    return f"{text}\n\n{ctx.t('deeds.history')}\n{history}"


async def reviewer_view(ctx: Context, deed: Deed, events: list[DeedEvent]) -> str:
    """Return a report as a reviewer sees it: everything, internal notes included."""
    names = await names_of(ctx, {deed.reporter_id, deed.reviewer_id,
                                 *(e.actor_id for e in events)})
    if deed.is_self:
        nominee = ctx.t("deeds.review.nominee_self", name=shown(ctx, deed.nominee_name))
    else:
        nominee = ctx.t("deeds.review.nominee", name=deed.nominee_name,
                        minor=minor_text(ctx, deed.nominee_minor),
                        consent=consent_text(ctx, deed.nominee_consent))
    reporter_name = names.get(deed.reporter_id or 0, ctx.t("deeds.someone"))
    if deed.contact_ok:
        reporter = ctx.t("deeds.review.reporter_contact", name=reporter_name,
                         phone=deed.phone or ctx.t("deeds.no_phone"))
    else:
        reporter = ctx.t("deeds.review.reporter_no_contact", name=reporter_name)
    holder = (ctx.t("deeds.review.holder", name=names.get(deed.reviewer_id, ""))
              if deed.reviewer_id and deed.status == Status.IN_REVIEW else "")
    text = ctx.t("deeds.review.detail", id=deed.id, status=status_text(ctx, deed.status),
                 campaign=campaign_text(ctx, deed.campaign_id), nominee=nominee,
                 unit=place_line(ctx, deed), what=shown(ctx, deed.what),
                 when=day_text(deed.happened_on),
                 place=shown(ctx, deed.place) or ctx.t("deeds.place_in_what"),
                 photos=len(deed.photos), reporter=reporter,
                 submitted=moment_text(ctx, deed.submitted_at)) + holder
    text += _decision_line(ctx, deed)
    edited = _edited_fields(deed)
    if edited:
        originals = "\n".join(
            ctx.t("deeds.review.original_line", field=ctx.t(FIELD_LABELS[k]),
                  value=field_text(ctx, k, deed.original.get(k))) for k in edited)
        text += "\n\n" + ctx.t("deeds.review.original") + "\n" + originals
    history = _history(ctx, events, names, for_reporter=False)
    return f"{text}\n\n{ctx.t('deeds.history')}\n{history}"


def list_line(ctx: Context, deed: Deed, *, show_nominee: bool) -> str:
    """Return one line of a list of reports."""
    who = shown(ctx, deed.nominee_name) if show_nominee else (
        ctx.t("deeds.self_label") if deed.is_self else deed.nominee_name)
    return ctx.t("deeds.list_line", id=deed.id, when=day_text(deed.happened_on), who=who,
                 what=snippet(shown(ctx, deed.what), 50), status=status_text(ctx, deed.status))


def public_line(ctx: Context, deed: Deed) -> str:
    """Return a recognised deed as anyone may read it (only with the nominee's consent)."""
    if not consent_given(deed.nominee_consent) or is_erased(deed):
        raise ValueError("nominee has not agreed to be shown")
    status = status_text(ctx, deed.status)
    if deed.reward_form and deed.status in (Status.NOMINATED, Status.AWARDED):
        status = f"{status}: {deed.reward_form}"
    return ctx.t("deeds.public_line", who=deed.nominee_name, unit=place_line(ctx, deed),
                 what=snippet(deed.what, 160), when=day_text(deed.happened_on), status=status)


def notice_text(ctx: Context, notice: Notification) -> str:
    """Render a stored notification with the current catalog."""
    return ctx.t(notice.text_key, **notice.params)
