"""Normalisation, the first processing step: a clean simplified-Chinese copy of title and body for NLP and search.

The original text is kept untouched for display; the derived text goes into ``title_simplified`` /
``body_simplified``: pinyin annotations of broken conversions removed (``發(fā)展`` → ``发展``),
traditional converted to simplified (OpenCC), widths, punctuation and whitespace made uniform.
Damaged text is never guessed at: mojibake runs stay in the derived text and their spans are
recorded in ``quality`` as ``damaged:<field>:<start>-<end>`` (offsets into that derived field),
next to the flags the crawler's extraction uses (``pinyin_damage``, ``mojibake``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import opencc

from pipeline.model import Article

Converter = Callable[[str], str]

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
PINYIN_FLAG = "pinyin_damage"  # same names as crawler/extract: one flag per kind of damage
MOJIBAKE_FLAG = "mojibake"
DAMAGED_PREFIX = "damaged:"
# A page with hundreds of broken spans is flagged as such; listing them all helps nobody.
MAX_SPANS_PER_FIELD = 50

_TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_UNTONE = str.maketrans(
    _TONE_MARKS + "ü", "aaaaeeeeiiiioooouuuu" + "vvvv" + "v"
)  # ǖǘǚǜ and ü all become v, as in pinyin typed on a keyboard
# Every syllable of Mandarin is an optional initial plus one of these finals.
_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ao|an|ei|en|er|ia|ie|in|iu|ou"
    r"|ua|uo|ui|un|ue|ve|vn|a|o|e|i|u|v)"
)
# A bracketed lower-case word directly after a Han character; _strip_pinyin checks it is a syllable.
_BRACKETED = re.compile(rf"(?<=[{HAN}])[(（]([a-z{_TONE_MARKS}ü]{{1,6}})([1-5]?)[)）]")

_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B) if chr(c - 0xFEE0).isalnum()}
_FULLWIDTH_ALNUM.update({0xFF05: ord("%")})
# The same characters as one class: ``str.translate`` looks every character of a text up in the table,
# a pattern finds the few that are there (the same text, about ten times faster on a news article).
_FULLWIDTH_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_FULLWIDTH_ALNUM)) + "]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_HALF_PUNCT = {",": "，", ";": "；", ":": "：", "!": "！"}
# Half-width punctuation touching a Han character is Chinese punctuation typed on the wrong keyboard.
_PUNCT_NEAR_HAN = re.compile(rf"(?<=[{HAN}])[,;:!]|[,;:!](?=[{HAN}])")
# The same punctuation with spaces around it, typed by converters that pad every mark (人员 2089 人 , 严肃):
# touching Han on one side through the spaces, it is Chinese punctuation and the spaces go with it.
_SPACED_PUNCT = re.compile(rf"(?<=[{HAN}]) +([,;!]) *|(?<=[{HAN}\d]) *([,;!]) +(?=[{HAN}])")
# A space between a Han character and a number is typesetting (2013 年, 人员 2089 人), not a word break:
# the number and its unit belong together.
_HAN_DIGIT_SPACE = re.compile(rf"(?<=[{HAN}]) +(?=\d)|(?<=\d) +(?=[{HAN}])")
# Characters OpenCC's t2s leaves unchanged although simplified text does not use them: a variant of a
# traditional character (陜 for 陝), and 瞭, which careless converters write for the particle 了 (健全瞭);
# 瞭望 keeps it.
# Hong Kong forms t2s keeps are folded too (衞生, 敍述; 濬县, 澂江 in place names).
_VARIANTS = str.maketrans({"陜": "陕", "衹": "只", "衞": "卫", "敍": "叙", "濬": "浚", "澂": "澄"})
# 乾 of place names (乾县, 乾安县), which t2s turns into 干 as in 乾燥 → 干燥: the text is converted around it.
_QIAN_IN_NAME = re.compile("乾(?=[县縣]|安[县縣区區])")
_LIAO = re.compile("瞭(?!望)")
_PARENS = re.compile(r"\(([^()\n]{0,50})\)")
_HAN_CHAR = re.compile(f"[{HAN}]")

# Mojibake (UTF-8 read as GBK and back): private-use characters, U+FFFD, and half-width question
# marks standing where no question mark can stand. Legitimate Chinese text uses the full-width ？.
_BROKEN_CHAR = re.compile(r"[\ue000-\uf8ff\ufffd]")
_SUSPECT_QMARK = re.compile(r"\?(?![\s”\"’'）)】》?？]|$)")
_QMARK_BEFORE = re.compile(r"\?(?=[、，,。a-z])")
_MERGE_GAP = 8  # damage markers this close belong to one run (a 3-byte character spans 1.5 GBK ones)


def load_converter() -> Converter:
    """OpenCC traditional → simplified; loaded once at start-up and passed to the step."""
    t2s = opencc.OpenCC("t2s").convert

    def converter(text: str) -> str:
        parts = _QIAN_IN_NAME.split(text)
        converted = "乾".join(t2s(part) for part in parts) if len(parts) > 1 else t2s(text)
        return _LIAO.sub("了", converted.translate(_VARIANTS))

    return converter


def strip_pinyin(text: str) -> tuple[str, int]:
    """Remove ``(fā)``-style annotations after Han characters; returns the text and how many went.

    Only a complete pinyin syllable with a tone mark or a tone digit counts: ``《决定》(草案)``,
    ``(记者 张三)``, ``(2021)`` or ``(a)`` stay.
    """
    removed = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal removed
        word, digit = match.group(1), match.group(2)
        toned = digit or any(c in _TONE_MARKS for c in word)
        if toned and _SYLLABLE.fullmatch(word.translate(_UNTONE)):
            removed += 1
            return ""
        return match.group(0)

    # Removing one annotation can put the next one right after a Han character ((fā)(fā)): repeat
    # until nothing more goes, so cleaning clean text changes nothing. Each round removes at least one.
    while True:
        before = removed
        text = _BRACKETED.sub(drop, text)
        if removed == before:
            return text, removed


def _parens(match: re.Match[str]) -> str:
    """``(记者 张三)`` and ``决定(草案)`` get Chinese brackets; ``f(x)`` and ``(2021)`` alone stay."""
    text, start, inner = match.string, match.start(), match.group(1)
    if _HAN_CHAR.search(inner) or (start > 0 and _HAN_CHAR.match(text, start - 1)):
        return f"（{inner}）"
    return match.group(0)


def tidy(text: str) -> str:
    """Uniform widths, punctuation and whitespace: ASCII letters and digits, Chinese punctuation
    around Han text, one space between words, no blank lines. ``?`` is left alone (see mojibake).
    """
    text = _INVISIBLE.sub("", _FULLWIDTH_CHARS.sub(lambda m: m.group().translate(_FULLWIDTH_ALNUM), text))
    text = _SPACED_PUNCT.sub(lambda m: _HALF_PUNCT[m.group(1) or m.group(2)], text)
    text = _PUNCT_NEAR_HAN.sub(lambda m: _HALF_PUNCT[m.group(0)], text)
    text = _PARENS.sub(_parens, text)
    lines = (
        _HAN_DIGIT_SPACE.sub("", _SPACES.sub(" ", line)).strip()
        for line in text.replace("\r\n", "\n").split("\n")
    )
    return "\n".join(line for line in lines if line)


def damaged_spans(text: str) -> list[tuple[int, int]]:
    """Spans ``[start, end)`` of mojibake runs in ``text`` (no text is repaired or invented)."""
    marks = sorted(
        [(m.start(), "broken") for m in _BROKEN_CHAR.finditer(text)]
        + [(m.start(), "qmark") for m in _SUSPECT_QMARK.finditer(text)]
    )
    runs: list[list[int]] = []  # start, end, broken chars, question marks
    for at, kind in marks:
        if runs and at - runs[-1][1] <= _MERGE_GAP:
            runs[-1][1] = at + 1
        else:
            runs.append([at, at + 1, 0, 0])
        runs[-1][2 if kind == "broken" else 3] += 1
    spans = []
    for start, end, broken, qmarks in runs:
        # One lone ? before a Han character may be a typo (怎么办?我); anything more is damage.
        if broken or qmarks >= 2 or _QMARK_BEFORE.match(text, start):
            spans.append((start, end))
    return spans


def clean_text(text: str, to_simplified: Converter) -> tuple[str, int]:
    """The derived text of one field and the number of pinyin annotations removed."""
    stripped, removed = strip_pinyin(text)
    return tidy(to_simplified(stripped)), removed


def normalise(article: Article, to_simplified: Converter) -> Article:
    """Fill ``title_simplified``/``body_simplified`` and the damage flags; idempotent on replays."""
    title, title_pinyin = clean_text(article.title, to_simplified)
    body, body_pinyin = clean_text(article.body, to_simplified)
    quality = [flag for flag in article.quality if not flag.startswith(DAMAGED_PREFIX)]
    spans = []
    for field, text in (("title_simplified", title), ("body_simplified", body)):
        found = damaged_spans(text)
        spans += [f"{DAMAGED_PREFIX}{field}:{a}-{b}" for a, b in found[:MAX_SPANS_PER_FIELD]]
    if (title_pinyin or body_pinyin) and PINYIN_FLAG not in quality:
        quality.append(PINYIN_FLAG)
    if spans and MOJIBAKE_FLAG not in quality:
        quality.append(MOJIBAKE_FLAG)
    steps = article.steps if "normalise" in article.steps else [*article.steps, "normalise"]
    return article.model_copy(
        update={
            "title_simplified": title,
            "body_simplified": body,
            "quality": quality + spans,
            "steps": steps,
        }
    )
