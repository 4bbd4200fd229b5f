"""The errcode table against WeChat's documentation, written out here by hand.

:data:`DOCUMENTED` is copied from ``docs/wechat-api.md`` ("Error codes a client meets"), not
read from the code: each errcode with the exception the documented reaction calls for, and
how often the backend calls ``/cv/ocr/comm`` (and waits) before raising it. The real backend
then meets each errcode from a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wxocr_pandas import (
    AccessTokenError,
    AccountConfigError,
    ApiError,
    ImageRejectedError,
    QuotaExceededError,
    RetryableApiError,
)
from wxocr_pandas.backends.wechat.errcodes import (
    ERRCODES,
    QUOTA_SPENT,
    RETRY_ONCE,
    RETRY_SAFE,
    TOKEN_REFUSED,
    api_error,
)
from wxocr_pandas.images import as_source

#: errcode: (exception, OCR calls, waits between them), from the docs' "what a client does".
DOCUMENTED = {
    -1: (RetryableApiError, 5, 4),        # system busy: retry with backoff, up to 5 tries
    45011: (RetryableApiError, 5, 4),     # minute quota: back off, retry
    40001: (AccessTokenError, 2, 0),      # invalid credential: refresh the token once, retry
    40014: (AccessTokenError, 2, 0),      # invalid access_token: refresh once, retry
    42001: (AccessTokenError, 2, 0),      # access_token expired: refresh once, retry
    41001: (AccountConfigError, 1, 0),    # access_token missing: configuration error
    40013: (AccountConfigError, 1, 0),    # invalid appid
    40125: (AccountConfigError, 1, 0),    # invalid appsecret
    40243: (AccountConfigError, 1, 0),    # AppSecret frozen
    40164: (AccountConfigError, 1, 0),    # IP not in the whitelist
    61004: (AccountConfigError, 1, 0),    # IP not in the whitelist (third-party platform)
    48001: (AccountConfigError, 1, 0),    # api unauthorized
    61007: (AccountConfigError, 1, 0),    # api unauthorized to component
    45002: (ImageRejectedError, 1, 0),    # content size out of limit: per-image
    47001: (ImageRejectedError, 1, 0),    # data format error: bad input
    41005: (ImageRejectedError, 1, 0),    # media data missing: bad input
    101000: (ImageRejectedError, 2, 1),   # invalid image url: per-image, one retry is fair
    101001: (ImageRejectedError, 1, 0),   # no certificate found: per-image
    101002: (ImageRejectedError, 1, 0),   # invalid image data: per-image
    45009: (QuotaExceededError, 1, 0),    # daily quota: stop calling, keep what is done
    101003: (QuotaExceededError, 1, 0),   # bought quota spent: stop like 45009
}


def test_the_table_has_a_row_for_every_documented_errcode_and_no_other():
    assert set(ERRCODES) == set(DOCUMENTED)


def test_the_sets_the_backend_acts_on_are_the_documented_ones():
    assert TOKEN_REFUSED == {40001, 40014, 42001}
    assert QUOTA_SPENT == {45009, 101003}
    assert RETRY_SAFE == {-1, 45011}
    assert RETRY_ONCE == {101000}


@pytest.mark.parametrize("errcode", sorted(DOCUMENTED))
def test_api_error_raises_the_documented_class(errcode):
    error = api_error(errcode, "errmsg rid: 1", image="a.png")
    assert type(error) is DOCUMENTED[errcode][0]
    assert (error.errcode, error.image) == (errcode, "a.png")
    assert error.stops_batch == (DOCUMENTED[errcode][0] in (AccountConfigError,
                                                           AccessTokenError, QuotaExceededError))


def test_an_undocumented_errcode_is_a_plain_api_error_that_keeps_wechats_text():
    error = api_error(99999, "something new rid: 2")
    assert type(error) is ApiError and "[WeChat: something new rid: 2]" in str(error)


@pytest.mark.parametrize("errcode", sorted(DOCUMENTED))
def test_the_backend_meets_each_errcode_as_documented(wechat_server, samples_dir: Path, errcode):
    cls, calls, waits = DOCUMENTED[errcode]
    sign = str(samples_dir / "sign.png")
    wechat_server.script(*[errcode] * calls)
    with pytest.raises(ApiError) as caught:
        wechat_server.backend().recognize(as_source(sign))
    error = caught.value
    assert type(error) is cls and error.errcode == errcode and error.image == sign
    assert "[WeChat: " in error.errmsg and "rid: 6650f00d" in error.errmsg  # WeChat's text kept
    assert wechat_server.ocr_calls == calls and len(wechat_server.sleeps) == waits
