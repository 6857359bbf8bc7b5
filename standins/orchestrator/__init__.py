"""A faithful stand-in for the PE orchestrator API v1, in-process or over HTTP."""

from __future__ import annotations

from .core import SimResponse, Simulator
from .default_world import default_world
from .faults import Faults
from .server import RunningSimulator, serve
from .world import World, WorldError
from .world_json import load_world, world_from_dict

__all__ = [
    "Faults",
    "RunningSimulator",
    "SimResponse",
    "Simulator",
    "World",
    "WorldError",
    "default_world",
    "load_world",
    "serve",
    "world_from_dict",
]
