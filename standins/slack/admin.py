"""`/_fake/...`: the fake's own admin API, for a fake running in another process (benchmarks).

Not part of Slack. GET /_fake/calls[?method=M] lists the calls answered (channel, ts, thread_ts,
text and metadata of each, not the blocks); POST /_fake/response_url {channel, user} makes a
response URL; POST /_fake/channels {"channels": [...]} adds channels the bot is a member of.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from standins.slack.server import HttpRequest, Reply

KEPT = ("channel", "ts", "thread_ts", "text", "metadata")


def handle(fake: Any, request: HttpRequest) -> Reply:
    route = (request.verb, request.path.rstrip("/"))
    if route == ("GET", "/_fake/calls"):
        method = (parse_qs(request.query).get("method") or [None])[0]
        calls = [
            {
                "method": c.method,
                "time": c.time,
                "status": c.status,
                "error": c.error,
                "params": {k: c.params[k] for k in KEPT if k in c.params},
            }
            for c in fake.calls(method)
        ]
        return Reply(200, {"ok": True, "calls": calls})
    body = _json(request.body)
    if route == ("POST", "/_fake/response_url"):
        url = fake.new_response_url(channel=body.get("channel"), user=body.get("user"))
        return Reply(200, {"ok": True, "url": url})
    if route == ("POST", "/_fake/channels"):
        for channel in body.get("channels") or ():
            fake.add_channel(channel, channel.lower())
        return Reply(200, {"ok": True})
    return Reply(404, {"ok": False, "error": "not_found"})


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
