"""Redaction: no URL credential, query secret, token or AppSecret survives it."""

from __future__ import annotations

import logging
import string

from hypothesis import given
from hypothesis import strategies as st

from wxocr_pandas.images import as_source
from wxocr_pandas.redaction import redact, redact_url

#: Secrets long and odd enough that they cannot appear by chance in what is kept.
SECRETS = st.text(string.ascii_letters + string.digits + "-_.~%", min_size=12, max_size=40)
HOSTS = st.sampled_from(["example.com", "127.0.0.1:8080", "img.cdn.example.org", "h"])
PATHS = st.lists(st.text(string.ascii_letters + string.digits, min_size=1, max_size=8),
                 max_size=3).map(lambda parts: "/" + "/".join(parts))


def test_a_url_keeps_scheme_host_port_and_path_only():
    assert redact_url("http://u:p@h:81/a/b.jpg?x=1#f") == "http://h:81/a/b.jpg"
    assert redact_url("gs://bucket/a.png?generation=1") == "gs://bucket/a.png"
    assert redact_url("file:///tmp/a.png") == "file:///tmp/a.png"


@given(scheme=st.sampled_from(["http", "https", "s3", "gcs"]), host=HOSTS, path=PATHS,
       user=SECRETS, password=SECRETS, query=SECRETS, fragment=SECRETS)
def test_no_url_part_that_can_hold_a_secret_survives(scheme, host, path, user, password, query,
                                                     fragment):
    url = f"{scheme}://{user}:{password}@{host}{path}?sig={query}#{fragment}"
    shown = redact_url(url)
    assert shown == f"{scheme}://{host.lower()}{path}"
    assert redact(f"could not fetch {url} (rid: 1)") == f"could not fetch {shown} (rid: 1)"
    assert as_source(url).label == shown


@given(token=SECRETS, secret=SECRETS, name=st.sampled_from(["access_token", "secret",
                                                             "AppSecret"]))
def test_token_and_secret_parameters_are_masked_in_free_text(token, secret, name):
    line = '"GET /cgi-bin/token?grant_type=client_credential&{}={}&x=1 HTTP/1.1" 200'
    assert redact(line.format(name, secret)) == line.format(name, "***")
    assert redact(f"POST /cv/ocr/comm?access_token={token}&img_url=a.png") == \
        "POST /cv/ocr/comm?access_token=***&img_url=a.png"


def test_urllib3_debug_lines_of_the_wechat_backend_are_redacted(wechat_server, samples_dir,
                                                                caplog):
    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        assert wechat_server.backend().recognize(as_source(samples_dir / "sign.png")).ok
    lines = "\n".join(record.getMessage() for record in caplog.records)
    assert "access_token=***" in lines and "/cgi-bin/token" in lines
    assert wechat_server.secret not in lines
    assert not any(token in lines for token in wechat_server.issued)
