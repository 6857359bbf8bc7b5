"""The simulator's RBAC token endpoints over real HTTP, and its tokens on the orchestrator API.

Shapes and kinds from help.puppet.com: "POST /auth/token", "Tokens endpoints" (label rules,
lifetimes), "POST /auth/token/authenticate" (its example body), "DELETE /tokens" (error body
keys), "RBAC service errors" (user-unauthenticated, user-revoked, conflict, schema-violation),
"Configure RBAC and token-based authentication settings" (lockout after 10 failed logins).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from standins.orchestrator import Simulator, default_world, serve, world_from_dict
from standins.orchestrator.rbac import TOKEN_LENGTH, parse_lifetime

from .helpers import FakeClock

RBAC = "puppetlabs.rbac/"
LOGIN = "/rbac-api/v1/auth/token"
AUTHENTICATE = "/rbac-api/v2/auth/token/authenticate"
TOKENS = "/rbac-api/v2/tokens"
ORCH = "/orchestrator/v1"
WEB01 = {"nodes": ["web01.example.com"]}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Simulator:
    return Simulator(default_world(), clock=clock)


@pytest.fixture
def http(sim: Simulator) -> Iterator[httpx.Client]:
    with serve(sim, port=0) as running, httpx.Client(base_url=running.url, timeout=5) as client:
        yield client


def login(http: httpx.Client, user: str, password: str, **extra: Any) -> httpx.Response:
    return http.post(LOGIN, json={"login": user, "password": password, **extra})


def token_for(http: httpx.Client, user: str, **extra: Any) -> str:
    response = login(http, user, f"{user}-password", **extra)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def as_user(token: str) -> dict[str, str]:
    return {"X-Authentication": token}


def error(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["kind"] == RBAC + kind and isinstance(body["msg"], str) and body["msg"]
    return body


def test_a_login_gets_a_token_that_authenticates_as_that_user(http: httpx.Client) -> None:
    response = login(http, "operator", "operator-password", lifetime="4h", label="four-hour")
    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    token = response.json()["token"]
    assert len(token) == TOKEN_LENGTH and token.isalnum()
    subject = http.post(AUTHENTICATE, json={"token": token, "update_last_activity?": False})
    assert subject.status_code == 200
    body = subject.json()
    # Every key of the 2023.8 docs' example, nothing else.
    assert set(body) == {
        "description", "creation", "email", "is_revoked", "last_active", "last_login",
        "expiration", "is_remote", "client", "login", "is_superuser", "label", "id", "role_ids",
        "user_id", "timeout", "display_name", "is_group",
    }  # fmt: skip
    assert body["login"] == "operator" and body["label"] == "four-hour"
    assert body["is_superuser"] is False and body["id"] == body["user_id"]
    assert body["creation"] == "2023-11-14T22:13:20Z"
    assert body["expiration"] == "2023-11-15T02:13:20Z"  # four hours on the simulator's clock


def test_the_default_users_sign_in_with_their_passwords(http: httpx.Client) -> None:
    for user in ("admin", "operator", "viewer"):
        subject = http.post(AUTHENTICATE, json={"token": token_for(http, user)}).json()
        assert subject["login"] == user
        assert subject["is_superuser"] is (user == "admin")


@pytest.mark.parametrize(
    "lifetime, seconds",
    [("12h", 43200), ("30", 30), (90, 90), ("2d", 172800), ("5m", 300), ("1y", 31536000)],
)
def test_lifetimes_are_a_number_and_a_unit_seconds_without_one(
    http: httpx.Client, clock: FakeClock, lifetime: object, seconds: int
) -> None:
    token = token_for(http, "admin", lifetime=lifetime)
    clock.tick(seconds - 1)
    assert http.get(ORCH + "/jobs", headers=as_user(token)).status_code == 200
    clock.tick(1)
    error(http.get(ORCH + "/jobs", headers=as_user(token)), 401, "token-expired")


def test_no_lifetime_is_the_default_hour_and_zero_the_ten_year_maximum(
    http: httpx.Client, clock: FakeClock
) -> None:
    default = token_for(http, "admin")
    longest = token_for(http, "admin", lifetime="0")
    clock.tick(3600)
    error(http.get(ORCH + "/jobs", headers=as_user(default)), 401, "token-expired")
    clock.tick(9 * 365 * 86400)
    assert http.get(ORCH + "/jobs", headers=as_user(longest)).status_code == 200


@pytest.mark.parametrize("lifetime", ["12 h", "h", "-1h", "1w", "", True, [1]])
def test_a_lifetime_pe_cannot_read_is_refused_without_counting(
    http: httpx.Client, sim: Simulator, lifetime: object
) -> None:
    error(login(http, "admin", "admin-password", lifetime=lifetime), 400, "malformed-request")
    error(login(http, "admin", "admin-password", lifetime="11y"), 400, "malformed-request")
    assert sim.rbac.summary(0)["tokens"] == []


@pytest.mark.parametrize("label", [" ", "a,b", "x" * 201, 7])
def test_labels_pe_refuses(http: httpx.Client, label: object) -> None:
    error(login(http, "admin", "admin-password", label=label), 400, "malformed-request")


def test_a_label_the_user_already_has_is_refused_but_other_users_may_use_it(
    http: httpx.Client,
) -> None:
    first = token_for(http, "operator", label="  my token ")
    assert http.post(AUTHENTICATE, json={"token": first}).json()["label"] == "my token"
    body = error(login(http, "operator", "operator-password", label="my token"), 409, "conflict")
    assert body["details"] == {"label": "my token"}
    token_for(http, "admin", label="my token")  # labels are per user
    # Once the labelled token is revoked, the label is free again.
    assert http.request(
        "DELETE", TOKENS, headers=as_user(first), json={"revoke_tokens": [first]}
    ).status_code == 204  # fmt: skip
    token_for(http, "operator", label="my token")


def test_bad_credentials_are_401_and_the_tenth_failure_revokes_the_account(
    http: httpx.Client, sim: Simulator
) -> None:
    standing = token_for(http, "operator", lifetime="1d")
    assert http.get(ORCH + "/jobs", headers=as_user("operator-token")).status_code == 200
    for attempt in range(1, 11):
        body = error(login(http, "operator", f"guess-{attempt}"), 401, "user-unauthenticated")
        assert "guess" not in body["msg"]
        assert sim.rbac.failures.get("operator") == attempt or attempt == 10
    assert sim.rbac.locked == {"operator"}
    # Locked: even the right password is refused, and the account's tokens stop working.
    error(login(http, "operator", "operator-password"), 401, "user-revoked")
    error(http.get(ORCH + "/jobs", headers=as_user(standing)), 401, "user-revoked")
    error(http.get(ORCH + "/jobs", headers=as_user("operator-token")), 401, "user-revoked")
    error(http.post(AUTHENTICATE, json={"token": standing}), 401, "user-revoked")
    assert http.get(ORCH + "/jobs", headers=as_user("demo-token")).status_code == 200
    # An administrator's reset (the simulator's admin API) reinstates it.
    assert http.get("/_sim/rbac").json()["locked"] == ["operator"]
    unlocked = http.post("/_sim/rbac/unlock", json={"login": "operator"}).json()
    assert unlocked == {"login": "operator", "was_locked": True}
    assert http.get(ORCH + "/jobs", headers=as_user(standing)).status_code == 200


def test_a_good_login_clears_the_failures_and_unknown_logins_count_nothing(
    http: httpx.Client, sim: Simulator
) -> None:
    for _ in range(9):
        error(login(http, "viewer", "nope"), 401, "user-unauthenticated")
    token_for(http, "viewer")
    for _ in range(9):
        error(login(http, "viewer", "nope"), 401, "user-unauthenticated")
    assert sim.rbac.locked == set() and sim.rbac.failures == {"viewer": 9}
    error(login(http, "nobody", "nope"), 401, "user-unauthenticated")
    assert "nobody" not in sim.rbac.failures


def test_a_world_sets_the_lockout_and_users_without_password_cannot_log_in() -> None:
    world = world_from_dict(
        {
            "settings": {"failed_attempts_lockout": 2},
            "users": [
                {"token": "t1", "login": "alice", "password": "pw"},
                {"token": "t2", "login": "sso-user"},
            ],
        }
    )
    with serve(Simulator(world, token="t0"), port=0) as running, httpx.Client(
        base_url=running.url
    ) as http:  # fmt: skip
        error(login(http, "sso-user", "anything"), 401, "user-unauthenticated")
        error(login(http, "alice", "x"), 401, "user-unauthenticated")
        error(login(http, "alice", "x"), 401, "user-unauthenticated")
        error(login(http, "alice", "pw"), 401, "user-revoked")


@pytest.mark.parametrize(
    "body, what",
    [
        ({"login": "admin"}, "password"),
        ({"password": "admin-password"}, "login"),
        ({"login": "admin", "password": "admin-password", "extra": 1}, "extra"),
    ],
)
def test_a_malformed_login_body_is_a_schema_violation(
    http: httpx.Client, body: dict[str, Any], what: str
) -> None:
    found = error(http.post(LOGIN, json=body), 400, "schema-violation")
    assert what in found["msg"]
    assert found["details"]["submitted"] == body  # as PE's schema-violation details say
    error(http.post(LOGIN, content=b"{nope"), 400, "malformed-request")


def test_authenticate_refuses_revoked_expired_and_unknown_tokens(
    http: httpx.Client, clock: FakeClock
) -> None:
    error(http.post(AUTHENTICATE, json={"token": "x" * 44}), 400, "invalid-token")
    error(http.post(AUTHENTICATE, json={"token": "revoked-token"}), 403, "token-revoked")
    error(http.post(AUTHENTICATE, json={"token": "expired-token"}), 403, "token-expired")
    short = token_for(http, "viewer", lifetime="1m")
    clock.tick(60)
    error(http.post(AUTHENTICATE, json={"token": short}), 403, "token-expired")
    assert http.post(AUTHENTICATE, json={"token": "viewer-token"}).json()["login"] == "viewer"


def test_revoking_a_token_in_the_body_stops_it_everywhere(
    http: httpx.Client, sim: Simulator
) -> None:
    token = token_for(http, "operator", label="bot")
    other = token_for(http, "operator", label="laptop")
    response = http.request(
        "DELETE", TOKENS, headers=as_user(token), json={"revoke_tokens": [token]}
    )
    assert response.status_code == 204 and response.content == b""
    error(http.get(ORCH + "/jobs", headers=as_user(token)), 401, "token-revoked")
    error(http.post(AUTHENTICATE, json={"token": token}), 403, "token-revoked")
    error(http.post("/pdb/query/v4", headers=as_user(token), json={"query": "nodes{}"}), 401,
          "token-revoked")  # fmt: skip
    assert http.get(ORCH + "/jobs", headers=as_user(other)).status_code == 200
    # Idempotent, and any user holding a token whole may revoke it.
    again = http.request(
        "DELETE", TOKENS, headers=as_user("viewer-token"), json={"revoke_tokens": [token, other]}
    )
    assert again.status_code == 204
    error(http.get(ORCH + "/jobs", headers=as_user(other)), 401, "token-revoked")
    assert [t["revoked"] for t in sim.rbac.summary(0)["tokens"]] == [True, True]


def test_revoking_needs_authentication_and_well_formed_input(http: httpx.Client) -> None:
    token = token_for(http, "operator")
    error(http.request("DELETE", TOKENS, json={"revoke_tokens": [token]}), 401,
          "user-unauthenticated")  # fmt: skip
    body = error(
        http.request(
            "DELETE", TOKENS, headers=as_user("demo-token"), json={"revoke_tokens": ["notAToken"]}
        ),
        400,
        "malformed-token-request",
    )
    assert body["details"]["malformed_tokens"] == ["notAToken"]
    assert body["details"]["other_tokens_revoked"] is False
    assert body["msg"].endswith("No tokens were revoked.")
    assert set(body["details"]) == {
        "malformed_tokens", "malformed_labels", "malformed_usernames", "nonexistent_usernames",
        "permission_denied_usernames", "unrecognized_parameters", "other_tokens_revoked",
    }  # fmt: skip
    error(http.request("DELETE", TOKENS, headers=as_user("demo-token"), json={}), 400,
          "malformed-token-request")  # fmt: skip
    # Comma-separated in the query works too, combined with the body.
    assert http.request(
        "DELETE", TOKENS + f"?revoke_tokens={token}", headers=as_user("demo-token")
    ).status_code == 204  # fmt: skip
    error(http.get(ORCH + "/jobs", headers=as_user(token)), 401, "token-revoked")
    # The caller may authenticate with ?token=, which is no revoke parameter.
    other = token_for(http, "operator")
    by_query = http.request(
        "DELETE", TOKENS + "?token=demo-token", json={"revoke_tokens": [other], "nope": 1}
    )
    body = error(by_query, 400, "malformed-token-request")
    assert body["details"]["unrecognized_parameters"] == ["nope"]
    assert body["details"]["other_tokens_revoked"] is True
    assert body["msg"].endswith("All other tokens were successfully revoked.")
    error(http.get(ORCH + "/jobs", headers=as_user(other)), 401, "token-revoked")


def test_revoking_by_label_and_by_user_name(http: httpx.Client) -> None:
    mine = token_for(http, "operator", label="ci")
    body = {"revoke_tokens_by_labels": ["ci"]}
    assert http.request("DELETE", TOKENS, headers=as_user(mine), json=body).status_code == 204
    error(http.get(ORCH + "/jobs", headers=as_user(mine)), 401, "token-revoked")
    theirs = token_for(http, "viewer")
    denied = http.request(
        "DELETE", TOKENS, headers=as_user("operator-token"),
        json={"revoke_tokens_by_usernames": ["viewer"]},
    )  # fmt: skip
    assert error(denied, 403, "permission-denied")["details"]["permission_denied_usernames"] == [
        "viewer"
    ]
    assert http.get(ORCH + "/jobs", headers=as_user(theirs)).status_code == 200
    assert http.request(
        "DELETE", TOKENS, headers=as_user("demo-token"),
        json={"revoke_tokens_by_usernames": ["viewer"]},
    ).status_code == 204  # fmt: skip
    error(http.get(ORCH + "/jobs", headers=as_user(theirs)), 401, "token-revoked")


def test_a_jobs_owner_is_the_user_whose_token_started_it(http: httpx.Client) -> None:
    token = token_for(http, "operator")
    started = http.post(
        ORCH + "/command/task",
        headers=as_user(token),
        json={"task": "facts", "params": {}, "scope": WEB01},
    )
    assert started.status_code == 202, started.text
    job = http.get(ORCH + "/jobs/" + started.json()["job"]["name"], headers=as_user("demo-token"))
    assert job.json()["owner"]["login"] == "operator"
    plan = http.post(
        ORCH + "/command/plan_run",
        headers=as_user(token),
        json={"plan_name": "canary", "params": {"nodes": ["web01.example.com"], "command": "ls"}},
    )
    assert plan.status_code == 202, plan.text
    plan_job = http.get(ORCH + "/plan_jobs/" + plan.json()["name"], headers=as_user(token))
    assert plan_job.json()["owner"]["login"] == "operator"


@pytest.mark.parametrize(
    "user, command, body",
    [
        ("operator", "task", {"task": "exec", "params": {"command": "id"}, "scope": WEB01}),
        ("operator", "plan_run", {"plan_name": "profile::firewall", "params": {}}),
        ("viewer", "deploy", {"environment": "production", "scope": WEB01}),
        ("viewer", "task", {"task": "facts", "params": {}, "scope": WEB01}),
        ("viewer", "plan_run", {"plan_name": "canary", "params": {"nodes": "web01.example.com"}}),
    ],
)
def test_a_command_the_user_may_not_run_is_refused_as_pe_refuses_it(
    http: httpx.Client, sim: Simulator, user: str, command: str, body: dict[str, Any]
) -> None:
    token = token_for(http, user)
    refused = http.post(f"{ORCH}/command/{command}", headers=as_user(token), json=body)
    assert refused.status_code == 403, refused.text
    assert refused.json()["kind"] == "puppetlabs.orchestrator/not-permitted"
    assert user in refused.json()["msg"]
    assert sim._engine.jobs == {}


def test_plans_report_permitted_for_the_asking_user(http: httpx.Client) -> None:
    def permitted(token: str) -> dict[str, bool]:
        items = http.get(ORCH + "/plans", headers=as_user(token)).json()["items"]
        return {p["name"]: p["permitted"] for p in items}

    admin, operator, viewer = (token_for(http, u) for u in ("admin", "operator", "viewer"))
    assert permitted(admin)["profile::firewall"] is True
    assert permitted(admin)["canary::random"] is False  # not permitted for anyone in the world
    assert {n for n, ok in permitted(operator).items() if ok} == {"canary"}
    assert not any(permitted(viewer).values())
    detail = http.get(ORCH + "/plans/canary/init", headers=as_user(viewer)).json()
    assert detail["permitted"] is False


def test_tasks_report_no_per_user_permission_as_in_pe(http: httpx.Client) -> None:
    # GET /tasks documents only {id, name} per item, GET /tasks/<m>/<t> {id, name,
    # environment, metadata, files}: PE says whether a task may run only by refusing it.
    token = token_for(http, "viewer")
    items = http.get(ORCH + "/tasks", headers=as_user(token)).json()["items"]
    assert items and all(set(i) == {"id", "name"} for i in items)
    detail = http.get(ORCH + "/tasks/package/init", headers=as_user(token)).json()
    assert set(detail) == {"id", "name", "environment", "metadata", "files"}


def test_rbac_routes_count_in_stats_and_go_down_with_the_service(
    http: httpx.Client, sim: Simulator
) -> None:
    token_for(http, "admin")
    assert sim.stats()["routes"][f"POST {LOGIN}"]["requests"] == 1
    error(http.get(LOGIN), 405, "not-found")
    sim.set_faults(unavailable=True)
    assert login(http, "admin", "admin-password").status_code == 503
    sim.clear_faults()


def test_parse_lifetime_matches_the_docs() -> None:
    assert parse_lifetime("4m") == 240 and parse_lifetime("0") == 0 and parse_lifetime(7) == 7
    with pytest.raises(ValueError):
        parse_lifetime("4 m")
