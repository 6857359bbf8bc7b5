"""The sign-in limiter: per PE login (never fading, below PE's lockout of 10) and per Slack user
(a sliding window), on a clock the test moves; and against the simulator's real lockout."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from identity.limiter import PE_DEFAULT_LOCKOUT, SignInLimiter, SignInLimits, login_key
from standins.orchestrator import Simulator, default_world, serve
from tests.support.harness import Clock

DAY = 86400.0


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(clock: Clock) -> SignInLimiter:
    return SignInLimiter(clock=clock)


def fail(limiter: SignInLimiter, user: str, login: str, times: int) -> None:
    for _ in range(times):
        assert limiter.attempt(user, login).allowed


def test_the_defaults_stay_well_below_pes_lockout() -> None:
    limits = SignInLimits()
    assert PE_DEFAULT_LOCKOUT == 10  # rbac_failed_attempts_lockout's documented default
    assert limits.per_login == 3 < limits.pe_lockout
    assert (limits.per_slack_user, limits.window) == (5, 900.0)


def test_a_limit_at_or_above_pes_lockout_is_refused() -> None:
    with pytest.raises(ValueError, match="below PE's lockout"):
        SignInLimits(per_login=10)
    with pytest.raises(ValueError, match="below PE's lockout"):
        SignInLimits(per_login=5, pe_lockout=5)
    with pytest.raises(ValueError):
        SignInLimits(window=0)


def test_colleagues_together_cannot_spend_more_than_the_logins_budget(
    limiter: SignInLimiter, clock: Clock
) -> None:
    fail(limiter, "U_BOB", "alice", 2)
    fail(limiter, "U_CAROL", "Alice ", 1)  # the same account, however it is typed
    refused = limiter.attempt("U_DAVE", "ALICE")
    assert not refused.allowed and refused.reason == "pe_login"
    assert refused.retry_after is None and refused.login_failures == 3
    # Time does not heal it (PE's count does not fade either) ...
    clock.advance(30 * DAY)
    assert limiter.attempt("U_ALICE", "alice").reason == "pe_login"
    # ... and other logins are untouched.
    assert limiter.attempt("U_DAVE", "dave").allowed


def test_a_success_for_the_login_or_a_reset_clears_its_count(limiter: SignInLimiter) -> None:
    fail(limiter, "U_ALICE", "alice", 2)
    limiter.succeeded("U_ALICE", "alice")
    fail(limiter, "U_BOB", "alice", 2)
    assert limiter.check("U_ALICE", "alice").login_failures == 2
    assert limiter.attempt("U_BOB", "alice").allowed
    assert not limiter.check("U_ALICE", "alice").allowed
    limiter.reset_login("ALICE")  # an admin, or a pasted token PE says is alice's
    assert limiter.check("U_ALICE", "alice").allowed


def test_one_slack_user_is_limited_across_logins_in_a_sliding_window(
    limiter: SignInLimiter, clock: Clock
) -> None:
    for i in range(5):
        assert limiter.attempt("U_EVE", f"victim{i}").allowed
        clock.advance(60)
    refused = limiter.attempt("U_EVE", "victim9")
    assert not refused.allowed and refused.reason == "slack_user"
    assert refused.retry_after == pytest.approx(900 - 300)  # when the oldest leaves the window
    assert limiter.attempt("U_OTHER", "victim9").allowed  # someone else is not limited
    clock.advance(600)
    assert limiter.attempt("U_EVE", "victim9").allowed
    assert not limiter.attempt("U_EVE", "victim10").allowed  # the next one has not left yet
    clock.advance(60)
    assert limiter.attempt("U_EVE", "victim10").allowed


def test_a_success_takes_back_only_its_own_attempt(limiter: SignInLimiter) -> None:
    for login in ("x1", "x1", "y1", "y1"):
        assert limiter.attempt("U_EVE", login).allowed
    assert limiter.attempt("U_EVE", "eve").allowed
    limiter.succeeded("U_EVE", "eve")
    assert limiter.check("U_EVE", "x2").user_failures == 4
    assert limiter.attempt("U_EVE", "x2").allowed
    assert limiter.attempt("U_EVE", "x3").reason == "slack_user"


def test_check_counts_nothing_and_refusals_count_nothing(limiter: SignInLimiter) -> None:
    for _ in range(10):
        assert limiter.check("U1", "alice").allowed
    fail(limiter, "U1", "alice", 3)
    for _ in range(10):
        assert not limiter.attempt("U1", "alice").allowed
    assert limiter.check("U1", "bob").user_failures == 3


def test_concurrent_attempts_cannot_overrun_the_budget(clock: Clock) -> None:
    limiter = SignInLimiter(SignInLimits(per_login=3, per_slack_user=1000), clock=clock)
    barrier = threading.Barrier(16)

    def one(i: int) -> bool:
        barrier.wait()
        return limiter.attempt(f"U{i}", "alice").allowed

    with ThreadPoolExecutor(16) as pool:
        allowed = sum(pool.map(one, range(16)))
    assert allowed == 3


def test_the_counts_survive_a_restart_through_export_and_restore(clock: Clock) -> None:
    first = SignInLimiter(clock=clock)
    fail(first, "U_BOB", "alice", 3)
    fail(first, "U_EVE", "x", 2)
    saved = first.export()
    assert saved["logins"] == {"alice": 3, "x": 2}
    second = SignInLimiter(clock=clock)
    second.restore(saved)
    assert second.check("U_ALICE", "alice").reason == "pe_login"
    assert second.check("U_EVE", "y").user_failures == 2


def test_login_keys_fold_case_and_spaces() -> None:
    assert login_key(" Alice ") == login_key("alice") == "alice"


def test_the_bot_alone_can_never_lock_an_account_in_the_simulator(clock: Clock) -> None:
    """The drill in small: many colleagues try wrong passwords for alice's login through the
    limiter against PE's real lockout (the simulator's, 10 failures); the account survives
    and alice still signs in."""
    sim = Simulator(default_world(), clock=clock)
    limiter = SignInLimiter(clock=clock)
    sent = 0
    with serve(sim, port=0) as running, httpx.Client(base_url=running.url) as http:
        for day in range(5):
            for person in range(8):
                verdict = limiter.attempt(f"U{person}", "operator")
                if verdict.allowed:
                    sent += 1
                    answer = http.post(
                        "/rbac-api/v1/auth/token",
                        json={"login": "operator", "password": f"guess{day}{person}"},
                    )
                    assert answer.status_code == 401
            clock.advance(DAY)
        assert sent == 3 and sim.rbac.locked == set()
        limiter.reset_login("operator")  # e.g. the real operator pasted a token
        assert limiter.attempt("U_OPERATOR", "operator").allowed
        ok = http.post(
            "/rbac-api/v1/auth/token", json={"login": "operator", "password": "operator-password"}
        )
        assert ok.status_code == 200
        limiter.succeeded("U_OPERATOR", "operator")
        assert sim.rbac.failures == {}
