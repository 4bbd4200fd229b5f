"""OCRmyPDF with this package's plugin: real ocrmypdf runs, no Tesseract on the PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from tests.helpers.documents import sample_images, scanned_pdf
from tests.helpers.pdftext import pdf_page_sizes, pdf_text, pdf_words, squeezed
from wxocr_pandas import read_hocr
from wxocr_pandas.evaluate import text_scores

ocrmypdf = pytest.importorskip("ocrmypdf")
from wxocr_pandas import ocrmypdf as plugin  # noqa: E402  (needs ocrmypdf installed)

BIN = Path(sys.executable).parent


def _truth(expected: dict, name: str) -> str:
    return "\n".join(run["text"] for run in expected[name])


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Path:
    """Three scanned pages: a Chinese receipt, an English page, and a Chinese page lying on
    its side (as a page fed the wrong way round)."""
    receipt, document, columns = sample_images("receipt.png", "document.png", "two_columns.png")
    path = tmp_path_factory.mktemp("ocrmypdf") / "scan.pdf"
    path.write_bytes(scanned_pdf([receipt, document, columns.rotate(-90, expand=True)],
                                 resolution=150))
    return path


@pytest.fixture(scope="module")
def ocred(scan) -> tuple[Path, subprocess.CompletedProcess]:
    """``ocrmypdf --plugin wxocr_pandas.ocrmypdf --rotate-pages`` with only this environment's
    programs on the PATH: no tesseract, no Ghostscript."""
    out = scan.with_name("searchable.pdf")
    environment = {**os.environ, "PATH": str(BIN)}
    assert shutil.which("tesseract", path=environment["PATH"]) is None
    done = subprocess.run(
        [str(BIN / "ocrmypdf"), "--plugin", "wxocr_pandas.ocrmypdf", "-l", "chi_sim+eng",
         "--rotate-pages", "--jobs", "2", str(scan), str(out)],
        capture_output=True, text=True, env=environment, timeout=300)
    return out, done


def test_ocrmypdf_with_the_plugin_exits_0_without_tesseract(ocred):
    out, done = ocred
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(pdf_page_sizes(out)) == 3


def test_the_text_layer_reads_back_chinese_included(ocred, expected):
    out, _ = ocred
    assert text_scores(pdf_text(out, 1), _truth(expected, "receipt.png"))["char_f1"] > 0.97
    assert text_scores(pdf_text(out, 2), _truth(expected, "document.png"))["char_f1"] > 0.97
    for phrase in ("阳光便利店", "合计", "谢谢惠顾"):
        assert phrase in squeezed(pdf_text(out, 1))


def test_the_sideways_page_was_turned_upright_by_the_orientation_vote(ocred, expected):
    out, done = ocred
    assert "rotat" in done.stderr.lower()  # OCRmyPDF reports the correction it applied
    width, height = pdf_page_sizes(out)[2]
    assert width > height  # shown upright again: two_columns.png is landscape
    assert text_scores(pdf_text(out, 3), _truth(expected, "two_columns.png"))["char_f1"] > 0.97


def test_words_lie_on_their_page(ocred):
    out, _ = ocred
    sizes = pdf_page_sizes(out)
    words = pdf_words(out)
    assert words
    for word in words:
        width, height = sizes[word.page - 1]
        assert -1 <= word.x_min < word.x_max <= width + 1
        assert -1 <= word.y_min < word.y_max <= height + 1


def test_orientation_and_deskew_follow_tesseracts_conventions(samples_dir, tmp_path):
    page = Image.open(samples_dir / "document.png").convert("RGB")
    # OCRmyPDF's angle is how far the content is turned clockwise (Tesseract's OSD).
    for turned_clockwise in (90, 180, 270):
        path = tmp_path / f"cw{turned_clockwise}.png"
        page.rotate(-turned_clockwise, expand=True).save(path)
        found = plugin.orientation(path)
        assert found.angle == turned_clockwise and found.confidence >= 14
    # get_deskew is what PIL's rotate() (counter-clockwise) needs to level the lines.
    path = tmp_path / "skewed.png"
    page.rotate(2.5, expand=True, fillcolor="white").save(path)
    assert plugin.deskew_angle(path) == pytest.approx(-2.5, abs=0.6)


def test_the_older_hocr_and_sandwich_interfaces_write_real_files(samples_dir, tmp_path):
    engine = plugin.WxOcrEngine()
    options = SimpleNamespace(wxocr=plugin.WxOcrOptions())
    image = tmp_path / "page.png"
    Image.open(samples_dir / "receipt.png").save(image, dpi=(150, 150))
    engine.generate_hocr(image, tmp_path / "page.hocr", tmp_path / "page.txt", options)
    lines = read_hocr(tmp_path / "page.hocr")["text"].tolist()
    assert "阳光便利店" in lines and "合计" in lines
    assert "阳光便利店" in (tmp_path / "page.txt").read_text(encoding="utf-8")
    engine.generate_pdf(image, tmp_path / "page.pdf", tmp_path / "page2.txt", options)
    assert squeezed(pdf_text(tmp_path / "page.pdf")).count("41.60") == 2
    # PNG keeps its resolution in dots per metre: 150 dpi comes back as 149.98
    assert pdf_page_sizes(tmp_path / "page.pdf")[0] == pytest.approx((560 * 72 / 150, 722 * 72 / 150),
                                                                     abs=0.1)


def test_the_plugin_refuses_what_it_cannot_do():
    from ocrmypdf.exceptions import BadArgsError

    with pytest.raises(BadArgsError, match="not a registered backend"):
        plugin.check_options(SimpleNamespace(ocr_engine="auto",
                                             wxocr=plugin.WxOcrOptions(backend="nope")))
    with pytest.raises(BadArgsError, match="drop --plugin"):
        plugin.check_options(SimpleNamespace(ocr_engine="tesseract", wxocr=plugin.WxOcrOptions()))
    assert plugin.get_ocr_engine(SimpleNamespace(ocr_engine="none")) is None
    assert plugin.WxOcrEngine.languages(None) >= {"eng", "chi_sim"}


def test_any_registered_backend_recognizes_by_option(wechat_server, tmp_path):
    """``--wxocr-backend wechat``: OCRmyPDF's pages go to the (fake) WeChat API."""
    scan = tmp_path / "sign.pdf"
    scan.write_bytes(scanned_pdf(sample_images("sign.png"), resolution=150))
    out = tmp_path / "out.pdf"
    environment = {**os.environ, "PATH": str(BIN), "WXOCR_BASE_URL": wechat_server.base_url,
                   "WXOCR_APPID": wechat_server.appid, "WXOCR_SECRET": wechat_server.secret,
                   "WXOCR_QUOTA_DIR": str(wechat_server.quota_dir)}
    done = subprocess.run(
        [str(BIN / "ocrmypdf"), "--plugin", "wxocr_pandas.ocrmypdf", "--wxocr-backend", "wechat",
         "--output-type", "pdf", str(scan), str(out)],
        capture_output=True, text=True, env=environment, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert wechat_server.ocr_calls == 1
    assert squeezed(pdf_text(out)) == squeezed("小心地滑 Caution Wet Floor")
