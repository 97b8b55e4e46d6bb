"""Crawler extraction, step 1: page bytes to text — BOM, HTTP header, <meta>, then detection.

Chinese sites often declare gb2312 while sending GBK/GB18030, or declare one charset and send
another; a wrong guess turns an article into mojibake, so every fallback leaves a quality flag.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import charset_normalizer

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# GB2312 and GBK are subsets of GB18030: pages labelled with the former often use characters of the
# latter (rare names such as 喆), so the superset decodes them all.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "euc_cn", "cp936", "x-gbk", "gb_2312-80"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Web servers send these as a default for any page; a Chinese page saying otherwise in <meta> wins.
_WEAK_HEADER_CODECS = {"latin-1", "iso8859-1", "ascii", "cp1252"}
# Share of suspicious characters (replacement char, private use, C1 controls) above which a
# decoding is taken for garbage; a real page has one or two at most.
_GARBAGE_RATIO = 0.02
# What a wrong decoding leaves: replacement characters, private-use characters, C1 controls.
_GARBAGE = re.compile("[\ufffd\ue000-\uf8ff\x80-\x9f]")
# Longest character in the encodings we meet (GB18030 and UTF-8: 4 bytes).
_MAX_CHAR_BYTES = 4


@dataclass
class Decoded:
    text: str
    encoding: str
    method: str  # bom | http-header | meta | detected | ...
    quality: list[str] = field(default_factory=list)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None


def header_charset(headers: Mapping[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() == "content-type":
            match = _HEADER_CHARSET.search(value)
            return match.group(1) if match else None
    return None


def meta_charset(body: bytes) -> str | None:
    # The charset must be declared in the first 1024 bytes (HTML spec); CMSs are sloppier.
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None


def looks_garbled(text: str) -> bool:
    # Counted in C (this runs on every page): the ASCII characters survive an "ignore" encode.
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if not non_ascii:
        return False
    return len(_GARBAGE.findall(text)) / non_ascii > _GARBAGE_RATIO


def _strict(body: bytes, codec: str) -> str | None:
    """``body`` decoded without errors, or None; a page cut inside its last character still decodes."""
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - _MAX_CHAR_BYTES or exc.end < len(body):
            return None
        try:
            return body[: exc.start].decode(codec)  # a truncated download: the cut character is lost
        except UnicodeDecodeError:
            return None
    except LookupError:
        return None


def _is_utf8_with_multibyte(body: bytes) -> bool:
    # Text in a legacy Chinese encoding practically never forms valid multi-byte UTF-8 sequences.
    return not body.isascii() and _strict(body, "utf-8") is not None


def _detect(body: bytes, quality: list[str]) -> Decoded:
    best = charset_normalizer.from_bytes(body).best()
    if best is None or best.encoding is None:
        quality.append("encoding_unknown")
        return Decoded(body.decode("utf-8", errors="replace"), "utf-8", "fallback", quality)
    codec = _codec(best.encoding) or "utf-8"
    if codec in _GB_FAMILY:
        codec = "gb18030"
    text = body.decode(codec, errors="replace")
    quality.append("encoding_detected")
    if best.chaos > 0.2 or looks_garbled(text):
        quality.append("encoding_uncertain")
    return Decoded(text, codec, "detected", quality)


def decode_html(body: bytes, headers: Mapping[str, str]) -> Decoded:
    """The page's text and how it was decoded (BOM > HTTP header > <meta> > detection)."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(bom_codec, errors="replace"), bom_codec.replace("-sig", ""), "bom")
    quality: list[str] = []
    declared = header_charset(headers)
    in_meta = meta_charset(body)
    if in_meta and _codec(declared) in _WEAK_HEADER_CODECS:
        declared = None  # a server default; the page's own declaration knows better
    for method, label in (("http-header", declared), ("meta", in_meta)):
        codec = _codec(label)
        if codec is None:
            if label:
                quality.append("charset_unknown_label")
            continue
        if codec != "utf-8" and _is_utf8_with_multibyte(body):
            quality.append("charset_mismatch")
            return Decoded(body.decode("utf-8"), "utf-8", f"{method}:overridden-by-utf-8", quality)
        text = _strict(body, codec)
        if text is None and codec in _GB_FAMILY:
            text = _strict(body, "gb18030")
            if text is not None:
                return Decoded(text, "gb18030", f"{method}:gb18030-superset", quality)
        if text is not None and not looks_garbled(text):
            return Decoded(text, codec, method, quality)
        quality.append("charset_mismatch")
    if body.isascii():
        return Decoded(body.decode("ascii"), "ascii", "ascii", quality)
    if (text := _strict(body, "utf-8")) is not None:
        return Decoded(text, "utf-8", "valid-utf-8", quality)  # legacy encodings practically never are
    return _detect(body, quality)
