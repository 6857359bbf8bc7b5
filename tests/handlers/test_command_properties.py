"""Arbitrary text at every command, through the real Bolt app: never an internal error; always
either a request to the orchestrator or a private usage answer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.harness import close_harness, make_harness

WORDS = st.sampled_from(
    [
        "production",
        "development",
        "--nodes",
        "web01.example.com",
        "--noop",
        "--no-noop",
        "--query",
        "'nodes[certname] { }'",
        "--node-group",
        "00000000-0000-4000-8000-000000000000",
        "--concurrency",
        "3",
        "-e",
        "help",
        "list",
        "show",
        "plan",
        "target",
        "create",
        "--force",
        "package",
        "action=status",
        "name=openssl",
        "canary",
        "nodes=web01.example.com",
        "=",
        "'",
        '"',
        "--params",
        '{"a":1}',
        "&lt;",
        "&amp;",
        "<http://x|x>",
        "1",
        "--timeout",
        "--via",
    ]
)
TEXT = st.one_of(st.text(max_size=200), st.lists(WORDS, max_size=12).map(" ".join))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=st.sampled_from(["/deploy", "/task", "/plan", "/stop"]), text=TEXT)
def test_any_text_gets_a_request_or_a_clear_answer(command: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        harness = make_harness(Path(tmp))
        try:
            response = harness.command(f"{command} {text}")
            assert response.status == 200
            answers = " ".join(r.text for r in harness.responses())
            assert "internal error" not in answers
            usage = "ephemeral" in (response.body or "") and "Working on it" not in response.body
            asked = bool(harness.sim_requests)
            assert usage or asked or answers, (command, text)
        finally:
            close_harness(harness)
