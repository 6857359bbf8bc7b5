"""Slack text → words: quoting, smart quotes, HTML entities and auto-links."""

from __future__ import annotations

import pytest

from commands.grammar import Form
from commands.intents import UsageError
from commands.tokens import tokenize

FORM = Form("deploy", "/deploy ...")


def words(text: str) -> list[str]:
    return tokenize(text, FORM)


def test_shell_quoting_keeps_quoted_words_together() -> None:
    assert words("a 'b c' \"d e\" f") == ["a", "b c", "d e", "f"]


def test_quote_inside_a_word_joins_it() -> None:
    assert words("targets=query:'nodes[certname] { }'") == ["targets=query:nodes[certname] { }"]


def test_empty_quotes_are_an_empty_word() -> None:
    assert words("'' --nodes a") == ["", "--nodes", "a"]


def test_smart_double_quotes_are_normalised() -> None:
    assert words("--description \u201cweekly run\u201d") == ["--description", "weekly run"]


def test_smart_single_quotes_are_normalised() -> None:
    assert words("--query \u2018nodes[certname] { }\u2019") == ["--query", "nodes[certname] { }"]


def test_curly_apostrophe_inside_a_word_stays_an_apostrophe() -> None:
    assert words("--description Don\u2019t panic") == ["--description", "Don\u2019t", "panic"]


def test_html_entities_are_decoded() -> None:
    text = "--query 'nodes[certname] { facts { value &gt; 3 &amp;&amp; x &lt; 2 } }'"
    assert words(text)[1] == "nodes[certname] { facts { value > 3 && x < 2 } }"


def test_entities_are_decoded_once() -> None:
    assert words("&amp;lt;") == ["&lt;"]


def test_slack_auto_link_is_unwrapped_to_its_label() -> None:
    text = "--nodes <http://web01.example.com|web01.example.com>,<http://web02.example.com|web02.example.com>"
    assert words(text) == ["--nodes", "web01.example.com,web02.example.com"]


def test_mailto_link_is_unwrapped() -> None:
    assert words("--userdata owner=<mailto:a@b.example|a@b.example>") == [
        "--userdata",
        "owner=a@b.example",
    ]
    assert words("<mailto:a@b.example>") == ["a@b.example"]


def test_link_without_label_keeps_the_url() -> None:
    assert words("<https://example.com/x>") == ["https://example.com/x"]


def test_backslashes_are_kept_as_typed() -> None:
    assert words(r"path=C:\temp\x.ps1") == [r"path=C:\temp\x.ps1"]


def test_hash_is_not_a_comment() -> None:
    assert words("--description #ops") == ["--description", "#ops"]


def test_non_breaking_space_separates_words() -> None:
    assert words("a\u00a0b") == ["a", "b"]


@pytest.mark.parametrize("text", ["--description 'oops", 'say "hi', "Bob's fix"])
def test_unclosed_quote_is_refused_naming_it(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        words(text)
    assert "never closed" in caught.value.message
    assert caught.value.usage == "/deploy ..."
