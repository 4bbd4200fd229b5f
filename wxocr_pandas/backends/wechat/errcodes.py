"""What each WeChat errcode means and what the client does about it: the one table.

WeChat answers an error as HTTP 200 with a non-zero ``errcode`` and an ``errmsg``. Match on
the errcode, never the errmsg: real errmsgs carry suffixes (`` hint: [xxxx] rid: 65a...``),
and one report got 101002 with the errmsg of 101003. Each row of :data:`ERRCODES` names the
exception raised for the code, and the exception's class says how the client reacts:

=======================  =================================================================
class                    reaction
=======================  =================================================================
``RetryableApiError``    retry safe: retried with backoff (45011 waits for the next minute)
``AccessTokenError``     token refused: refresh it once and repeat the call
``AccountConfigError``   a setting is wrong: stop the batch, the message says what to fix
``ImageRejectedError``   this image only: its row gets the error, the batch goes on
``QuotaExceededError``   the quota is spent: send nothing more, keep what is done
=======================  =================================================================

The sets the WeChat backend acts on (:data:`TOKEN_REFUSED`, :data:`QUOTA_SPENT`,
:data:`RETRY_SAFE`, :data:`RETRY_ONCE`) are derived from the table. The generic error tree and
the client-side codes (900xxx) live in :mod:`wxocr_pandas.errors`.

Examples
--------
>>> from wxocr_pandas.backends.wechat.errcodes import ERRCODES, QUOTA_SPENT
>>> ERRCODES[45009].error.__name__, 45009 in QUOTA_SPENT
('QuotaExceededError', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ...errors import (
    AccessTokenError,
    AccountConfigError,
    ApiError,
    Errcode,
    ImageRejectedError,
    QuotaExceededError,
    RetryableApiError,
)


@dataclass(frozen=True)
class ErrcodeRule:
    """One row of :data:`ERRCODES`.

    Parameters
    ----------
    error
        The exception raised for the code; its class decides the reaction.
    errmsg
        WeChat's own errmsg for the code, without the `` hint: ... rid: ...`` suffix (what
        ``wxocr serve`` answers; a client never matches on it).
    meaning
        What the code means and what to do, for the message.
    retry_once
        Worth one more try although the class is not retry safe (WeChat's URL fetching is
        reported to fail intermittently).
    """

    error: type[ApiError]
    errmsg: str
    meaning: str
    retry_once: bool = False


_TOKEN_REFUSED = ("access token refused; pass appid and secret (WXOCR_APPID, WXOCR_SECRET) so "
                  "a fresh one can be fetched")
_IP_WHITELIST = "this machine's IP address is not in the {} IP whitelist: add it ({})"

#: errcode -> WeChat's errmsg, what it means and which exception it raises (WeChat's docs).
ERRCODES: Mapping[int, ErrcodeRule] = MappingProxyType({
    Errcode.SYSTEM_BUSY: ErrcodeRule(RetryableApiError, "system error", "WeChat system busy"),
    Errcode.MINUTE_QUOTA: ErrcodeRule(
        RetryableApiError, "api minute-quota reach limit  mustslower  retry next minute",
        "per-minute API quota reached"),
    Errcode.INVALID_CREDENTIAL: ErrcodeRule(
        AccessTokenError, "invalid credential, access_token is invalid or not latest",
        f"invalid credential: {_TOKEN_REFUSED}"),
    Errcode.INVALID_ACCESS_TOKEN: ErrcodeRule(AccessTokenError, "invalid access_token",
                                              f"invalid access_token: {_TOKEN_REFUSED}"),
    Errcode.ACCESS_TOKEN_EXPIRED: ErrcodeRule(AccessTokenError, "access_token expired",
                                              f"access_token expired: {_TOKEN_REFUSED}"),
    Errcode.ACCESS_TOKEN_MISSING: ErrcodeRule(AccountConfigError, "access_token missing", (
        "access token missing: pass appid and secret (WXOCR_APPID, WXOCR_SECRET) or "
        "access_token (WXOCR_ACCESS_TOKEN)")),
    Errcode.INVALID_APPID: ErrcodeRule(AccountConfigError, "invalid appid", (
        "invalid appid: check appid= / WXOCR_APPID (mp.weixin.qq.com > Settings and "
        "Development > Basic configuration)")),
    Errcode.INVALID_APPSECRET: ErrcodeRule(AccountConfigError, "invalid appsecret", (
        "invalid AppSecret: check secret= / WXOCR_SECRET against the account's current "
        "AppSecret (reset it under Basic configuration if unsure)")),
    Errcode.APPSECRET_FROZEN: ErrcodeRule(AccountConfigError, "AppSecret is frozen", (
        "the AppSecret is frozen: unfreeze or reset it on mp.weixin.qq.com, then update "
        "secret= / WXOCR_SECRET")),
    Errcode.IP_NOT_WHITELISTED: ErrcodeRule(
        AccountConfigError, "invalid ip, not in whitelist", _IP_WHITELIST.format(
            "account's", "mp.weixin.qq.com > Basic configuration > IP whitelist")),
    Errcode.COMPONENT_IP_NOT_WHITELISTED: ErrcodeRule(
        AccountConfigError, "access clientip is not registered", _IP_WHITELIST.format(
            "third-party platform's", "open.weixin.qq.com > the platform's development settings")),
    Errcode.API_UNAUTHORIZED: ErrcodeRule(AccountConfigError, "api unauthorized", (
        "this account may not call ocr.printedText: enable the OCR service for it (a verified "
        "account is required)")),
    Errcode.API_UNAUTHORIZED_TO_COMPONENT: ErrcodeRule(
        AccountConfigError, "api is unauthorized to component", (
            "the account has not authorized this third-party platform for the OCR API: grant "
            "the permission in the authorization settings")),
    Errcode.CONTENT_SIZE_OUT_OF_LIMIT: ErrcodeRule(
        ImageRejectedError, "content size out of limit", "image over WeChat's 2 MB limit"),
    Errcode.DATA_FORMAT_ERROR: ErrcodeRule(
        ImageRejectedError, "data format error",
        "WeChat could not parse the upload (data format error)"),
    Errcode.MEDIA_DATA_MISSING: ErrcodeRule(
        ImageRejectedError, "media data missing",
        "WeChat received no image data (media data missing)"),
    Errcode.INVALID_IMAGE_URL: ErrcodeRule(
        ImageRejectedError, "invalid image url or image not exist",
        "WeChat could not fetch the image URL", retry_once=True),
    Errcode.NO_CERTIFICATE_FOUND: ErrcodeRule(
        ImageRejectedError, "certificate not found", "no certificate found in the image"),
    Errcode.INVALID_IMAGE_DATA: ErrcodeRule(
        ImageRejectedError, "invalid image data", "WeChat could not decode the image"),
    Errcode.DAILY_QUOTA: ErrcodeRule(QuotaExceededError, "reach max api daily quota limit", (
        "the daily API quota is spent; no further image is sent today (it resets at "
        "midnight Beijing time, or buy more quota)")),
    Errcode.MARKET_QUOTA: ErrcodeRule(QuotaExceededError, "not enough market quota", (
        "the bought OCR quota is spent; no further image is sent until more is bought")),
})


def _raising(error: type[ApiError]) -> frozenset[int]:
    return frozenset(code for code, rule in ERRCODES.items() if rule.error is error)


#: The token was refused: refresh it once and repeat the call.
TOKEN_REFUSED = _raising(AccessTokenError)
#: WeChat takes no more calls (today, or until more quota is bought).
QUOTA_SPENT = _raising(QuotaExceededError)
#: Retried with backoff: they heal by themselves.
RETRY_SAFE = _raising(RetryableApiError)
#: Not retry safe, but worth one more try.
RETRY_ONCE = frozenset(code for code, rule in ERRCODES.items() if rule.retry_once)


def api_error(errcode: int, errmsg: str = "", *, image: str | None = None) -> ApiError:
    """The exception for a non-zero WeChat ``errcode``, with a message saying what to do.

    ``errmsg`` is WeChat's own text, kept after the explanation for support requests; pass
    it redacted. A code missing from :data:`ERRCODES` gives a plain :class:`ApiError`.

    Examples
    --------
    >>> error = api_error(40125, "invalid appsecret rid: 65a1")
    >>> type(error).__name__, error.errcode, error.stops_batch
    ('AccountConfigError', 40125, True)
    >>> str(api_error(45002, image="big.png"))
    "big.png: image over WeChat's 2 MB limit (errcode 45002)"
    >>> type(api_error(99999)).__name__
    'ApiError'
    """
    rule = ERRCODES.get(errcode, ErrcodeRule(ApiError, "", "WeChat API error"))
    detail = f" [WeChat: {errmsg}]" if errmsg else ""
    return rule.error(f"{rule.meaning}{detail}", errcode=errcode, image=image)
