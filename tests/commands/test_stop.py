"""/stop <job-id> [--force] and /stop plan <plan-job-id>."""

from __future__ import annotations

from commands import parse
from commands.intents import StopJob, StopPlan
from tests.commands.helpers import refused


def test_stop_and_force() -> None:
    assert parse("/stop", "1234") == StopJob("1234")
    assert parse("/stop", "1234 --force") == StopJob("1234", force=True)
    assert parse("/stop", "--force 1234") == StopJob("1234", force=True)


def test_stop_plan() -> None:
    assert parse("/stop", "plan 77") == StopPlan("77")
    assert parse("/stop", "Plan 77") == StopPlan("77")


def test_stop_plan_with_force_explains_the_child_job() -> None:
    error = refused("/stop", "plan 77 --force")
    assert "/stop <its job id> --force" in error.message
    assert error.usage == "/stop plan <plan-job-id>"


def test_job_id_must_be_digits() -> None:
    error = refused("/stop", "abc")
    assert "'abc' is not a job id" in error.message
    assert "'#12' is not a job id" in refused("/stop", "'#12'").message


def test_misspelt_plan_gets_a_suggestion() -> None:
    assert "Did you mean 'plan'?" in refused("/stop", "paln 77").message


def test_plan_job_id_must_be_digits() -> None:
    assert "'x' is not a plan job id" in refused("/stop", "plan x").message


def test_missing_ids_are_refused() -> None:
    assert "Name the job to stop" in refused("/stop", "--force").message
    assert "Name the plan job to stop" in refused("/stop", "plan").message


def test_extra_words_are_refused() -> None:
    assert "Unexpected '5'" in refused("/stop", "4 5").message
    assert "Unexpected '5'" in refused("/stop", "plan 4 5").message


def test_unknown_flag_is_named() -> None:
    assert "Did you mean '--force'?" in refused("/stop", "12 --forse").message
