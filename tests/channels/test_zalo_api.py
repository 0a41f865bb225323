"""The thin Zalo client against the fake API: envelopes, typed errors, 408 as no update."""

from __future__ import annotations

import socket

import pytest

from bot.channels.zalo_api import (
    ZaloApiError,
    ZaloBotApi,
    ZaloForbiddenError,
    ZaloNetworkError,
    ZaloRateLimitError,
    ZaloUnauthorizedError,
)
from tests.channels.conftest import SECRETS, ZALO_TOKEN
from tests.channels.fake_zalo import FakeZalo, text_event


async def test_methods_post_json_to_bot_token_method(fake_zalo: FakeZalo) -> None:
    api = ZaloBotApi(ZALO_TOKEN, fake_zalo.base_url + "/")
    try:
        me = await api.get_me()
        sent = await api.send_message("u1", "Chào")
        await api.send_chat_action("u1")
        await api.set_webhook("https://example.org/webhook/zalo", "s3cret-s3cret")
        info = await api.get_webhook_info()
        await api.delete_webhook()
    finally:
        await api.close()
    assert me["account_name"] == "thidua_bot"
    assert set(sent) == {"message_id", "date"}
    assert info["url"] == "https://example.org/webhook/zalo"
    assert fake_zalo.calls[1] == ("sendMessage", {"chat_id": "u1", "text": "Chào"})
    assert fake_zalo.actions == [{"chat_id": "u1", "action": "typing"}]


async def test_one_session_is_reused_across_calls(fake_zalo: FakeZalo) -> None:
    api = ZaloBotApi(ZALO_TOKEN, fake_zalo.base_url)
    try:
        await api.get_me()
        session = api._session
        await api.get_me()
        assert api._session is session
    finally:
        await api.close()


async def test_ok_false_with_http_200_raises_typed_errors(fake_zalo: FakeZalo) -> None:
    api = ZaloBotApi(ZALO_TOKEN, fake_zalo.base_url)
    fake_zalo.fail("sendMessage", 429, "Quota exceeded", retry_after=7)
    fake_zalo.fail("sendMessage", 403, "Forbidden")
    fake_zalo.fail("sendMessage", 400, "Bad request")
    try:
        with pytest.raises(ZaloRateLimitError) as limited:
            await api.send_message("u1", "a")
        with pytest.raises(ZaloForbiddenError):
            await api.send_message("u1", "a")
        with pytest.raises(ZaloApiError) as bad:
            await api.send_message("u1", "a")
    finally:
        await api.close()
    assert limited.value.retry_after == 7
    assert (bad.value.error_code, bad.value.description) == (400, "Bad request")
    assert not bad.value.transient


async def test_wrong_token_is_unauthorized_and_never_shown(fake_zalo: FakeZalo) -> None:
    api = ZaloBotApi("999:wrong-token-value", fake_zalo.base_url)
    try:
        with pytest.raises(ZaloUnauthorizedError) as error:
            await api.get_me()
    finally:
        await api.close()
    assert "wrong-token-value" not in str(error.value) and "wrong-token-value" not in repr(api)


async def test_get_updates_returns_one_event_or_nothing_on_408(fake_zalo: FakeZalo) -> None:
    api = ZaloBotApi(ZALO_TOKEN, fake_zalo.base_url)
    event = text_event("u1", "xin chào")
    fake_zalo.push(event)
    try:
        assert await api.get_updates(timeout=1) == [event]
        assert await api.get_updates(timeout=1) == []
    finally:
        await api.close()
    assert fake_zalo.answers_408 == 1


async def test_non_json_5xx_is_a_transient_error(fake_zalo: FakeZalo) -> None:
    api = ZaloBotApi(ZALO_TOKEN, fake_zalo.base_url)
    fake_zalo.garble("sendMessage")
    try:
        with pytest.raises(ZaloApiError) as error:
            await api.send_message("u1", "a")
    finally:
        await api.close()
    assert error.value.error_code == 502 and error.value.transient


async def test_network_error_is_typed_and_hides_the_token() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = ZaloBotApi(ZALO_TOKEN, f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(ZaloNetworkError) as error:
            await api.get_me()
    finally:
        await api.close()
    assert error.value.transient
    assert error.value.__cause__ is None and error.value.__suppress_context__
    assert all(secret not in str(error.value) for secret in SECRETS)


async def test_webhook_secret_length_is_checked_before_calling(fake_zalo: FakeZalo) -> None:
    api = ZaloBotApi(ZALO_TOKEN, fake_zalo.base_url)
    with pytest.raises(ValueError):
        await api.set_webhook("https://example.org/webhook/zalo", "short")
    await api.close()
    assert fake_zalo.calls == []
