"""Decide how the text in a file is encoded: declared, or UTF-8 vs GBK/GB18030 from the bytes."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Final

from zgc_geo.errors import OptionError

#: GB18030 is a strict superset of GBK and GB2312: decoding as GB18030 never loses
#: what a GBK writer meant, so it is what we use when bytes are not UTF-8.
CHINESE_LEGACY: Final = "gb18030"

#: DBF language-driver ids (byte 29) that mean a Chinese code page (936 = GBK).
_DBF_CHINESE_LDIDS: Final = {0x4D, 0x7A}


@dataclass(frozen=True)
class EncodingChoice:
    """The encoding chosen for a file and why, so the report can say which and how."""

    encoding: str
    basis: str


def normalise_encoding(name: str) -> str:
    """The canonical codec name for a user-supplied encoding (``GBK``, ``cp936``, ``utf8`` …).

    GBK, GB2312 and cp936 all become GB18030 (their superset).
    """
    try:
        canonical = codecs.lookup(name.strip()).name
    except LookupError:
        raise OptionError(f"unknown encoding {name!r}; use e.g. UTF-8, GBK, GB18030 or BIG5") from None
    if canonical in {"gbk", "gb2312", "cp936", "gb18030"}:
        return CHINESE_LEGACY
    return canonical


def detect_text_encoding(sample: bytes) -> EncodingChoice | None:
    """UTF-8 or GB18030 for text bytes, or None when neither decodes them.

    UTF-8 is tried first and strictly: random GBK text is almost never valid UTF-8
    (its lead bytes 0x81–0xFE are followed by bytes that break UTF-8 sequences),
    while the reverse is common, so a clean UTF-8 decode is decisive.
    """
    body = sample[3:] if sample.startswith(codecs.BOM_UTF8) else sample
    if _decodes(body, "utf-8"):
        ascii_only = all(b < 0x80 for b in body)
        return EncodingChoice(
            "utf-8", "plain ASCII" if ascii_only else "detected from the bytes (valid UTF-8)"
        )
    if _decodes(body, CHINESE_LEGACY):
        return EncodingChoice(CHINESE_LEGACY, "detected from the bytes (GBK/GB18030, not valid UTF-8)")
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of a sample is not evidence against.
        return exc.start >= len(data) - 3
    return True


def dbf_declared_encoding(header: bytes) -> EncodingChoice | None:
    """The encoding a DBF header's language-driver byte declares, when it is Chinese."""
    if len(header) > 29 and header[29] in _DBF_CHINESE_LDIDS:
        return EncodingChoice(CHINESE_LEGACY, f"DBF language driver 0x{header[29]:02X} (code page 936, GBK)")
    return None
