"""The scripted demo: `printf ... | python bot.py demo` tells the whole story and exits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """\
/deploy production --nodes web01.example.com,web03.example.com,web07.example.com --noop
wait
click enforce-on-changed
as bob click approve
wait
/deploy nosuchenv --nodes web09.example.com
/deploy production --nodes web01.example.com --nop
"""


def test_the_scripted_demo_shows_a_noop_an_approval_and_the_enforcing_run(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "demo"],
        input=SCRIPT,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "POLICY_FILE": ""},
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Puppet run in production started as job `1`" in out
    # web07's noop run failed: what would change there is unknown, so it is not counted.
    assert "2/3 nodes succeeded" in out and "Noop:* 1 node would change" in out
    assert "(alice clicks [ Enforce on changed nodes ])" in out
    assert "Approval needed: Puppet run in production" in out
    assert "Noop run `1` found" in out
    assert "(bob clicks [ Approve ])" in out
    assert "started as job `2`" in out and "*Changed:* 1 node" in out
    assert "There is no environment nosuchenv" in out
    assert "--nop" in out and "--noop" in out
    assert "Traceback" not in out + result.stderr


FORMS = """\
/deploy
submit
fill nodes web01.example.com
submit
/task
fill task package
fill action install
fill name httpd
fill nodes web01.example.com
submit
as bob home
home
"""


def test_the_demo_fills_and_submits_forms_and_shows_the_home_tab(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "demo"],
        input=FORMS,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "POLICY_FILE": ""},
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "== Run Puppet ==" in out or "== Run Puppet" in out
    assert "      ! Say which nodes" in out  # an inline error, under its field
    assert "== Run a task ==" in out and "[param:action] action *" in out
    assert out.count("(form submitted)") == 2
    assert "Approval needed: Task package in production" in out
    home = out[out.index("> as bob home") :]
    assert "Waiting for your approval" in home and "Task package in production" in home
    assert "Your recent requests" in out and "waiting for approval" in out
    assert "Traceback" not in out + result.stderr


SCHEDULE_SCRIPT = """\
/deploy development --nodes web09.example.com --noop --in 3s
wait
elsewhere /deploy development --nodes web09.example.com --noop
/watch $last
wait
"""


def test_the_demo_schedules_a_run_that_ends_in_a_summary_and_watches_an_outside_job(
    tmp_path,
) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "demo"],
        input=SCHEDULE_SCRIPT,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "POLICY_FILE": ""},
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "scheduled as schedule `1`" in out and "Schedule 1: Puppet run in development" in out
    assert "Schedule `1` started job `1`" in out
    assert "Puppet run in development: Finished* (job `1`)" in out
    assert "alice starts job 2 in the PE console" in out
    assert "started outside the bot by `alice`" in out
    assert "Puppet run in development: Finished* (job `2`)" in out
    assert "Traceback" not in out + result.stderr
