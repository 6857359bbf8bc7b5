"""The budget: Slack's published limits, charged when a call returns, spent by priority, and
lowered while Slack still answers 429."""

from __future__ import annotations

import pytest

from delivery.budget import POST_MESSAGE, Budget, Priority
from tests.support.harness import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def budget(clock: Clock) -> Budget:
    return Budget(clock)


def test_a_tier_3_method_gets_one_call_every_1_2_seconds_counted_from_its_return(
    budget: Budget, clock: Clock
) -> None:
    first = budget.try_take("chat.update")
    assert first is not None
    assert budget.try_take("chat.update") is None  # one in flight at a time
    clock.advance(0.3)  # the call took 0.3 s: Slack may have seen it as late as this
    budget.done(first)
    assert budget.wait("chat.update") == pytest.approx(1.2)
    clock.advance(1.19)
    assert budget.try_take("chat.update") is None
    clock.advance(0.01)
    assert budget.try_take("chat.update") is not None


def test_methods_have_their_own_buckets(budget: Budget) -> None:
    budget.done(budget.try_take("chat.update"))  # type: ignore[arg-type]
    assert budget.try_take("chat.update") is None
    assert budget.try_take("views.open") is not None
    assert budget.try_take("conversations.history") is not None


def test_posts_have_a_burst_of_three_per_channel_under_the_workspace_ceiling(
    budget: Budget, clock: Clock
) -> None:
    def post(channel: str) -> bool:
        ticket = budget.try_take(POST_MESSAGE, channel)
        if ticket is not None:
            budget.done(ticket)
        return ticket is not None

    assert [post("C1") for _ in range(4)] == [True, True, True, False]
    assert [post(f"C{i}") for i in range(2, 9)] == [True] * 7  # 10 in all: the workspace burst
    assert not post("C9")
    assert budget.wait(POST_MESSAGE) == pytest.approx(0.2, abs=1e-3)
    clock.advance(1.0)
    assert post("C1")


def test_a_call_that_cannot_wait_goes_first_and_is_counted(budget: Budget, clock: Clock) -> None:
    urgent = budget.take("chat.update", priority=Priority.PERSON)
    assert budget.try_take("chat.update") is None  # the queued edit waits behind it
    budget.done(urgent)
    assert budget.wait("chat.update") == pytest.approx(1.2)
    assert budget.report()["chat.update"]["calls_last_minute"] == 1


def test_a_429_pauses_the_bucket_and_lowers_the_rate_until_slack_stops_refusing(
    budget: Budget, clock: Clock
) -> None:
    ticket = budget.try_take("chat.update")
    assert ticket is not None
    budget.done(ticket, retry_after=5)
    assert budget.wait("chat.update") == pytest.approx(5)
    report = budget.report()["chat.update"]
    assert (report["assumed_per_minute"], report["refused_429"]) == (35.0, 1)
    clock.advance(5)
    ticket = budget.try_take("chat.update")
    assert ticket is not None
    budget.done(ticket, retry_after=1)
    assert budget.report()["chat.update"]["assumed_per_minute"] == 24.5
    # Quiet for 30 s: the assumed rate climbs back a quarter at a time, up to the published one.
    assumed = []
    for _ in range(6):
        clock.advance(30)
        ticket = budget.try_take("chat.update")
        assert ticket is not None
        budget.done(ticket)
        assumed.append(budget.report()["chat.update"]["assumed_per_minute"])
    assert assumed == sorted(assumed) and assumed[-1] == 50.0


def test_refusals_of_calls_already_in_flight_lower_the_rate_once(
    budget: Budget, clock: Clock
) -> None:
    for _ in range(5):  # five 429s within one Retry-After: one slowdown, not five
        budget.refused("chat.update", None, 2)
    assert budget.report()["chat.update"]["assumed_per_minute"] == 35.0
    for _ in range(20):
        clock.advance(3)
        budget.refused("chat.update", None, 2)
    assert budget.report()["chat.update"]["assumed_per_minute"] == 12.5  # a quarter at most


def test_a_post_refused_in_one_channel_holds_posting_for_its_retry_after(
    budget: Budget, clock: Clock
) -> None:
    ticket = budget.try_take(POST_MESSAGE, "C1")
    assert ticket is not None
    budget.done(ticket, retry_after=2)
    assert budget.try_take(POST_MESSAGE, "C1") is None
    assert budget.try_take(POST_MESSAGE, "C2") is None  # the workspace may be what refused
    clock.advance(2)
    assert budget.try_take(POST_MESSAGE, "C2") is not None


def test_the_report_counts_the_last_minute_only(budget: Budget, clock: Clock) -> None:
    for _ in range(3):
        budget.done(budget.take("views.open"))
        clock.advance(25)
    report = budget.report()["views.open"]
    assert report["calls_last_minute"] == 2
    assert report["limit_per_minute"] == 100


def test_a_step_up_that_earns_a_429_makes_the_next_step_wait_longer(
    budget: Budget, clock: Clock
) -> None:
    def assumed_after(seconds: float) -> float:
        clock.advance(seconds)
        ticket = budget.try_take("chat.update")
        assert ticket is not None
        budget.done(ticket)
        return budget.report()["chat.update"]["assumed_per_minute"]

    budget.refused("chat.update", None, 1)
    assert assumed_after(30) == 43.8  # 35 stepped up a quarter
    budget.refused("chat.update", None, 1)  # one step too many
    assert assumed_after(30) == 30.6  # not yet: it now waits a minute
    assert assumed_after(30) == 38.3
