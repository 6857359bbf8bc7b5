"""The RBAC client against the simulator over real HTTP: login, authenticate, revoke, the named
errors, and no password or token in an exception, a repr or a log line (httpx's DEBUG too)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from orchestrator import errors as oe
from orchestrator.connection import ConnectionSettingsError, connect_rbac
from orchestrator.rbac import (
    IssuedToken,
    RbacClient,
    TokenInfo,
    check_label,
    default_rbac_url,
    new_label,
    parse_lifetime,
)
from standins.orchestrator import RunningSimulator, Simulator, default_world, serve
from tests.support.harness import Clock

PASSWORD = "operator-password"
WRONG = "Wr0ng-but-secret-guess"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Simulator:
    return Simulator(default_world(), clock=clock)


@pytest.fixture
def running(sim: Simulator) -> Iterator[RunningSimulator]:
    with serve(sim, port=0) as running:
        yield running


@pytest.fixture
def rbac(running: RunningSimulator) -> Iterator[RbacClient]:
    client = connect_rbac(running.url, timeout=5)
    client._sleep = lambda s: None  # retries without waiting
    yield client
    client.close()


def rendered(exc: BaseException) -> str:
    """What a log of the exception could show: str, repr and attributes of it and of every
    exception chained to it (the source lines of a traceback are code, not data)."""
    shown: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        shown += [str(seen), repr(seen), repr(vars(seen))]
        shown += traceback.format_exception_only(type(seen), seen)
        seen = seen.__cause__ or seen.__context__
    return "\n".join(shown)


def test_login_returns_the_token_and_authenticate_says_whose_and_until_when(
    rbac: RbacClient, clock: Clock
) -> None:
    issued = rbac.login("operator", PASSWORD, "12h", "slack U1")
    assert isinstance(issued, IssuedToken) and len(issued.value) == 44
    assert issued.login == "operator" and issued.label == "slack U1"
    assert issued.value not in repr(issued) and issued.value not in str(issued)
    info = rbac.authenticate(issued.value)
    assert info.login == "operator" and info.display_name == "Ops on call"
    assert info.label == "slack U1" and info.superuser is False and info.remote is False
    expected = datetime.fromtimestamp(int(clock.now), UTC) + timedelta(hours=12)
    assert info.expires == expected
    assert issued.value not in repr(info)


def test_the_token_works_on_the_orchestrator_as_its_user(
    rbac: RbacClient, running: RunningSimulator
) -> None:
    issued = rbac.login("viewer", "viewer-password")
    with httpx.Client(base_url=running.url, headers={"X-Authentication": issued.value}) as http:
        refused = http.post(
            "/orchestrator/v1/command/deploy",
            json={"environment": "production", "scope": {"nodes": ["web01.example.com"]}},
        )
    assert refused.status_code == 403
    assert refused.json()["kind"] == "puppetlabs.orchestrator/not-permitted"


def test_bad_credentials_name_no_password(rbac: RbacClient) -> None:
    with pytest.raises(oe.BadCredentials) as caught:
        rbac.login("operator", WRONG)
    assert caught.value.status == 401
    assert caught.value.kind == "puppetlabs.rbac/user-unauthenticated"
    assert isinstance(caught.value, oe.AuthenticationFailed)
    assert WRONG not in rendered(caught.value)


def test_a_locked_account_is_its_own_error(rbac: RbacClient, sim: Simulator) -> None:
    for _ in range(10):
        with pytest.raises(oe.BadCredentials):
            rbac.login("operator", WRONG)
    with pytest.raises(oe.AccountLocked) as caught:
        rbac.login("operator", PASSWORD)
    assert PASSWORD not in rendered(caught.value)
    # Each failed login reached PE exactly once: a login is never retried.
    assert sim.stats()["routes"]["POST /rbac-api/v1/auth/token"]["requests"] == 11


def test_a_label_in_use_is_its_own_error(rbac: RbacClient) -> None:
    rbac.login("operator", PASSWORD, label="laptop")
    with pytest.raises(oe.LabelInUse) as caught:
        rbac.login("operator", PASSWORD, label="laptop")
    assert caught.value.status == 409 and PASSWORD not in rendered(caught.value)


def test_a_schema_violation_quoting_the_password_is_scrubbed(rbac: RbacClient) -> None:
    # PE's schema-violation details carry the submitted body ("RBAC service errors").
    with pytest.raises(oe.MalformedRequest) as caught:
        rbac.login("", PASSWORD)
    assert caught.value.details["submitted"]["password"] == "[redacted]"
    assert PASSWORD not in rendered(caught.value)


def test_lifetimes_and_labels_pe_would_refuse_are_refused_before_sending(
    rbac: RbacClient, sim: Simulator
) -> None:
    with pytest.raises(ValueError, match="12h"):
        rbac.login("operator", PASSWORD, lifetime="12 hours")
    with pytest.raises(ValueError, match="commas"):
        rbac.login("operator", PASSWORD, label="a,b")
    assert sim.stats()["total"]["requests"] == 0


def test_expired_revoked_and_unknown_tokens_are_named_errors(
    rbac: RbacClient, clock: Clock
) -> None:
    short = rbac.login("admin", "admin-password", "1m").value
    clock.advance(60)
    with pytest.raises(oe.TokenExpired) as expired:
        rbac.authenticate(short)
    revoked = rbac.login("admin", "admin-password", "1h").value
    rbac.revoke(revoked)
    with pytest.raises(oe.TokenRevoked) as gone:
        rbac.authenticate(revoked)
    with pytest.raises(oe.InvalidToken) as unknown:
        rbac.authenticate("Z" * 44)
    assert expired.value.status == 403 and gone.value.status == 403
    for caught, secret in ((expired, short), (gone, revoked), (unknown, "Z" * 44)):
        assert secret not in rendered(caught.value)


def test_revoke_is_idempotent_and_a_dead_token_cannot_authorise_its_own_revocation(
    rbac: RbacClient,
) -> None:
    token = rbac.login("operator", PASSWORD).value
    rbac.revoke(token)
    with pytest.raises(oe.TokenRevoked):
        rbac.revoke(token)  # it authenticates its own request, and it is revoked
    rbac.revoke(token, auth_token="demo-token")  # any live token may revoke it again


def test_a_malformed_token_echoed_by_rbac_is_scrubbed(rbac: RbacClient) -> None:
    with pytest.raises(oe.InvalidToken) as caught:
        rbac.revoke("notAToken", auth_token="demo-token")
    assert "notAToken" not in rendered(caught.value)
    assert caught.value.details["malformed_tokens"] == ["[redacted]"]
    assert "demo-token" not in rendered(caught.value)


def test_the_docs_bare_kind_is_read_as_rbac_and_scrubbed() -> None:
    # The error body example of DELETE /tokens/<token> (puppetlabs/docs-archive,
    # rbac_api_v2_tokens): a bare kind, and the token quoted in msg and details.
    body = {
        "kind": "malformed-request",
        "msg": "The following token is malformed: notAToken. This can be caused by an error "
        "while copying and pasting. No tokens were revoked.",
        "details": {
            "malformed_tokens": ["notAToken"], "malformed_labels": [], "malformed_usernames": [],
            "nonexistent_usernames": [], "permission_denied_usernames": [],
            "unrecognized_parameters": [], "other_tokens_revoked": False,
        },
    }  # fmt: skip
    transport = httpx.MockTransport(lambda request: httpx.Response(400, json=body))
    client = RbacClient(httpx.Client(transport=transport), "https://pe.example.com:4433")
    with pytest.raises(oe.InvalidToken) as caught:
        client.revoke("notAToken", auth_token="service-token")
    assert caught.value.kind == "puppetlabs.rbac/malformed-request"
    assert "notAToken" not in rendered(caught.value)


def test_the_docs_authenticate_example_parses() -> None:
    # The example response of POST /auth/token/authenticate (help.puppet.com, 2023.8), with a
    # date in place of its YYYY-MM-DD placeholders.
    example = {
        "description": None, "creation": "2024-03-01T22:24:30Z", "email": "franz@kafka.com",
        "is_revoked": False, "last_active": "2024-03-01T22:24:31Z",
        "last_login": "2024-03-01T22:24:31.340Z", "expiration": "2024-03-01T22:29:30Z",
        "is_remote": False, "client": None, "login": "franz@kafka.com", "is_superuser": False,
        "label": None, "id": "c84bae61-f668-4a18-9a4a-5e33a97b716c", "role_ids": [1, 2, 3],
        "user_id": "c84bae61-f668-4a18-9a4a-5e33a97b716c", "timeout": None,
        "display_name": "Franz Kafka", "is_group": False,
    }  # fmt: skip
    info = TokenInfo.parse(example)
    assert info.login == "franz@kafka.com" and info.display_name == "Franz Kafka"
    assert info.expires == datetime(2024, 3, 1, 22, 29, 30, tzinfo=UTC)
    assert info.user_id == "c84bae61-f668-4a18-9a4a-5e33a97b716c" and info.label is None


def test_an_rbac_outage_is_unavailable_and_only_reads_are_retried(
    rbac: RbacClient, sim: Simulator
) -> None:
    sim.set_faults(unavailable=True)
    with pytest.raises(oe.Unavailable) as login_failed:
        rbac.login("operator", PASSWORD)
    with pytest.raises(oe.Unavailable):
        rbac.authenticate("operator-token")
    routes = sim.stats()["routes"]
    assert routes["POST /rbac-api/v1/auth/token"]["requests"] == 1
    assert routes["POST /rbac-api/v2/auth/token/authenticate"]["requests"] == 3
    assert login_failed.value.status == 503 and PASSWORD not in rendered(login_failed.value)


def test_an_unreachable_rbac_service_names_no_secret(running: RunningSimulator) -> None:
    client = connect_rbac(running.url, timeout=2)
    client._sleep = lambda s: None
    running.stop()
    with pytest.raises(oe.Unavailable) as caught:
        client.login("operator", PASSWORD)
    assert caught.value.__cause__ is None and PASSWORD not in rendered(caught.value)
    with pytest.raises(oe.Unavailable) as again:
        client.revoke("operator-token")
    assert "operator-token" not in rendered(again.value)


def test_no_password_or_token_reaches_any_log_even_httpx_debug(
    rbac: RbacClient, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: httpx, httpcore, ours, everything
    issued = rbac.login("operator", PASSWORD, "1h", "debug")
    rbac.authenticate(issued.value)
    with pytest.raises(oe.BadCredentials):
        rbac.login("operator", WRONG)
    rbac.revoke(issued.value)
    with pytest.raises(oe.TokenRevoked):
        rbac.authenticate(issued.value)
    with pytest.raises(oe.InvalidToken):
        rbac.revoke("notAToken", auth_token="demo-token")
    text = caplog.text + "".join(repr(r.args) + repr(r.__dict__) for r in caplog.records)
    assert "HTTP Request: POST" in text  # httpx's own INFO line was captured
    assert "send_request_body" in text  # and httpcore's DEBUG trace
    for secret in (PASSWORD, WRONG, issued.value, "notAToken", "demo-token"):
        assert secret not in text
    assert repr(rbac).startswith("RbacClient(") and "password" not in repr(rbac)


def test_tls_is_verified_against_the_pe_ca() -> None:
    with pytest.raises(ConnectionSettingsError, match="PE_CA_CERT.*PE_RBAC_URL"):
        connect_rbac("https://pe.example.com:4433")
    with pytest.raises(ConnectionSettingsError, match="PE_RBAC_URL must be https"):
        connect_rbac("http://pe.example.com:4433")


def test_the_default_rbac_url_is_the_orchestrators_host_on_4433() -> None:
    assert default_rbac_url("https://pe.example.com:8143") == "https://pe.example.com:4433"
    assert default_rbac_url("https://[2001:db8::1]:8143/") == "https://[2001:db8::1]:4433"


def test_lifetimes_and_labels() -> None:
    assert parse_lifetime("12h") == 43200 and parse_lifetime("90") == 90
    assert parse_lifetime("0") == 0 and parse_lifetime("1y") == 365 * 86400
    for bad in ("12 h", "1w", "", "-3h"):
        with pytest.raises(ValueError):
            parse_lifetime(bad)
    assert check_label("  bot  ") == "bot"
    for bad in ("", "   ", "a,b", "x" * 201):
        with pytest.raises(ValueError):
            check_label(bad)
    labels = {new_label("U1, <evil>", 1_700_000_000.0) for _ in range(50)}
    assert len(labels) == 50
    for label in labels:
        assert label.startswith("slack-chatops U1evil 2023-11-14T22:13:20Z ")
        assert "," not in label and len(label) <= 200
