"""Evidence uploads: JPEG/PNG/PDF recognised by their first bytes, never by name or header.

Files are kept under ``UPLOAD_FOLDER`` (outside every served folder) with a random name, so
nothing a claimant uploads can be fetched by URL or overwrite another file.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)


class UploadRefused(ValueError):
    """The file is not one we accept; ``reason`` is 'type' or 'size'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Evidence:
    data: bytes
    mime: str
    ext: str


def sniff(head: bytes) -> tuple[str, str] | None:
    """(mime type, extension) from the file's magic bytes, or None."""
    for magic, mime, ext in SIGNATURES:
        if head.startswith(magic):
            return mime, ext
    return None


def read_evidence(stream: IO[bytes], max_bytes: int) -> Evidence | None:
    """Read an uploaded file (None when empty); refuse wrong types and files over ``max_bytes``."""
    data = stream.read(max_bytes + 1)
    if not data:
        return None
    if len(data) > max_bytes:
        raise UploadRefused("size")
    kind = sniff(data[:16])
    if kind is None:
        raise UploadRefused("type")
    return Evidence(data, *kind)


def save_evidence(evidence: Evidence, folder: str | os.PathLike) -> str:
    """Write the file under a random name (owner-only permissions); return that name."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{secrets.token_hex(16)}.{evidence.ext}"
    fd = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(evidence.data)
    return name
