"""Look inside an Office file's zip (XLSX, DOCX) before any parser opens it.

A zip bomb declares small compressed members that inflate to gigabytes: a shared-strings
part of 3 million strings, a 300 MB cell, thousands of members. `check_archive` reads only
the central directory (no decompression) and refuses an archive whose declared sizes pass
the limits; `zipfile` then never inflates a member past its declared size (a member that
lies about it fails its CRC check), so the limits hold while parsing too.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO

MB = 1_000_000


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What an Office file may declare: members, inflated sizes, and per-member caps."""

    max_members: int = 2_000
    max_total: int = 200 * MB  # every member inflated
    max_member: int = 100 * MB  # any one member
    # Caps for named members (a prefix of the member's name), e.g. shared strings.
    member_caps: Mapping[str, int] = field(default_factory=dict)


class ArchiveRefused(Exception):
    """The archive passes a limit: `kind` is members, total or member; `limit` in bytes
    (or members) and `member` the offending part's name."""

    def __init__(self, kind: str, limit: int, member: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.limit = limit
        self.member = member


def check_archive(stream: IO[bytes], limits: ArchiveLimits) -> None:
    """Raise ArchiveRefused when the zip declares more than the limits allow.

    Raise zipfile.BadZipFile when it is not a zip. The stream is left at its start.
    """
    position = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    finally:
        stream.seek(position)
    if len(members) > limits.max_members:
        raise ArchiveRefused("members", limits.max_members)
    total = 0
    for info in members:
        total += info.file_size
        if total > limits.max_total:
            raise ArchiveRefused("total", limits.max_total)
        cap = limits.max_member
        for prefix, member_cap in limits.member_caps.items():
            if info.filename.startswith(prefix):
                cap = min(cap, member_cap)
        if info.file_size > cap:
            raise ArchiveRefused("member", cap, info.filename)
