"""`thidua zalo-oa connect`: the consent link, then the first token pair from the callback.

The OA admin opens the link, allows the app, and Zalo redirects the browser to the app's
"Official Account Callback Url" with `?code=…&oa_id=…&state=…` (the code is valid 10
minutes, single use). The admin pastes that address (or the code); the pair is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from bot.channels.zalo_oa_api import (
    ZaloOAApi,
    ZaloOAError,
    ZaloOAuth,
    ZaloOAuthError,
    consent_url,
    new_state,
)
from bot.channels.zalo_oa_tokens import store_first_grant
from bot.core.config import Settings
from storage.db import create_engine, session_factory

Translate = Callable[..., str]


def parse_callback(pasted: str) -> dict[str, str]:
    """Return code, oa_id and state from a pasted callback address (or a bare code)."""
    text = pasted.strip()
    if "code=" not in text:
        return {"code": text} if text and " " not in text else {}
    query = urlparse(text).query or text.split("?", 1)[-1]
    return {key: values[0] for key, values in parse_qs(query).items() if values}


async def connect(settings: Settings, t: Translate, out: Callable[[str], None],
                  read: Callable[[], str], *, state: str | None = None) -> int:
    """Walk an admin through the consent; return the exit code."""
    app_id, oa_id = settings.zalo_oa_app_id, settings.zalo_oa_id
    secret, redirect = settings.zalo_oa_app_secret, settings.zalo_oa_redirect_uri
    if not (app_id and oa_id and secret and redirect):
        out(t("zalo_oa.not_configured"))
        return 2
    verifier = settings.zalo_oa_pkce_verifier
    verifier_text = verifier.get_secret_value() if verifier else None
    state = state or new_state()
    out(t("zalo_oa.open_link", url=consent_url(app_id, redirect, verifier=verifier_text,
                                               state=state,
                                               oauth_base=settings.zalo_oa_oauth_base)))
    out(t("zalo_oa.paste", redirect=redirect))
    answer = parse_callback(read())
    if not answer.get("code"):
        out(t("zalo_oa.no_code"))
        return 1
    if "state" in answer and answer["state"] != state:
        out(t("zalo_oa.wrong_state"))
        return 1
    if answer.get("oa_id") and answer["oa_id"] != oa_id:
        out(t("zalo_oa.wrong_oa", got=answer["oa_id"], expected=oa_id))
        return 1
    api = ZaloOAApi(base_url=settings.zalo_oa_api_base)
    oauth = ZaloOAuth(app_id, secret.get_secret_value(), settings.zalo_oa_oauth_base,
                      session_factory=api.session)
    engine = create_engine(settings.database_url)
    try:
        until = await store_first_grant(session_factory(engine), oauth, oa_id,
                                        answer["code"], verifier_text)
    except ZaloOAuthError as exc:
        out(t("zalo_oa.refused", reason=f"{exc.code} {exc.name}"))
        return 1
    except ZaloOAError as exc:
        out(t("zalo_oa.network", reason=exc.message))
        return 1
    finally:
        await api.close()
        await engine.dispose()
    local = until.astimezone(ZoneInfo(settings.tz))
    out(t("zalo_oa.done", oa_id=oa_id, until=local.strftime("%H:%M %d/%m/%Y")))
    return 0
