"""Where things are in the policy file's text, since tomllib gives values but no positions."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TABLE = re.compile(r"^\s*\[")
_RULE_TABLE = re.compile(r"""^\s*\[\[\s*(?:rule|"rule"|'rule')\s*\]\]""")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _key(key: str) -> re.Pattern[str]:
    k = re.escape(key)
    return re.compile(rf"""^\s*(?:{k}|"{k}"|'{k}')\s*[=.]""")


def _table_of(key: str) -> re.Pattern[str]:
    k = re.escape(key)
    return re.compile(rf"""^\s*\[\[?\s*(?:{k}|"{k}"|'{k}')\s*[\].]""")


def toml_error_line(message: str) -> tuple[int | None, str]:
    """(line, message without the position) from a tomllib error; line None at end of file."""
    found = _TOML_POSITION.search(message)
    if not found:
        return None, message.replace(" (at end of document)", "")
    text = _TOML_POSITION.sub(f"(column {found.group(2)})", message)
    return int(found.group(1)), text


@dataclass(frozen=True)
class SourceMap:
    """Line numbers (1-based) of the top-level keys, each [[rule]] and the keys inside it."""

    lines: tuple[str, ...]
    tables: tuple[int, ...]  # indexes of every table header line
    rules: tuple[int, ...]  # indexes of the [[rule]] header lines, in order

    @classmethod
    def of(cls, text: str) -> SourceMap:
        lines = tuple(text.splitlines())
        tables, rules = [], []
        in_string = False
        for i, line in enumerate(lines):
            # A header-looking line inside a multi-line string is text, not a table.
            starts_inside = in_string
            if (line.count('"""') + line.count("'''")) % 2:
                in_string = not in_string
            if starts_inside:
                continue
            if _TABLE.match(line):
                tables.append(i)
                if _RULE_TABLE.match(line):
                    rules.append(i)
        return cls(lines, tuple(tables), tuple(rules))

    def _span(self, index: int) -> range:
        if index >= len(self.rules):
            return range(0)
        start = self.rules[index]
        later = [t for t in self.tables if t > start]
        return range(start, later[0] if later else len(self.lines))

    def rule(self, index: int) -> int:
        """The line of the index-th [[rule]] header (or of `rule =` for inline tables)."""
        if index < len(self.rules):
            return self.rules[index] + 1
        return self.top("rule")

    def key(self, index: int, key: str) -> int:
        """The line where the index-th rule sets `key`; the rule's header when not found."""
        pattern = _key(key)
        for i in self._span(index):
            if pattern.match(self.lines[i]):
                return i + 1
        return self.rule(index)

    def value(self, index: int, key: str, needle: str) -> int:
        """The line holding a quoted value of `key` (for lists spread over several lines)."""
        start = self.key(index, key)
        span = self._span(index)
        quoted = (f'"{needle}"', f"'{needle}'")
        for i in range(start - 1, span.stop if span else start):
            if any(q in self.lines[i] for q in quoted):
                return i + 1
        return start

    def top(self, key: str) -> int:
        """The line of a top-level key or table; 1 when not found."""
        first_table = self.tables[0] if self.tables else len(self.lines)
        pattern, table = _key(key), _table_of(key)
        for i, line in enumerate(self.lines):
            if (i < first_table and pattern.match(line)) or table.match(line):
                return i + 1
        return 1
