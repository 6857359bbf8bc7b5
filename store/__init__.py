"""The SQLite store: the bot's source of truth for requests, jobs, posts, approvals and audit."""

from store.db import Store

__all__ = ["Store"]
