"""File and media helpers: Bot API JSON for stored files and a little image sniffing."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from .models import StoredFile


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) for PNG/GIF, a plausible size for other images, None if not an image."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return width, height
    if content.startswith((b"GIF87a", b"GIF89a")) and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return width, height
    is_webp = content.startswith(b"RIFF") and content[8:12] == b"WEBP"
    if content.startswith((b"\xff\xd8\xff", b"BM")) or is_webp:
        return 800, 600
    return None


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    width, height = image_size(stored.content) or (800, 600)
    scale = min(90 / max(width, height, 1), 1.0)
    thumb = {
        "file_id": stored.file_id + "_s",
        "file_unique_id": stored.file_unique_id + "_s",
        "width": max(int(width * scale), 1),
        "height": max(int(height * scale), 1),
    }
    full = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": width,
        "height": height,
        "file_size": len(stored.content),
    }
    return [thumb, full]


def document_json(stored: StoredFile) -> dict[str, Any]:
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
    }
    if stored.filename:
        document["file_name"] = stored.filename
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def tiny_png() -> bytes:
    """A valid 1x1 PNG, used as the content of photos users send."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
