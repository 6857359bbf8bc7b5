"""An httpx.MockTransport that hands requests to a Simulator in-process (no sockets)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from .core import Simulator

log = logging.getLogger(__name__)


def mock_transport(sim: Simulator) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raw_path, _, query = request.url.raw_path.decode("ascii").partition("?")
        response = sim.handle(
            request.method, raw_path, query, dict(request.headers), request.read()
        )
        return httpx.Response(response.status, headers=response.headers, content=response.body)

    return httpx.MockTransport(handler)
