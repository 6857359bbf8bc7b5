"""Drill G3: a connection profile's secret sent to a host the requester types.

`--via <profile>` makes the orchestrator connect with the profile's credentials. Even with a
policy that lets everything run at once, a profile's password may only go to the hosts the
profile names; every other target is refused before the secret is read. A profile that names
no hosts stops the bot at start with one line.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from standins.orchestrator import Simulator, default_world, serve
from standins.slack import FakeSlack
from tests.drills.gate import answer_to
from tests.drills.support import Drill, db_rows, route_requests, running_bot, sim_client
from tests.support.process import BotProcess

pytestmark = pytest.mark.drill

ATTACKS = [
    "attacker-host",
    "evil.example.com",
    "db01.win.example.com.evil.net",
    "a.b.win.example.com",
    "win.example.com",
    "host1.win.example.com,attacker-host",
]
ALLOWED = "host1.win.example.com"


def profiles(secret_file: Path, missing: Path) -> str:
    return (
        "[profile.win]\n"
        'hosts = ["*.win.example.com"]\n'
        'transport = "winrm"\nuser = "Administrator"\n'
        f'password-file = "{secret_file}"\n\n'
        "[profile.broken]\n"
        'hosts = ["*.win.example.com"]\n'
        'transport = "winrm"\nuser = "Administrator"\n'
        f'password-file = "{missing}"\n'
    )


@pytest.mark.timeout(300)
def test_a_profile_secret_goes_only_to_its_hosts(drill_dir: Path, slack: FakeSlack) -> None:
    marker = f"S3CRET-{secrets.token_hex(6)}"
    secret_file = drill_dir / "winrm-password"
    secret_file.write_text(marker)
    (drill_dir / "connections.toml").write_text(
        profiles(secret_file, drill_dir / "no-such-password-file")
    )
    sim = Simulator(default_world(), node_seconds=0.3)
    with (
        Drill("G3. a connection profile's secret goes only to its hosts") as drill,
        serve(sim) as orchestrator,
        running_bot(drill_dir, slack, orchestrator.url) as bot,
    ):
        urls = {}
        for target in ATTACKS:
            urls[target] = slack.new_response_url(channel="C0DEPLOYS", user="U0MALLORY")
            bot.command(
                f"/task facts --nodes {target} --via win -e development",
                response_url=urls[target],
                user="U0MALLORY",
            )
        drill.tried(
            "a policy that runs everything at once; profile win with hosts *.win.example.com; "
            "as @mallory: /task facts --via win -e development --nodes " + " | ".join(ATTACKS)
        )
        allowed_url = slack.new_response_url(channel="C0DEPLOYS", user="U0ALICE")
        bot.command(f"/task facts --nodes {ALLOWED} --via win", response_url=allowed_url)
        broken_url = slack.new_response_url(channel="C0DEPLOYS", user="U0ALICE")
        bot.command(
            "/task facts --nodes host2.win.example.com --via broken", response_url=broken_url
        )
        drill.tried(
            f"controls: --nodes {ALLOWED} --via win; --via broken (its password file is missing)"
        )
        slack.wait_for(
            lambda f: all(answer_to(f, u) for u in [*urls.values(), allowed_url, broken_url]),
            timeout=60,
            description="every request answered",
        )
        time.sleep(1.0)
        refused = {t: "cannot be used" in answer_to(slack, u) for t, u in urls.items()}
        tasks = route_requests(sim, "POST /command/task")
        jobs = sim_client(sim).jobs().items
        reached = sorted({n.name for j in jobs for n in sim_client(sim).all_job_nodes(j.name)})
        broken = db_rows(bot.tmp / "bot.db", "SELECT state FROM requests WHERE via = 'broken'")
        logs = bot.log_path.read_text()
        drill.found(
            "refused before anything was read or sent: "
            + ", ".join(f"{t}: {'yes' if ok else 'NO'}" for t, ok in refused.items())
        )
        drill.found(
            f"the orchestrator got {tasks} task request(s), reaching {reached}; the broken "
            f"profile's request is {[r['state'] for r in broken]}, its requester told: "
            f"{answer_to(slack, broken_url).splitlines()[-2:]!r}"
        )
        drill.check(all(refused.values()), "every target outside the profile's hosts refused")
        drill.check(
            tasks == 1 and reached == [ALLOWED],
            "only the allowed host was sent the profile's credentials",
            (tasks, reached),
        )
        drill.check(
            [r["state"] for r in broken] == ["failed"]
            and "the connection profile cannot be used" in answer_to(slack, broken_url),
            "a profile whose password file is missing fails the request and says why",
            ([r["state"] for r in broken], answer_to(slack, broken_url)[-300:]),
        )
        drill.check(marker not in logs, "the secret is not in the bot's log")

    # A profile that names no hosts: the bot refuses to start, in one line.
    hostless = drill_dir / "hostless"
    hostless.mkdir(exist_ok=True)
    (hostless / "connections.toml").write_text(
        '[profile.open]\ntransport = "ssh"\nuser = "root"\nprivate-key-env = "KEY"\n'
    )
    (hostless / "policy.toml").write_text("")
    process = BotProcess(hostless, slack.api_url, "http://127.0.0.1:9")
    try:
        process.start(timeout=15)
        started = True
    except AssertionError:
        started = False
    finally:
        process.stop()
        process.kill()
    lines = [ln for ln in process.log_path.read_text().splitlines() if "error" in ln.lower()]
    with Drill("G3b. a connection profile without hosts stops the bot at start") as drill:
        drill.tried("bot.py run with a profile that has no `hosts`")
        drill.found(f"started: {started}; its error output: {lines!r}")
        drill.check(not started, "the bot did not start")
        drill.check(
            len(lines) == 1 and "configuration error" in lines[0] and "'open'" in lines[0],
            "one line, naming the profile",
            lines,
        )
