"""Backends turn one image into one WeChat-shaped result."""

from .base import Backend
from .local import LocalBackend

__all__ = ["Backend", "LocalBackend"]
