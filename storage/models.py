"""Every table on one metadata: what Alembic and the tests see.

This module only gathers: the declarative base and the shared tables live in storage/base.py,
each feature's tables in storage/<feature>/models.py. Code imports the module that defines a
table (storage.base for shared ones, its own storage/<feature>/models.py), never this one, so
one feature's storage never reaches another's through it (checked by import-linter;
the shared storage modules and the tests may still use it).
"""

from __future__ import annotations

from storage.base import (  # noqa: F401
    NAMING,
    AuditRow,
    AwareDateTime,
    Base,
    ChannelAccountRow,
    ChatStateRow,
    ConsentRow,
    LinkCodeRow,
    PersonRow,
    RoleGrantRow,
    RoleInviteRow,
)
from storage.deeds.models import (  # noqa: F401  (every table on Base.metadata)
    DeedEventRow,
    DeedPhotoRow,
    DeedRow,
    NotificationRow,
)
from storage.delivery.models import (  # noqa: F401  (every table on Base.metadata)
    BroadcastRow,
    OutboxRow,
    ReminderPrefRow,
    ReminderRunRow,
)
from storage.inbox.models import InboxRow  # noqa: F401  (every table on Base.metadata)
from storage.referrals.models import (  # noqa: F401  (every table on Base.metadata)
    RefImportRow,
    RefMemberRow,
    RefParticipantRow,
)
from storage.weblinks.models import WebLinkRow  # noqa: F401  (every table on Base.metadata)
from storage.works.models import (  # noqa: F401  (every table on Base.metadata)
    ConferenceRow,
    WorkRow,
    WorkUpdateRow,
)
from storage.zalo_oa.models import (  # noqa: F401  (every table on Base.metadata)
    ZaloOAGrantRow,
    ZaloOAInteractionRow,
)
