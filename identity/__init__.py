"""A person's own PE identity: their token encrypted at rest, and sign-in attempts limited."""

from __future__ import annotations
