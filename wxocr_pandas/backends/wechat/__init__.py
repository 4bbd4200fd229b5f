"""The WeChat backend and what only it needs: access tokens, errcodes, uploads under 2 MB,
the daily call budget, and the cluster-wide coordination of one account on Dask.

Examples
--------
>>> from wxocr_pandas.backends.wechat import WeChatBackend
>>> WeChatBackend(access_token="t").name
'wechat'
"""

from .backend import DEFAULT_BASE_URL, WeChatBackend

__all__ = ["DEFAULT_BASE_URL", "WeChatBackend"]
