"""Redaction: no URL credential, query secret, token or AppSecret survives it."""

from __future__ import annotations

import logging
import string
import subprocess
import sys

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
    assert "/cv/ocr/comm?***" in lines and "/cgi-bin/token?***" in lines
    assert wechat_server.secret not in lines
    assert not any(token in lines for token in wechat_server.issued)


def test_a_signed_download_url_never_reaches_a_debug_log(samples_dir, tmp_path):
    """A script that turns on DEBUG logging for everything, then reads a signed URL (with
    user:password too) from a real local server with the default (local) backend."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        server.expect_request("/scan.png").respond_with_data(
            (samples_dir / "sign.png").read_bytes(), content_type="image/png")
        signature = "Sig-4f2b91c0d7e3a5b8"
        url = (f"http://reader:Pass-77aa19@127.0.0.1:{server.port}/scan.png?X-Amz-Algorithm=x"
               f"&X-Amz-Credential=AKIA-KEY-ID-0001&X-Amz-Signature={signature}")
        done = subprocess.run([sys.executable, "-c", (
            "import logging, sys, wxocr_pandas\n"
            "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)\n"
            f"answer = wxocr_pandas.recognize({url!r}, cache=False)\n"
            "print(answer['errcode'], answer['items'][0]['text'])\n")],
            capture_output=True, text=True, timeout=180, cwd=tmp_path)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["0", "小心地滑"]
    assert '"GET /scan.png?*** HTTP/1.1" 200' in done.stderr  # the line is there, masked
    for secret in (signature, "AKIA-KEY-ID-0001", "Pass-77aa19", "reader:"):
        assert secret not in done.stderr + done.stdout
