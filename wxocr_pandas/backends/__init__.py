"""Backends turn one image into one WeChat-shaped result."""

from .base import Backend
from .local import LocalBackend
from .wechat import WeChatBackend

__all__ = ["Backend", "LocalBackend", "WeChatBackend"]
