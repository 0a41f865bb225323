"""What a channel can carry, so features ask "can this chat receive a file?" and never
compare channel names. Channels register their traits (bot/channels/__init__.py); an
unknown channel gets the most restrictive traits (plain text, Zalo's 2,000 characters).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChannelTraits:
    """The abilities of one channel."""

    text_limit: int = 2000  # characters in one message
    files: bool = False  # can send a document (an export) into the chat
    photos: bool = False  # can send an image into the chat
    buttons: bool = False  # shows choices as buttons (else numbered text)
    local: bool = False  # a trusted local console session, not a real person's chat


RESTRICTIVE = ChannelTraits()
_REGISTRY: dict[str, ChannelTraits] = {}


def register_traits(channel: str, traits: ChannelTraits) -> None:
    """Declare what a channel can carry (called by the channel package)."""
    _REGISTRY[channel] = traits


def traits_of(channel: str) -> ChannelTraits:
    """Return a channel's traits (the most restrictive ones for an unknown channel)."""
    return _REGISTRY.get(channel, RESTRICTIVE)


def local_channels() -> frozenset[str]:
    """Return the channels that are trusted local sessions (the console), not real chats."""
    return frozenset(name for name, traits in _REGISTRY.items() if traits.local)
