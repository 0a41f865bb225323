"""Rule lookup: /chuongtrinh browsing, and any free text outside a form as a question."""

from __future__ import annotations

import zlib
from collections import OrderedDict
from datetime import date

from bot.core.context import COMMAND_PAYLOAD, Context
from bot.core.dispatcher import Router
from bot.core.payloads import parse_int
from bot.core.types import Choice, Reply
from content.browse import has_ended, hit_text, is_running, section_label, section_text, summary
from content.intents import default_intents
from content.query import looks_like_question
from content.schema import SECTION_KEYS, Campaign
from content.search import Hit, SearchIndex
from handlers.common.feature import Feature
from handlers.common.units import concerns

MAX_QUERY = 300
ALTERNATIVES = 2
SNIPPET = 48
PAGE = 8  # campaigns per page of the list
MAX_FEATURES = 2  # functions offered beside an answer


def _parts(payload: str) -> tuple[str, str, str]:
    """Split `prefix:a:b`, padding missing parts with '' (forged payloads change nothing)."""
    prefix, _, rest = payload.partition(":")
    first, _, second = rest.partition(":")
    return prefix, first, second


def _campaign_order(ctx: Context, today: date) -> list[Campaign]:
    def key(c: Campaign) -> tuple[int, str]:
        rank = 0 if is_running(c, today) else 2 if has_ended(c, today) else 1
        return rank, c.short_name

    return sorted(ctx.services.campaigns.values(), key=key)


def _campaign_label(ctx: Context, campaign: Campaign, today: date) -> str:
    if is_running(campaign, today):
        state = "rules.running"
    elif has_ended(campaign, today):
        state = "rules.ended"
    else:
        state = "rules.upcoming"
    mark = ctx.t("rules.current_mark") if campaign.id == ctx.person.current_campaign else ""
    return ctx.t(state, name=campaign.short_name) + mark


OWN, OTHER = "cl", "co"  # payload prefixes of the two lists (pages counted from 0)


def _lists(ctx: Context) -> tuple[list[Campaign], list[Campaign]]:
    """Return the campaigns of the person's area and the others, each running first; with
    no area known (no unit yet, an admin) or nothing to set apart, all and none."""
    ordered = _campaign_order(ctx, ctx.clock.today())
    own = [c for c in ordered if concerns(ctx, c.unit)]
    if not own or len(own) == len(ordered):
        return ordered, []
    return own, [c for c in ordered if c not in own]


def _pages(count: int) -> int:
    return max(1, -(-count // PAGE))


def _campaign_choices(ctx: Context, page: int = 0, prefix: str = OWN,
                      lists: tuple[list[Campaign], list[Campaign]] | None = None,
                      ) -> list[list[Choice]]:
    """One page of a list (the person's area, or `co`: the other areas; `lists`: _lists's,
    when the caller has them), running first, with the way to the next and previous pages
    (however many plans are imported, a list stays short enough to read on a phone), then
    the way to the other list, always last."""
    today = ctx.clock.today()
    own, other = lists or _lists(ctx)
    campaigns = own if prefix == OWN else other
    pages = _pages(len(campaigns))
    page = min(max(page, 0), pages - 1)
    shown = campaigns[page * PAGE:(page + 1) * PAGE]
    mark = ctx.t("rules.area_mark") if other and prefix == OWN else ""
    rows = [[Choice(_campaign_label(ctx, c, today) + mark, f"cp:{c.id}")] for c in shown]
    if page + 1 < pages:
        rows.append([Choice(ctx.t("rules.more_campaigns", page=page + 2, pages=pages),
                            f"{prefix}:{page + 1}")])
    if page > 0:
        rows.append([Choice(ctx.t("rules.prev_campaigns"), f"{prefix}:{page - 1}")])
    if other and prefix == OWN:
        rows.append([Choice(ctx.t("rules.elsewhere", count=len(other)), f"{OTHER}:0")])
    elif other:
        rows.append([Choice(ctx.t("rules.own_area"), f"{OWN}:0")])
    return rows


async def list_campaigns(ctx: Context) -> list[Reply]:
    """/chuongtrinh: the campaigns of the person's area (running first, marked), the others
    behind one "Xem phong trào nơi khác"; everything for people with no unit yet."""
    lists = _lists(ctx)
    key = "rules.list_title_area" if lists[1] else "rules.list_title"
    return [Reply(ctx.t(key), _campaign_choices(ctx, lists=lists))]


async def campaign_page(ctx: Context, payload: str) -> list[Reply]:
    """Another page of a list (`cl:<page>`: the person's area; `co:<page>`: the others)."""
    prefix, _, arg = payload.partition(":")
    lists = own, other = _lists(ctx)
    pages = _pages(len(own if prefix == OWN else other))
    page = parse_int(arg, 0, pages - 1) or 0
    if prefix == OTHER:
        if not other:
            return await list_campaigns(ctx)
        return [Reply(ctx.t("rules.list_elsewhere", page=page + 1, pages=pages),
                      _campaign_choices(ctx, page, OTHER, lists))]
    return [Reply(ctx.t("rules.list_page", page=page + 1, pages=pages),
                  _campaign_choices(ctx, page, lists=lists))]


def _campaign(ctx: Context, campaign_id: str) -> Campaign | None:
    return ctx.services.campaigns.get(campaign_id)


def _campaign_menu(ctx: Context, campaign: Campaign, text: str) -> Reply:
    rows = [[Choice(section_label(ctx.services.messages, key), f"cs:{campaign.id}:{key}")]
            for key in SECTION_KEYS]
    if ctx.person.current_campaign != campaign.id:
        rows.append([Choice(ctx.t("rules.set_current"), f"cc:{campaign.id}")])
    rows.append([Choice(ctx.t("rules.all_campaigns"), "c:chuongtrinh")])
    return Reply(text, rows)


async def campaign_choice(ctx: Context, payload: str) -> list[Reply]:
    """Show a campaign's summary and its section menu (`cp:<id>`)."""
    campaign = _campaign(ctx, payload.partition(":")[2])
    if campaign is None:
        return [Reply(ctx.t("rules.unknown_campaign"), _campaign_choices(ctx))]
    text = summary(ctx.services.messages, campaign) + "\n\n" + ctx.t("rules.sections")
    return [_campaign_menu(ctx, campaign, text)]


async def section_choice(ctx: Context, payload: str) -> list[Reply]:
    """Show one section of a campaign (`cs:<id>:<section>`)."""
    _, campaign_id, key = _parts(payload)
    campaign = _campaign(ctx, campaign_id)
    if campaign is None or key not in SECTION_KEYS:
        return [Reply(ctx.t("rules.unknown_campaign"), _campaign_choices(ctx))]
    return [_campaign_menu(ctx, campaign, section_text(ctx.services.messages, campaign, key))]


async def set_current(ctx: Context, payload: str) -> list[Reply]:
    """Make a campaign the default for later questions (`cc:<id>`)."""
    campaign = _campaign(ctx, payload.partition(":")[2])
    if campaign is None:
        return [Reply(ctx.t("rules.unknown_campaign"), _campaign_choices(ctx))]
    ctx.person = await ctx.people.update_profile(ctx.person.id, ctx.clock.now(),
                                                 current_campaign=campaign.id)
    return [_campaign_menu(ctx, campaign, ctx.t("rules.current_set", name=campaign.short_name))]


def _ref_payload(hit: Hit) -> str:
    return f"q:{hit.ref}:{zlib.crc32(hit.text.encode('utf-8')):08x}"


def _snippet(text: str) -> str:
    return text if len(text) <= SNIPPET else text[:SNIPPET].rsplit(" ", 1)[0] + "…"


class _Answers:
    """The passages found for the last questions asked, remembered by their exact text
    (with the campaign preferred and the number of passages asked for): after a broadcast
    many people ask the same thing. A search is a function of the index and those alone,
    so an answer is kept only for the index that gave it: new content (an import, a
    reload) is a new index, and the first question on it forgets every older answer.
    Held in memory only, never logged; LOOKUP_CACHE_SIZE questions at most (0: none)."""

    def __init__(self) -> None:
        self.index: SearchIndex | None = None
        self.hits: OrderedDict[tuple[str, str | None, int], tuple[Hit, ...]] = OrderedDict()

    def search(self, index: SearchIndex, query: str, prefer: str | None, limit: int,
               size: int) -> list[Hit]:
        if size <= 0:
            return index.search(query, prefer_campaign=prefer, limit=limit)
        if self.index is not index:
            self.index = index
            self.hits.clear()
        key = (query, prefer, limit)
        hits = self.hits.get(key)
        if hits is None:
            hits = self.hits[key] = tuple(index.search(query, prefer_campaign=prefer,
                                                       limit=limit))
            while len(self.hits) > size:
                self.hits.popitem(last=False)
        else:
            self.hits.move_to_end(key)
        return list(hits)


_ANSWERS = _Answers()


def _features(ctx: Context) -> tuple[list[Choice], bool]:
    """The Trợ lý's own functions the message asks for ("tắt thông báo", "xoá dữ liệu của
    tôi") that this person may use, each as the main menu names it, and whether the message
    asks the Trợ lý to do one (not only names a subject the plans share, content/intents.py)."""
    commands = ctx.services.router.commands
    choices = []
    request = False
    for intent in default_intents().commands_in(ctx.text[:MAX_QUERY]):
        spec = commands.get(intent.command)
        if spec is not None and spec.menu_label and ctx.may(spec.roles):
            choices.append(Choice(ctx.t(spec.menu_label), COMMAND_PAYLOAD + spec.name))
            request = request or intent.request
    return choices[:MAX_FEATURES], request


def _answer_reply(ctx: Context, hit: Hit, others: list[Hit],
                  features: list[Choice] | None = None) -> Reply:
    rows = [[Choice(ctx.t("rules.alt", source=o.source, snippet=_snippet(o.text)),
                    _ref_payload(o))]
            for o in others[:ALTERNATIVES]]
    rows.extend([Choice(ctx.t("rules.open_feature", label=f.label), f.payload)]
                for f in features or ())
    name = _short_name(ctx, hit)
    rows.append([Choice(ctx.t("rules.more_of", name=name), f"cp:{hit.campaign_id}")])
    return Reply(hit_text(ctx.services.messages, hit, name), rows)


def _short_name(ctx: Context, hit: Hit) -> str:
    campaign = _campaign(ctx, hit.campaign_id)
    return campaign.short_name if campaign else hit.campaign_title


async def passage_choice(ctx: Context, payload: str) -> list[Reply]:
    """Show an alternative answer offered under a previous one (`q:<ref>:<crc>`)."""
    _, ref, crc = _parts(payload)
    hit = ctx.services.search.passage(int(ref)) if ref.isdigit() else None
    if hit is None or f"{zlib.crc32(hit.text.encode('utf-8')):08x}" != crc:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    return [_answer_reply(ctx, hit, [])]


def _feature_offer(ctx: Context, features: list[Choice], *, asked: bool) -> Reply:
    """The functions a message asks for, then the list of campaigns: as the Trợ lý's answer
    to a request ("tắt thông báo"), or, when the message `asked` the plans something they do
    not hold, after saying so."""
    rows = [[f] for f in features]
    rows.append([Choice(ctx.t("rules.all_campaigns"), COMMAND_PAYLOAD + "chuongtrinh")])
    return Reply(ctx.t("rules.feature_offer" if asked else "rules.feature_request"), rows)


async def found_answer(ctx: Context) -> list[Reply] | None:
    """The plan's own passage answering a free-text question; when the message asks for one
    of the Trợ lý's functions rather than a rule ("tắt thông báo", "em không muốn nhận tin
    nhắc nữa": no question in it), that function offered; None when neither (also asked on a
    screen with choices: see the dispatcher)."""
    query = ctx.text[:MAX_QUERY]
    features, request = _features(ctx)
    if request and not looks_like_question(query):
        return [_feature_offer(ctx, features, asked=False)]
    hits = _ANSWERS.search(ctx.services.search, query, ctx.person.current_campaign,
                           1 + ALTERNATIVES, ctx.services.settings.lookup_cache_size)
    if hits:
        return [_answer_reply(ctx, hits[0], hits[1:], features)]
    if features:
        return [_feature_offer(ctx, features, asked=True)]
    return None


async def answer(ctx: Context) -> list[Reply]:
    """Answer a free-text question with the plan's own passage (no registration needed)."""
    found = await found_answer(ctx)
    if found is not None:
        return found
    current = _campaign(ctx, ctx.person.current_campaign or "")
    ask = (ctx.t("rules.ask_contact", contact=current.contact.text) if current
           else ctx.t("rules.ask_liaison"))
    return [Reply(ctx.t("error.no_answer") + "\n" + ask, _campaign_choices(ctx))]


def register(router: Router) -> None:
    """Register campaign browsing and the free-text catch-all."""
    default_intents()  # read at start: a broken phrases file stops the bot with its name
    router.command("chuongtrinh", menu_label="menu.rules", order=10)(list_campaigns)
    router.choice("cp")(campaign_choice)
    router.choice("cs")(section_choice)
    router.choice("cc")(set_current)
    router.choice("q")(passage_choice)
    router.choice(OWN)(campaign_page)
    router.choice(OTHER)(campaign_page)
    router.fallback = answer
    router.found = found_answer
    router.open_prefixes.update({"cp", "cs", "cc", "q", "cl"})  # free text here is a question


FEATURE = Feature("lookup", register)
