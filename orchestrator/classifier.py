"""The node classifier client: a node group's rules, as a query PuppetDB can run.

`GET <PE_CLASSIFIER_URL>/classifier-api/v1/groups/<id>/rules` answers the group's inherited
rules translated for PuppetDB's nodes endpoint (`translated.nodes_query_format`), per PE docs
"GET /v1/groups/<id>/rules". A group whose rules cannot be translated has no such query.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from orchestrator.service import ServiceClient

log = logging.getLogger(__name__)

API_PATH = "/classifier-api/v1"


@dataclass(frozen=True)
class GroupRules:
    """A node group's rules; `nodes_query` is None when they cannot be translated."""

    group_id: str
    rule: Any
    nodes_query: Any

    @classmethod
    def parse(cls, group_id: str, data: Any) -> GroupRules:
        if not isinstance(data, dict):
            raise ValueError("GET /groups/<id>/rules answered without an object")
        translated = data.get("translated")
        query = translated.get("nodes_query_format") if isinstance(translated, dict) else None
        return cls(group_id, data.get("rule"), query if isinstance(query, list) and query else None)


class ClassifierClient(ServiceClient):
    """Speaks the node classifier API v1 at `base_url` (`https://<primary>:4433`)."""

    name = "the node classifier"

    def __init__(self, http: Any, base_url: str, token: str, **kwargs: Any) -> None:
        super().__init__(http, base_url.rstrip("/") + API_PATH, token, **kwargs)

    def groups(self) -> list[tuple[str, str]]:
        """(id, name) of every node group (GET /v1/groups), in the classifier's order."""
        data = self.read("GET", "/groups")
        rows = data if isinstance(data, list) else []
        return [
            (str(g["id"]), str(g.get("name") or g["id"]))
            for g in rows
            if isinstance(g, dict) and isinstance(g.get("id"), str)
        ]

    def group_rules(self, group_id: str) -> GroupRules:
        data = self.read("GET", f"/groups/{quote(group_id, safe='')}/rules")
        return GroupRules.parse(group_id, data)
