"""Channel adapters: carry Incoming and Reply over Zalo and Telegram (transport only).

Importing this package declares each channel's traits (what it can carry) to the core.
"""

from bot.core.text_split import TELEGRAM_TEXT_LIMIT, ZALO_TEXT_LIMIT
from bot.core.traits import ChannelTraits, register_traits

register_traits("telegram", ChannelTraits(text_limit=TELEGRAM_TEXT_LIMIT, files=True,
                                          photos=True, buttons=True))
register_traits("zalo", ChannelTraits(text_limit=ZALO_TEXT_LIMIT, photos=True))
register_traits("zalo_oa", ChannelTraits(text_limit=ZALO_TEXT_LIMIT, files=True, photos=True))
# The console shows numbered text like Zalo, saves files locally and is a trusted user.
register_traits("console", ChannelTraits(text_limit=ZALO_TEXT_LIMIT, files=True, local=True))
