"""Slash commands through the real Bolt app: signed requests in, orchestrator bodies out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.harness import Harness, block_text


def sent(h: Harness, endpoint: str) -> dict[str, Any]:
    bodies = h.requests_seen(endpoint)
    assert len(bodies) == 1, f"expected one POST to {endpoint}, saw {bodies}"
    body = dict(bodies[0])
    userdata = dict(body.pop("userdata", {}) or {})
    assert userdata.pop("chatops_request")
    assert userdata.pop("chatops_slack_user") == "U0ALICE"
    if userdata:
        body["userdata"] = userdata
    return body


def test_deploy_sends_every_documented_key(harness: Harness) -> None:
    response = harness.command(
        "/deploy production --nodes web01.example.com,web02.example.com --noop --concurrency 2 "
        "--tags a,b --skip-tags c --description 'weekly run' --debug --trace --evaltrace "
        "--filetimeout 5 --http-connect-timeout 6 --http-keepalive-timeout 7 "
        "--http-read-timeout 8 --ordering random --use-cached-catalog --usecacheonfailure "
        "--userdata ticket=INC1 --enforce-environment"
    )
    assert response.status == 200
    assert sent(harness, "/command/deploy") == {
        "environment": "production",
        "scope": {"nodes": ["web01.example.com", "web02.example.com"]},
        "noop": True,
        "concurrency": 2,
        "tags": "a,b",
        "skip_tags": "c",
        "description": "weekly run",
        "debug": True,
        "trace": True,
        "evaltrace": True,
        "filetimeout": 5,
        "http_connect_timeout": 6,
        "http_keepalive_timeout": 7,
        "http_read_timeout": 8,
        "ordering": "random",
        "use_cached_catalog": True,
        "usecacheonfailure": True,
        "userdata": {"ticket": "INC1"},
        "enforce_environment": True,
    }


def test_deploy_with_empty_environment_and_a_query(harness: Harness) -> None:
    harness.command(
        "/deploy '' --no-enforce-environment --query "
        '\'["from", "nodes", ["~", "certname", "web0[12]"]]\' --no-noop'
    )
    # The query is run against PuppetDB first and pinned to the nodes it named then.
    assert sent(harness, "/command/deploy") == {
        "environment": "",
        "enforce_environment": False,
        "no_noop": True,
        "scope": {"nodes": ["web01.example.com", "web02.example.com"]},
    }


def test_deploy_to_a_node_group_is_pinned_to_its_nodes(harness: Harness) -> None:
    harness.command("/deploy development --node-group 6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2a04")
    assert sent(harness, "/command/deploy")["scope"] == {
        "nodes": ["lb01.example.com", "lb02.example.com"]
    }


def test_the_status_card_is_posted_in_channel_and_recorded(harness: Harness) -> None:
    harness.command("/deploy production --nodes web01.example.com --noop")
    harness.tick()
    (card,) = harness.slack.messages("C0DEPLOYS")
    text = block_text(card.blocks)
    assert "Puppet run in production" in text and "<@U0ALICE>" in text
    assert "web01.example.com" in text and "noop" in text
    row = harness.store.db.execute("SELECT * FROM jobs").fetchone()
    assert (row["channel_id"], row["card_ts"], row["name"]) == ("C0DEPLOYS", card.ts, "1")


def test_task_parameters_are_typed_from_metadata(harness: Harness) -> None:
    harness.command(
        "/task mymodule::sleep seconds=3 --nodes web01.example.com --timeout 60 "
        "-e development --description 'nap' --noop"
    )
    body = sent(harness, "/command/task")
    assert body["params"] == {"seconds": 3}
    assert body == {
        "environment": "development",
        "task": "mymodule::sleep",
        "params": {"seconds": 3},
        "scope": {"nodes": ["web01.example.com"]},
        "timeout": 60,
        "description": "nap",
        "noop": True,
    }


def test_a_value_that_does_not_fit_the_type_is_refused_before_anything_runs(
    harness: Harness,
) -> None:
    harness.command("/task mymodule::sleep seconds=three --nodes web01.example.com")
    assert harness.requests_seen("/command/task") == []
    assert "seconds=three" in harness.last_response_text()
    assert harness.store.db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0


def test_task_with_params_json(harness: Harness) -> None:
    harness.command(
        '/task package --params \'{"action": "status", "name": "openssl"}\' '
        "--nodes db01.example.com"
    )
    assert sent(harness, "/command/task")["params"] == {"action": "status", "name": "openssl"}


def test_plan_run_with_plain_parameters(harness: Harness) -> None:
    harness.command(
        "/plan canary nodes=web01.example.com,web02.example.com command=whoami "
        "canary=1 --description 'canary' --timeout 600"
    )
    assert sent(harness, "/command/plan_run") == {
        "plan_name": "canary",
        "description": "canary",
        "timeout": 600,
        "params": {
            "nodes": ["web01.example.com", "web02.example.com"],
            "command": "whoami",
            "canary": 1,
        },
    }


def test_plan_with_a_query_parameter_is_an_environment_plan_run(harness: Harness) -> None:
    harness.command(
        "/plan example_plan message=hello targets=query:'nodes[certname] { }' "
        "more_targets=node_group:00000000-0000-4000-8000-000000000000 "
        "-e production"
    )
    body = sent(harness, "/command/environment_plan_run")
    assert body["params"]["message"] == {"value": "hello"}
    # Both were resolved (PuppetDB, the classifier) and pinned to the certnames they named.
    everything = [n.certname for n in harness.sim.world.nodes]
    assert body["params"]["targets"] == {"value": everything}
    assert body["params"]["more_targets"] == {"value": everything}
    reach = harness.store.db.execute("SELECT reach FROM requests").fetchone()[0]
    assert '"plan":"example_plan"' in reach and '"pinned":true' in reach


def test_stop_sends_the_job_id(harness: Harness) -> None:
    harness.command(
        "/deploy production --nodes web01.example.com,web02.example.com --noop --concurrency 1"
    )
    harness.command("/stop 1")
    assert harness.requests_seen("/command/stop") == [{"job": "1"}]
    assert "Stop sent for job" in harness.last_response_text()


def test_stop_force_asks_for_confirmation_first(harness: Harness) -> None:
    harness.command("/deploy production --nodes web01.example.com --noop")
    harness.command("/stop 1 --force")
    assert harness.requests_seen("/command/stop") == []
    assert "Force-stop job" in harness.last_response_text()
    harness.click("stop_force_confirm", "1", user="U0ALICE")
    assert harness.requests_seen("/command/stop") == [{"job": "1", "force": True}]


def test_stop_plan(harness: Harness) -> None:
    harness.command("/plan canary nodes=web01.example.com command=whoami")
    harness.command("/stop plan 1")
    assert harness.requests_seen("/command/stop_plan") == [{"plan_job": "1"}]
    # The answer names the plan job being stopped; it is not taken for a new one to follow.
    assert "Stop sent for plan job" in harness.last_response_text()
    states = harness.store.db.execute("SELECT command, state FROM requests ORDER BY created_at")
    assert [tuple(r) for r in states] == [("plan", "launched"), ("stop", "launched")]
    assert harness.followed() == 1
    harness.tick()
    (card,) = harness.slack.messages("C0DEPLOYS")
    thread = [block_text(r.blocks or []) for r in harness.slack.thread("C0DEPLOYS", card.ts)]
    assert any("asked to stop plan job" in text for text in thread), thread


def test_task_target_create(harness: Harness) -> None:
    harness.command(
        '/task target create "web restarts" --tasks service,package '
        "--nodes web01.example.com --node-groups "
        "00000000-0000-4000-8000-000000000000 --query 'nodes[certname] { }'"
    )
    assert harness.requests_seen("/command/task_target") == [
        {
            "display_name": "web restarts",
            "tasks": ["service", "package"],
            "nodes": ["web01.example.com"],
            "node_groups": ["00000000-0000-4000-8000-000000000000"],
            "pql_query": "nodes[certname] { }",
        }
    ]
    assert "Task-target" in harness.last_response_text()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/task list", "package"),
        ("/task show package", "action"),
        ("/plan list -e development", "canary"),
        ("/plan show canary", "canary"),
    ],
)
def test_read_commands_answer_privately(harness: Harness, text: str, expected: str) -> None:
    harness.command(text)
    assert expected in harness.last_response_text()
    assert harness.slack.messages("C0DEPLOYS") == []


@pytest.mark.parametrize(
    "text", ["/deploy help", "/task --help", "/plan -h", "/stop help", "/stop"]
)
def test_help_shows_usage_with_an_example(harness: Harness, text: str) -> None:
    response = harness.command(text)
    assert response.status == 200
    assert "Example" in response.body or "example" in response.body.lower()
    assert harness.sim_requests == []


def test_a_malformed_command_names_the_word_and_shows_the_form(harness: Harness) -> None:
    response = harness.command("/deploy production --nodes web01.example.com --nop")
    assert "--nop" in response.body and "--noop" in response.body
    assert "ephemeral" in response.body
    assert harness.sim_requests == []


@pytest.mark.parametrize(
    "text, kind, words",
    [
        ("/deploy nosuchenv --nodes web01.example.com", "unknown-environment", "no environment"),
        ("/task nosuch::task --nodes web01.example.com", "unknown-task", "does not exist"),
        ("/plan nosuch::plan", "unknown-plan", "does not exist"),
        ("/stop 999", "unknown-job", "no such job"),
    ],
)
def test_orchestrator_errors_are_shown_in_plain_words_with_their_kind(
    harness: Harness, text: str, kind: str, words: str
) -> None:
    harness.command(text)
    answer = harness.last_response_text()
    assert kind in answer and words in answer
    assert harness.store.db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "/deploy production --query 'nodes[certname] { certname = \"ghost\" }'",
            "the query matches no node in PuppetDB",
        ),
        (
            "/deploy production --query 'nodes[certname] { bogus !! }'",
            "PuppetDB refused the query",
        ),
        ("/deploy production --node-group 6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2aff", "no node group"),
    ],
)
def test_a_query_or_group_that_names_no_node_is_refused_before_sending(
    harness: Harness, text: str, words: str
) -> None:
    harness.command(text)
    assert words in harness.last_response_text()
    assert harness.requests_seen("/command/deploy") == []
    assert harness.store.db.execute("SELECT count(*) FROM requests").fetchone()[0] == 0


def test_not_permitted_plan_is_refused_before_sending(harness: Harness) -> None:
    harness.command("/plan canary::random")
    assert "not permitted" in harness.last_response_text()
    assert harness.requests_seen("/command/plan_run") == []


def test_user_text_cannot_inject_mentions(harness: Harness) -> None:
    harness.command(
        "/deploy production --nodes web01.example.com --noop "
        "--description '<!channel> hi <@U0BOB> & more'"
    )
    harness.tick()
    (card,) = harness.slack.messages("C0DEPLOYS")
    text = block_text(card.blocks)
    assert "<!channel>" not in text and "<@U0BOB>" not in text


def test_control_characters_in_user_text_are_escaped(harness: Harness) -> None:
    # Slack sends typed <, > and & as entities; the bot decodes them to parse, then escapes
    # them again in everything it posts.
    harness.command(
        "/deploy production --nodes web01.example.com --noop "
        "--description 'a &lt; b &gt; c &amp; d'"
    )
    harness.tick()
    (card,) = harness.slack.messages("C0DEPLOYS")
    assert "a &lt; b &gt; c &amp; d" in block_text(card.blocks)


def test_task_via_a_profile_sends_targets_built_from_configuration(harness: Harness) -> None:
    key = harness.tmp / "deploy_key"
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-material\n")
    (harness.tmp / "connections.toml").write_text(
        f'[profile.linux]\nhosts = ["*.example.com"]\ntransport = "ssh"\nuser = "deploy"\n'
        f"port = 2222\n"
        f'private-key-file = "{key}"\nrun-as = "root"\ntmpdir = "/var/tmp"\n'
    )
    from flows.profiles import load_profiles

    object.__setattr__(
        harness.bot.deps, "profiles", load_profiles(str(harness.tmp / "connections.toml"))
    )
    harness.command(
        "/task package action=status name=openssl --nodes sshnode1.example.com,"
        "sshnode2.example.com --via linux"
    )
    body = sent(harness, "/command/task")
    assert body["targets"] == [
        {
            "hostnames": ["sshnode1.example.com", "sshnode2.example.com"],
            "transport": "ssh",
            "user": "deploy",
            "port": 2222,
            "run-as": "root",
            "tmpdir": "/var/tmp",
            "private-key-content": "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-material\n",
        }
    ]
    # The secret went to the orchestrator only: not to the store, the audit or any message.
    for table in ("requests", "audit", "posts", "jobs"):
        dump = str([tuple(r) for r in harness.store.db.execute(f"SELECT * FROM {table}")])
        assert "secret-key-material" not in dump, table
    harness.run_until_quiet()
    seen = " ".join(str(c.params) for c in harness.slack.calls())
    assert "secret-key-material" not in seen and "SSH/WinRM profile" in seen


def test_an_unknown_profile_is_refused_before_anything_runs(harness: Harness) -> None:
    harness.command("/task package action=status name=x --nodes web01.example.com --via nope")
    assert harness.requests_seen("/command/task") == []
    assert "no connection profile 'nope'" in harness.last_response_text()


def test_plan_run_with_environment_and_userdata(harness: Harness) -> None:
    harness.command(
        "/plan canary nodes=web01.example.com command=whoami -e development --userdata change=CHG42"
    )
    body = sent(harness, "/command/plan_run")
    assert body["environment"] == "development"
    assert body["userdata"] == {"change": "CHG42"}


def test_task_userdata_and_task_target_for_all_tasks(harness: Harness) -> None:
    harness.command("/task facts --nodes web01.example.com --userdata ticket=INC7")
    assert sent(harness, "/command/task")["userdata"] == {"ticket": "INC7"}
    harness.command('/task target create "anything on web01" --all-tasks --nodes web01.example.com')
    assert harness.requests_seen("/command/task_target") == [
        {
            "display_name": "anything on web01",
            "all_tasks": True,
            "nodes": ["web01.example.com"],
            "node_groups": [],
        }
    ]


def test_puppetdb_unreachable_is_explained(harness: Harness) -> None:
    harness.sim.set_faults(puppetdb_unreachable=True)
    harness.command("/deploy production --query 'nodes[certname] { }' --noop")
    answer = harness.last_response_text()
    assert "puppetdb-error" in answer and "PuppetDB" in answer


def test_stopping_an_unknown_plan_job_is_explained(harness: Harness) -> None:
    harness.command("/stop plan 4242")
    answer = harness.last_response_text()
    assert "unknown-job" in answer and "no such job" in answer


def test_the_bots_own_token_refused_is_explained(harness: Harness) -> None:
    harness.sim.set_faults(expire_token=True)
    harness.command("/deploy production --nodes web01.example.com --noop")
    answer = harness.last_response_text()
    assert "token-expired" in answer and "renew" in answer


def test_a_command_whose_text_mentions_payload_still_works(harness: Harness) -> None:
    # Bolt alone reads such a form body as an empty interactive payload (found by hypothesis).
    response = harness.command(
        "/deploy production --nodes web01.example.com --noop "
        "--description 'new payload for the cache'"
    )
    assert response.status == 200
    assert sent(harness, "/command/deploy")["description"] == "new payload for the cache"
