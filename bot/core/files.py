"""What kind of file some bytes are, from their first bytes (never from a name people chose)."""

from __future__ import annotations

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)


def sniff_mime(data: bytes) -> str:
    """Return the MIME type the bytes start like (application/octet-stream if unknown)."""
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    return "application/octet-stream"


def is_image(data: bytes) -> bool:
    """Tell whether the bytes are a photo format the bot keeps."""
    return sniff_mime(data).startswith("image/")
