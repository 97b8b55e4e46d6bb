"""The search syntax people type, parsed into a small tree that each backend turns into its own
query (an Elasticsearch bool query, an FTS5 MATCH expression). User text never reaches an engine
as query syntax: only the words of this tree do, as phrases.

Syntax: words separated by spaces must all occur (空格 = AND); ``"…"``, ``“…”``, ``「…」`` and
``『…』`` quote a phrase; ``AND``, ``OR``, ``NOT`` (upper case) and ``|`` combine; ``-词`` excludes;
parentheses (half- or full-width) group. An unquoted word is matched as a phrase of its characters,
so 司法救助 finds the four characters in a row. Precedence: NOT/- > AND/space > OR.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 500
MAX_TERMS = 32  # each term costs a few clauses; Elasticsearch caps a bool query at 4096
MAX_DEPTH = 8

QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "＂": "＂"}
OPEN_PARENS = "(（"
CLOSE_PARENS = ")）"
_SPECIAL = set(QUOTES) | set(OPEN_PARENS) | set(CLOSE_PARENS) | {"|", "｜"}


class QueryError(ValueError):
    """A search request a person must change (empty, too long, unbalanced quotes …)."""


@dataclass(frozen=True)
class Term:
    """Words that must occur next to each other (a phrase); ``text`` in the user's script."""

    text: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


def has_word_chars(text: str) -> bool:
    return any(unicodedata.category(c)[0] in "LN" for c in text)


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, value) tokens: word, phrase, op (AND/OR/NOT), minus, open, close."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in QUOTES:
            end = text.find(QUOTES[c], i + 1)
            if end < 0:
                raise QueryError(f"the query has an unbalanced quote ({c})")
            tokens.append(("phrase", " ".join(text[i + 1 : end].split())))
            i = end + 1
        elif c in OPEN_PARENS:
            tokens.append(("open", c))
            i += 1
        elif c in CLOSE_PARENS:
            tokens.append(("close", c))
            i += 1
        elif c in "|｜":
            tokens.append(("op", "OR"))
            i += 1
        elif c in "-－" and i + 1 < n and not text[i + 1].isspace():
            tokens.append(("minus", c))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                j += 1
            word = text[i:j]
            kind = "op" if word in ("AND", "OR", "NOT") else "word"
            tokens.append((kind, word))
            i = j
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.terms = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node | None:
        node = self.or_expr(0)
        if self.peek() is not None:
            kind, value = self.peek()  # type: ignore[misc]
            if kind == "close":
                raise QueryError(f"the query has an unbalanced bracket ({value})")
            raise QueryError(f"unexpected {value!r} in the query")
        return node

    def or_expr(self, depth: int) -> Node | None:
        parts = [self.and_expr(depth)]
        while self.peek() == ("op", "OR"):
            self.take()
            if parts[-1] is None or self._at_end_of_group():
                raise QueryError("OR needs a word on both sides")
            parts.append(self.and_expr(depth))
            if parts[-1] is None:
                raise QueryError("OR needs a word on both sides")
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def _at_end_of_group(self) -> bool:
        token = self.peek()
        return token is None or token[0] == "close" or token == ("op", "OR")

    def and_expr(self, depth: int) -> Node | None:
        parts: list[Node] = []
        expect_operand = False
        while True:
            token = self.peek()
            if token is None or token[0] == "close" or token == ("op", "OR"):
                break
            if token == ("op", "AND"):
                self.take()
                if not parts or expect_operand:
                    raise QueryError("AND needs a word on both sides")
                expect_operand = True
                continue
            node = self.unary(depth)
            expect_operand = False
            if node is not None:
                parts.append(node)
        if expect_operand:
            raise QueryError("AND needs a word on both sides")
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self, depth: int) -> Node | None:
        kind, value = self.peek()  # type: ignore[misc]
        if kind == "minus" or (kind, value) == ("op", "NOT"):
            self.take()
            nxt = self.peek()
            if nxt is None or nxt[0] in ("close", "op"):
                raise QueryError(f"{value} must be followed by the word to exclude")
            child = self.unary(depth)
            return Not(child) if child is not None else None
        return self.primary(depth)

    def primary(self, depth: int) -> Node | None:
        kind, value = self.take()
        if kind == "open":
            if depth >= MAX_DEPTH:
                raise QueryError(f"brackets are nested too deeply (at most {MAX_DEPTH})")
            node = self.or_expr(depth + 1)
            token = self.peek()
            if token is None or token[0] != "close":
                raise QueryError(f"the query has an unbalanced bracket ({value})")
            self.take()
            if node is None:
                raise QueryError("empty brackets: put a word inside")
            return node
        if kind not in ("word", "phrase"):
            raise QueryError(f"unexpected {value!r} in the query")
        if not has_word_chars(value):
            return None  # punctuation alone is not a word
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"the query has too many words (at most {MAX_TERMS})")
        return Term(value)


def is_positive(node: Node) -> bool:
    """Does the node require something to be present? (A pure exclusion matches nothing we can rank.)"""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(is_positive(c) for c in node.children)
    return all(is_positive(c) for c in node.children)


def normalise(node: Node) -> Node:
    """Flatten AND of AND and OR of OR, and cancel NOT NOT, so every backend sees one shape."""
    if isinstance(node, Not):
        child = normalise(node.child)
        return child.child if isinstance(child, Not) else Not(child)
    if isinstance(node, And | Or):
        kind = type(node)
        flat: list[Node] = []
        for child in (normalise(c) for c in node.children):
            flat.extend(child.children if isinstance(child, kind) else (child,))
        return kind(tuple(flat))
    return node


def _check_positive(node: Node) -> None:
    if isinstance(node, Not) and not is_positive(node.child):
        raise QueryError("an exclusion -(…) needs a word inside to exclude")
    if isinstance(node, Or) and not all(is_positive(c) for c in node.children):
        raise QueryError("each side of OR needs a word to look for, not only -exclusions")
    if isinstance(node, And | Or):
        for child in node.children:
            _check_positive(child)
    if isinstance(node, Not):
        _check_positive(node.child)


def parse_query(text: str) -> Node:
    """The query tree of what a person typed. Raises QueryError with a reason they can act on."""
    if not text or not text.strip():
        raise QueryError("the query is empty: type a word to search for")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters, at most {MAX_QUERY_CHARS})")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in text):
        raise QueryError("the query contains control characters")
    parsed = _Parser(_tokens(text)).parse()
    if parsed is None:
        raise QueryError("the query contains no letters or digits to search for")
    node = normalise(parsed)
    _check_positive(node)
    if not is_positive(node):
        raise QueryError("the query only excludes words (-词); add a word to look for")
    return node


def positive_terms(node: Node) -> list[str]:
    """The terms a hit may contain (for highlighting): every Term not under a NOT."""
    if isinstance(node, Term):
        return [node.text]
    if isinstance(node, Not):
        return []
    return [t for child in node.children for t in positive_terms(child)]


def describe(node: Node) -> str:
    """A canonical text form (tests, logs) that parses back to the same tree: AND/OR/NOT spelled
    out, phrases quoted."""
    if isinstance(node, Term):
        # A phrase may hold the other kinds of quote (“司法"救助”); its own closing one it cannot.
        opening = next(o for o, c in QUOTES.items() if c not in node.text)
        return f"{opening}{node.text}{QUOTES[opening]}"
    if isinstance(node, Not):
        return f"NOT {describe(node.child)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(describe(c) for c in node.children) + ")"
