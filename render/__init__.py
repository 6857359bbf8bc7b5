"""Messages from templates: jinja2 text with block markers, turned into Block Kit within limits."""

from render.blocks import Message
from render.renderer import Renderer

__all__ = ["Message", "Renderer"]
