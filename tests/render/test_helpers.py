"""The phrase helpers templates share: what they print, and that user text in them is escaped."""

from __future__ import annotations

from render.renderer import Renderer, Safe, counted, people, plural


def test_people_are_mentions_separated_by_commas() -> None:
    assert people(["U1", "U2"]) == "<@U1>, <@U2>" and people([]) == ""
    assert people(["U1>x"]) == "<@U1&gt;x>"


def test_counted_pairs_read_as_numbers_and_words() -> None:
    assert counted([("running", 2), ("finished", 1)]) == "2 running, 1 finished"
    assert counted([("<!here>", 1)]) == "1 &lt;!here&gt;"


def test_plural_adds_an_s_unless_the_number_is_one() -> None:
    assert (plural(1, "node"), plural(0, "node"), plural(3, "node")) == (
        "1 node",
        "0 nodes",
        "3 nodes",
    )
    assert plural(2, "<b>") == "2 &lt;b&gt;s"


def test_helpers_are_left_as_they_are_by_the_template() -> None:
    markup = (
        Renderer()
        .env.from_string("{{ people(ids) }} · {{ plural(n, 'node') }}")
        .render(ids=["U1"], n=2)
    )
    assert markup == "<@U1> · 2 nodes"
    assert isinstance(people(["U1"]), Safe)
