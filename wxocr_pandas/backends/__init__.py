"""Backends turn one image into one WeChat-shaped result."""

from .base import Backend
from .local import LocalBackend
from .registry import backend_names, register_backend, resolve_backend, unregister_backend
from .wechat import WeChatBackend

__all__ = ["Backend", "LocalBackend", "WeChatBackend", "backend_names", "register_backend",
           "resolve_backend", "unregister_backend"]
