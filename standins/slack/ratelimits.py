"""Slack's Web API rate limits, enforced the way Slack documents them: per method, per workspace.

Each method's tier comes from its page in Slack's method reference ("Facts → Rate limits"); the
tiers' numbers from Slack's "Rate limits" page (docs.slack.dev/apis/web-api/rate-limits,
api.slack.com/docs/rate-limits): Tier 1 "1+ per minute", Tier 2 "20+", Tier 3 "50+", Tier 4
"100+". The fake holds each method to its tier's floor with no burst credit: Slack says bursts
are tolerated, never that they are promised, so a bot that needs them is a bot that gets 429s.

| method | tier | held to (burst) | source: the method's reference page |
| --- | --- | --- | --- |
| chat.postMessage | special | 1/s/chan (3); 300/min (10) | api.slack.com/methods/chat.postMessage |
| chat.update | Tier 3 | 50/min | api.slack.com/methods/chat.update |
| chat.delete | Tier 3 | 50/min | java-slack-sdk MethodsRateLimits.java |
| chat.postEphemeral | Tier 4 | 100/min | api.slack.com/methods/chat.postEphemeral |
| conversations.history | Tier 3 | 50/min | java-slack-sdk MethodsRateLimits.java |
| conversations.replies | Tier 3 | 50/min | api.slack-gov.com/methods/conversations.replies |
| conversations.info | Tier 3 | 50/min | api.slack.com/methods/conversations.info |
| usergroups.list | Tier 2 | 20/min | api.slack.com/methods/usergroups.list |
| usergroups.users.list | Tier 2 | 20/min | api.slack.com/methods/usergroups.users.list |
| users.info | Tier 4 | 100/min | api.slack-gov.com/methods/users.info |
| views.open | Tier 4 | 100/min | api.slack.com/methods/views.open |
| views.update | Tier 4 | 100/min | java-slack-sdk MethodsRateLimits.java |
| views.push | Tier 4 | 100/min | Slack method docs, as packaged in hex.pm slack_kit 1.0 |
| views.publish | Tier 4 | 100/min | Slack method docs, as packaged in hex.pm slack_kit 1.0 |
| apps.connections.open | Tier 1 | 1/min | api.slack.com/methods/apps.connections.open |
| auth.test | special | 200/min | docs.slack.dev/reference/methods/auth.test |

(auth.test: "This method allows hundreds of requests per minute".)

chat.postMessage: "It will generally allow an app to post 1 message per second to a specific
channel. There are limits governing your app's relationship with the entire workspace above
that, limiting posting to several hundred messages per minute. Generous burst behavior is also
granted." The per-channel burst of 3 is the project's reading of "short bursts >1 allowed"; the
workspace ceiling is stated here as 300 a minute ("several hundred") with a burst of 10.
conversations.history/replies keep Tier 3 for internal (customer-built) apps; the 2025 limit of
1 a minute applies to commercially distributed non-Marketplace apps only.

Over a limit Slack answers HTTP 429 with `Retry-After` in whole seconds (Rate limits page:
"a HTTP 429 Too Many Requests error ... and a Retry-After header containing the number of
seconds until you can retry"). A refused call uses no budget. response_url posts are not Web
API calls: they are capped (5 uses in 30 minutes, methods_chat), not rated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """`per_minute` calls a minute, evenly spaced, with `burst` allowed back to back when idle."""

    per_minute: float
    burst: int = 1

    @property
    def interval(self) -> float:
        return 60.0 / self.per_minute


TIER_1 = Limit(1)
TIER_2 = Limit(20)
TIER_3 = Limit(50)
TIER_4 = Limit(100)

METHOD_LIMITS: dict[str, Limit] = {
    "chat.update": TIER_3,
    "chat.delete": TIER_3,
    "chat.postEphemeral": TIER_4,
    "conversations.history": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.info": TIER_3,
    "usergroups.list": TIER_2,
    "usergroups.users.list": TIER_2,
    "users.info": TIER_4,
    "views.open": TIER_4,
    "views.update": TIER_4,
    "views.push": TIER_4,
    "views.publish": TIER_4,
    "apps.connections.open": TIER_1,
    "auth.test": Limit(200),
}
POST_MESSAGE = "chat.postMessage"
POST_MESSAGE_PER_CHANNEL = Limit(60, burst=3)
POST_MESSAGE_PER_WORKSPACE = Limit(300, burst=10)


class Bucket:
    """The generic cell rate algorithm: a call conforms when it comes no earlier than its
    theoretical arrival time minus the burst's tolerance."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.tat = float("-inf")

    def wait(self, now: float) -> float:
        """Seconds until a call would conform (0 if it conforms now)."""
        tolerance = (self.limit.burst - 1) * self.limit.interval
        wait = self.tat - tolerance - now
        return wait if wait > 1e-6 else 0.0  # sums of intervals on an epoch clock carry dust

    def take(self, now: float) -> None:
        self.tat = max(self.tat, now) + self.limit.interval


class RateLimits:
    """Every bucket of one workspace; used only under FakeSlack's lock."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.limits: dict[str, Limit] = dict(METHOD_LIMITS)
        self.per_channel = POST_MESSAGE_PER_CHANNEL
        self.per_workspace = POST_MESSAGE_PER_WORKSPACE
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self.refused: dict[str, int] = {}

    def set_limit(self, method: str, limit: Limit) -> None:
        """Change one method's limit (for chat.postMessage: its workspace ceiling), as Slack
        could for a workspace shared with other apps; its bucket starts afresh."""
        if method == POST_MESSAGE:
            self.per_workspace = limit
        else:
            self.limits[method] = limit
        self._buckets = {k: b for k, b in self._buckets.items() if k[0] != method}

    def check(self, method: str, channel: str | None, now: float) -> int | None:
        """None if the call may go ahead (and counts it); else the Retry-After to answer."""
        if not self.enabled:
            return None
        buckets = self._buckets_for(method, channel)
        wait = max((b.wait(now) for b in buckets), default=0.0)
        if wait > 0:
            self.refused[method] = self.refused.get(method, 0) + 1
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take(now)
        return None

    def _buckets_for(self, method: str, channel: str | None) -> list[Bucket]:
        if method == POST_MESSAGE:
            found = [self._bucket((method, "*"), self.per_workspace)]
            if channel:
                found.append(self._bucket((method, channel), self.per_channel))
            return found
        limit = self.limits.get(method)
        return [] if limit is None else [self._bucket((method, "*"), limit)]

    def _bucket(self, key: tuple[str, str], limit: Limit) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None or bucket.limit != limit:
            bucket = self._buckets[key] = Bucket(limit)
        return bucket
