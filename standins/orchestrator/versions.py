"""What each PE version's orchestrator answers with: the world's `pe_version` picks a dialect.

Sources (../shared/reference/pe-bodies/SOURCES.md and orchestrator-api.md): PE 2016.2/2016.4
captures (jenkins-pe-plugin, orchestrator_client-ruby), the 2019.5/2019.7/2019.8 docs, the
2021.7.1 docs (pe-2021.7.1/), go-pe-client's captures, and the 2023.x docs (plan state
`pending`). Only what a source shows is dropped; everything else stays as in the newest shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_VERSION = "2023.8"
_VERSION = re.compile(r"^(\d{4})\.(\d{1,2})(?:\.(\d{1,2}))?$")


def parse_version(text: str) -> tuple[int, int]:
    """`2019.8` or `2021.7.1` → (2019, 8); ValueError for anything else."""
    match = _VERSION.match(str(text).strip())
    if match is None or not 2016 <= int(match.group(1)) <= 2100:
        raise ValueError(f"not a PE version: {text!r} (expected e.g. 2019.8 or 2023.8)")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class Dialect:
    """The shapes a PE version answers in (see the README's supported-versions table)."""

    version: str = DEFAULT_VERSION

    @property
    def at(self) -> tuple[int, int]:
        return parse_version(self.version)

    # PE 2016 job items: `owner` is {id, login}; no `command`, `node_states`, started/finished
    # timestamps or `duration`; node items keep a run's metrics in `details` and have no
    # `result` or timings (jenkins-pe-plugin 2016.4, orchestrator_client-ruby captures).
    @property
    def legacy_jobs(self) -> bool:
        return self.at < (2017, 0)

    @property
    def tasks(self) -> bool:
        """/command/task and /tasks (tasks arrived in PE 2017.3)."""
        return self.at >= (2017, 3)

    @property
    def plans(self) -> bool:
        """/command/plan_run, /plans and /plan_jobs (documented from 2019.x)."""
        return self.at >= (2019, 0)

    @property
    def userdata(self) -> bool:
        """`userdata` on jobs and plan jobs: no 2016-2019 document or capture has it."""
        return self.at >= (2021, 0)

    @property
    def job_type(self) -> bool:
        """The `type` key of job items (2019.x documents only `command`)."""
        return self.at >= (2021, 0)

    @property
    def pagination(self) -> str:
        """GET /jobs `pagination`: none before 2019.8 (2016 captures, 2019.7 docs), {limit,
        offset, total} in 2019.8 (go-pe-client's apidocs), the full object from 2021.7."""
        if self.at < (2019, 8):
            return "none"
        return "short" if self.at < (2021, 7) else "full"

    @property
    def plan_event_ids(self) -> bool:
        """The 2019.5 docs show `out_message` and `plan_end` events without `id`."""
        return self.at >= (2021, 0)

    @property
    def scheduled_jobs(self) -> bool:
        """/scheduled_jobs/environment_jobs: PE 2021.7 and later."""
        return self.at >= (2021, 7)

    @property
    def plan_pending(self) -> bool:
        """Plan jobs start `pending` before `running` (2023.x docs)."""
        return self.at >= (2023, 0)
