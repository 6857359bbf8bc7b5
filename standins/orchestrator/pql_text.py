"""Parse PQL text (`nodes[certname] { certname ~ "web" and ... }`) into a row predicate."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from .pql_fields import (
    MISSING,
    Pred,
    QueryError,
    check_entity,
    compare,
    getter,
    same,
    subquery,
)

log = logging.getLogger(__name__)

_TOKEN = re.compile(
    r"\s*(?:(?P<str>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')|(?P<num>-?\d+(?:\.\d+)?(?![\w.]))"
    r"|(?P<op>!=|!~|<=|>=|=|~|<|>)|(?P<punct>[\[\]{}(),!])|(?P<word>[A-Za-z_][\w.]*))"
)


class TextParser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text.rstrip()):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise QueryError(f"PQL parse error at column {pos + 1}: {text[pos : pos + 20]!r}")
            self.tokens.append((m.lastgroup or "", m.group(m.lastgroup or 0)))
            pos = m.end()
        self.pos = 0

    def peek(self) -> str:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise QueryError(f"PQL parse error: unexpected end of query {self.text!r}")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise QueryError(f"PQL parse error: expected {expected!r}, found {token[1]!r}")
        self.pos += 1
        return token

    def query(self) -> tuple[str, list[str] | None, Pred]:
        kind, entity = self.take()
        if kind != "word":
            raise QueryError(f"PQL parse error: a query starts with an entity, found {entity!r}")
        entity = check_entity(entity)
        fields = None
        if self.peek() == "[":
            self.take()
            fields = [self.word()]
            while self.peek() == ",":
                self.take()
                fields.append(self.word())
            self.take("]")
            for f in fields:
                getter(entity, f)
        pred = self.braces(entity)
        if self.pos != len(self.tokens):
            raise QueryError(f"PQL parse error: unexpected {self.peek()!r} after the query")
        return entity, fields, pred

    def braces(self, entity: str) -> Pred:
        self.take("{")
        pred: Pred = (lambda row: True) if self.peek() == "}" else self.expr(entity)
        self.take("}")
        return pred

    def word(self) -> str:
        kind, value = self.take()
        if kind != "word":
            raise QueryError(f"PQL parse error: expected a field name, found {value!r}")
        return value

    def expr(self, entity: str) -> Pred:
        terms = [self.conjunction(entity)]
        while self.peek() == "or":
            self.take()
            terms.append(self.conjunction(entity))
        return terms[0] if len(terms) == 1 else (lambda row: any(t(row) for t in terms))

    def conjunction(self, entity: str) -> Pred:
        terms = [self.unary(entity)]
        while self.peek() == "and":
            self.take()
            terms.append(self.unary(entity))
        return terms[0] if len(terms) == 1 else (lambda row: all(t(row) for t in terms))

    def unary(self, entity: str) -> Pred:
        if self.peek() in ("!", "not"):
            self.take()
            inner = self.unary(entity)
            return lambda row: not inner(row)
        if self.peek() == "(":
            self.take()
            inner = self.expr(entity)
            self.take(")")
            return inner
        field = self.word()
        if self.peek() == "{":
            return subquery(check_entity(field), self.braces(field), entity)
        get = getter(entity, field)
        if self.peek() == "is":
            self.take()
            negate = self.peek() == "not" and bool(self.take())
            self.take("null")
            return lambda row: (get(row) in (None, MISSING)) != negate
        if self.peek() == "in":
            self.take()
            self.take("[")
            values = [self.literal()]
            while self.peek() == ",":
                self.take()
                values.append(self.literal())
            self.take("]")
            return lambda row: any(same(get(row), v) for v in values)
        kind, op = self.take()
        if kind != "op":
            raise QueryError(f"PQL parse error: expected an operator after {field}, found {op!r}")
        return compare(op, get, self.literal())

    def literal(self) -> Any:
        kind, value = self.take()
        if kind == "str":
            return (
                json.loads('"' + value[1:-1].replace('"', '\\"').replace("\\'", "'") + '"')
                if value[0] == "'"
                else json.loads(value)
            )
        if kind == "num":
            return float(value) if "." in value else int(value)
        if value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value]
        raise QueryError(f"PQL parse error: expected a value, found {value!r}")
