"""Declarative multi-step forms whose progress lives in the database, per chat."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core.context import Context
from bot.core.types import Choice, Reply
from content.vocab import load_vocab

logger = logging.getLogger(__name__)

FORM_PREFIX = "f:"
BACK = "f:_back"
SKIP = "f:_skip"
SAVE = "f:_save"
EDIT = "f:_edit"
# Form data key set by a form opened on a record that is already saved (an edit): /huy then
# says the saved record stays as it was, instead of "nothing you typed is saved".
EDITING_SAVED = "_saved_record"
CANCEL = "f:_cancel"
EDIT_FIELD = "f:_field:"
CONFIRM_STEP = "confirming"
# "Thông tin đã đúng chưa?" answered in words: "đúng rồi", "vâng ạ" save; "chưa", "sai" edit.
_ANSWERS = load_vocab()

Parser = Callable[[Context, str], Any]
PromptBuilder = Callable[[Context, dict[str, Any]], str]
OptionsBuilder = Callable[[Context, dict[str, Any]], Sequence[Choice]]
Finisher = Callable[[Context, dict[str, Any]], Awaitable[list[Reply]]]
Summary = Callable[[Context, dict[str, Any]], str | None]


class Invalid(Exception):
    """Input rejected by a step: a catalog key, its params and optional suggested choices."""

    def __init__(self, key: str, choices: Sequence[Choice] = (), **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.choices = list(choices)


class Stay(Invalid):
    """Input accepted, but the step goes on (e.g. photo 1 of up to 3 received)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One question of a form.

    `parse` turns typed text into the field's value (or raises Invalid / ValueError);
    `options` lists fixed answers shown as choices whose payload is `f:<value>`;
    `pick` validates such a value (default: accept it as it is);
    `attachments` lets `parse` see messages that carry photos or files but no text.
    """

    name: str
    field: str
    prompt: str | PromptBuilder
    parse: Parser | None = None
    invalid: str = "form.invalid"
    options: OptionsBuilder | None = None
    pick: Parser | None = None
    skip: bool = False
    back: bool = True
    max_length: int | None = None
    label: str | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    attachments: bool = False


@dataclass(frozen=True, slots=True)
class Form:
    """A named sequence of steps, with an optional confirm summary and a finisher."""

    name: str
    title: str
    steps: tuple[Step, ...]
    finish: Finisher
    summary: Summary | None = None
    editable: tuple[str, ...] = field(default=())
    # Who may be in this form; checked on every message by the dispatcher (None: everyone).
    roles: frozenset[str] | None = None

    def step(self, name: str) -> Step | None:
        """Return the step with that name."""
        return next((s for s in self.steps if s.name == name), None)


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class FormEngine:
    """Runs forms: prompts, validation, back, skip, confirm and edit."""

    def __init__(self) -> None:
        self.forms: dict[str, Form] = {}

    def add(self, form: Form) -> None:
        """Register a form."""
        if form.name in self.forms:
            raise ValueError(f"form registered twice: {form.name}")
        self.forms[form.name] = form

    def active(self, ctx: Context) -> Form | None:
        """Return the chat's active form, if any."""
        return self.forms.get(ctx.state.flow or "")

    async def start(self, ctx: Context, name: str, data: dict[str, Any] | None = None
                    ) -> list[Reply]:
        """Begin a form from its first applicable step."""
        form = self.forms[name]
        ctx.state.flow = name
        ctx.state.data = dict(data or {})
        first = self._next_step(form, ctx.state.data, None)
        if first is None:
            return await self._complete(ctx, form)
        ctx.state.step = first.name
        return [await self.prompt(ctx)]

    async def prompt(self, ctx: Context, prefix: str | None = None,
                     extra: Sequence[Choice] = ()) -> Reply:
        """Return the question of the current step, or `prefix` (an error) in its place."""
        form = self.active(ctx)
        if form is None:
            raise RuntimeError("no active form")
        data = ctx.state.data
        if ctx.state.step == CONFIRM_STEP:
            return self._confirm_reply(ctx, form, prefix)
        step = form.step(ctx.state.step or "")
        if step is None:
            raise RuntimeError(f"unknown step {ctx.state.step!r} in form {form.name!r}")
        if prefix:
            text = prefix
        elif callable(step.prompt):
            text = step.prompt(ctx, data)
        else:
            text = ctx.t(step.prompt, **_public(data))
        rows: list[list[Choice]] = [[c] for c in extra]
        if step.options is not None:
            rows += [[c] for c in step.options(ctx, data)]
        nav: list[Choice] = []
        if step.skip:
            nav.append(Choice(ctx.t("form.skip"), SKIP))
        if step.back and self._previous_step(form, data, step) is not None:
            nav.append(Choice(ctx.t("form.back"), BACK))
        if nav:
            rows.append(nav)
        return Reply(text, rows)

    async def handle(self, ctx: Context, choice: str | None) -> list[Reply]:
        """Feed the chat's message (typed text or a pressed `f:` choice) to the active step."""
        form = self.active(ctx)
        if form is None:
            ctx.state.clear_form()
            return []
        if ctx.state.step == CONFIRM_STEP:
            return await self._handle_confirm(ctx, form, choice)
        step = form.step(ctx.state.step or "")
        if step is None:  # a form changed under a stored state: start it again
            return await self.start(ctx, form.name, ctx.state.data)
        data = ctx.state.data
        if choice == BACK:
            previous = self._previous_step(form, data, step)
            if previous is not None:
                ctx.state.step = previous.name
            return [await self.prompt(ctx)]
        try:
            if choice == SKIP and step.skip:
                value: Any = None
            elif choice is not None and choice.startswith(FORM_PREFIX):
                raw = choice[len(FORM_PREFIX):]
                if step.pick is not None:
                    value = await _maybe_await(step.pick(ctx, raw))
                elif step.options is not None and choice in {
                        c.payload for c in step.options(ctx, data)}:
                    value = raw
                else:  # a payload this step never offered: forged or stale
                    logger.warning("form %s: unexpected choice refused at %s", form.name,
                                   step.name)
                    raise Invalid(step.invalid)
            else:
                value = await self._parse_text(ctx, step)
        except Invalid as exc:
            message = ctx.t(exc.key, **exc.params)
            return [await self.prompt(ctx, prefix=message, extra=exc.choices)]
        data[step.field] = value
        return await self._advance(ctx, form, step)

    async def _parse_text(self, ctx: Context, step: Step) -> Any:
        if step.attachments and ctx.msg.attachments and step.parse is not None:
            return await _maybe_await(step.parse(ctx, ctx.text))
        if ctx.msg.text is None or not ctx.text:
            raise Invalid("form.need_text")
        text = ctx.text
        if text.startswith("/"):
            raise Invalid("form.command_in_form", command=text.split()[0])
        limit = step.max_length or ctx.services.settings.max_text_length
        if len(text) > limit:
            raise Invalid("form.too_long", limit=limit, length=len(text))
        if step.parse is None:
            raise Invalid(step.invalid)
        try:
            return await _maybe_await(step.parse(ctx, text))
        except ValueError as exc:
            raise Invalid(step.invalid) from exc

    async def _advance(self, ctx: Context, form: Form, step: Step) -> list[Reply]:
        data = ctx.state.data
        editing = data.pop("_editing", False)
        nxt = None if editing else self._next_step(form, data, step)
        if nxt is not None:
            ctx.state.step = nxt.name
            return [await self.prompt(ctx)]
        if form.summary is not None and form.summary(ctx, data) is not None:
            ctx.state.step = CONFIRM_STEP
            return [self._confirm_reply(ctx, form, None)]
        return await self._complete(ctx, form)

    async def _complete(self, ctx: Context, form: Form) -> list[Reply]:
        data = dict(ctx.state.data)
        ctx.state.clear_form()
        return await form.finish(ctx, data)

    def _confirm_reply(self, ctx: Context, form: Form, prefix: str | None) -> Reply:
        summary = form.summary(ctx, ctx.state.data) if form.summary else None
        text = ctx.t("form.confirm", summary=summary or "")
        if prefix:
            text = f"{prefix}\n\n{text}"
        rows = [[Choice(ctx.t("form.save"), SAVE)]]
        if form.editable:
            rows.append([Choice(ctx.t("form.edit"), EDIT)])
        rows.append([Choice(ctx.t("form.cancel"), CANCEL)])
        return Reply(text, rows)

    async def _handle_confirm(self, ctx: Context, form: Form, choice: str | None
                              ) -> list[Reply]:
        if choice is None and ctx.text.startswith("/"):
            return [self._confirm_reply(ctx, form, ctx.t("form.command_in_form",
                                                         command=ctx.text.split()[0]))]
        answer = _ANSWERS.answer(ctx.text) if choice is None and ctx.text else None
        if answer == "yes":
            choice = SAVE
        elif answer == "no":
            choice = EDIT if form.editable else None
        if choice == SAVE:
            return await self._complete(ctx, form)
        if choice == CANCEL:
            ctx.state.clear_form()
            return [Reply(ctx.t("form.cancelled"))]
        if choice == EDIT and form.editable:
            rows = [[Choice(self._label(ctx, form, name), EDIT_FIELD + name)]
                    for name in form.editable]
            return [Reply(ctx.t("form.edit_which"), rows)]
        if choice and choice.startswith(EDIT_FIELD):
            target = form.step(choice[len(EDIT_FIELD):])
            if target is not None and target.name in form.editable:
                ctx.state.step = target.name
                ctx.state.data["_editing"] = True
                return [await self.prompt(ctx)]
        hint = "form.confirm_hint" if form.editable else "form.confirm_hint_no_edit"
        return [self._confirm_reply(ctx, form, ctx.t(hint))]

    @staticmethod
    def _label(ctx: Context, form: Form, step_name: str) -> str:
        step = form.step(step_name)
        return ctx.t(step.label) if step and step.label else step_name

    @staticmethod
    def _applies(step: Step, data: dict[str, Any]) -> bool:
        return step.when is None or step.when(data)

    def _next_step(self, form: Form, data: dict[str, Any], current: Step | None
                   ) -> Step | None:
        start = 0 if current is None else form.steps.index(current) + 1
        return next((s for s in form.steps[start:] if self._applies(s, data)), None)

    def _previous_step(self, form: Form, data: dict[str, Any], current: Step) -> Step | None:
        index = form.steps.index(current)
        return next((s for s in reversed(form.steps[:index]) if self._applies(s, data)), None)


def _public(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not k.startswith("_")}
