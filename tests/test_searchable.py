"""Searchable PDFs, read back with poppler's own tools (pdftotext, pdfimages, pdfinfo)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pikepdf
import pytest
from PIL import Image

from tests.helpers.documents import sample_images, scanned_pdf
from tests.helpers.pdftext import pdf_images, pdf_page_sizes, pdf_text, pdf_words, squeezed
from wxocr_pandas import ExportWarning, ImgSize, Item, OcrResult, Point, to_pdf
from wxocr_pandas.frame import explode
from wxocr_pandas.geometry import quads
from wxocr_pandas.glyphless import GlyphlessEncoding
from wxocr_pandas.schema import rows_per_image

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils (pdftotext) is not installed")
#: Words may stick out of their item by rounding only.
TOLERANCE = 0.5


@pytest.fixture(scope="module")
def inputs(samples_dir: Path, tmp_path_factory) -> list[str]:
    """A Chinese PNG, an English JPEG scan at 150 dpi, a PDF with born-digital and scanned
    pages, and a file that does not exist."""
    folder = tmp_path_factory.mktemp("inputs")
    jpeg = folder / "document.jpg"
    Image.open(samples_dir / "document.png").convert("RGB").save(jpeg, quality=90, dpi=(150, 150))
    return [str(samples_dir / "receipt.png"), str(jpeg), str(samples_dir / "report.pdf"),
            str(folder / "missing.png")]


@pytest.fixture(scope="module")
def recognized(inputs, local_backend) -> pd.DataFrame:
    return pd.DataFrame({"path": inputs}).wxocr.recognize("path", backend=local_backend,
                                                          max_workers=1)


@pytest.fixture(scope="module")
def written(recognized, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("out") / "all.pdf"
    with pytest.warns(ExportWarning, match="missing.png: left out of the PDF"):
        assert recognized.wxocr.to_pdf(path) == [path]
    return path


def _pages(frame: pd.DataFrame) -> list[pd.DataFrame]:
    return [rows for _, rows in rows_per_image(frame) if rows["errcode"].iloc[0] == 0]


def _chars(text: str) -> Counter:
    return Counter(squeezed(text))


def test_every_page_is_written_and_the_failed_input_is_left_out(written):
    # receipt, the JPEG, and the three pages of report.pdf; missing.png gave a warning
    assert len(pdf_page_sizes(written)) == 5


def test_the_text_layer_gives_the_recognized_text_chinese_included(written, recognized):
    pages = _pages(recognized)
    for number in (1, 2, 5):  # the images, and the scanned third page of report.pdf
        items = pages[number - 1]["text"].dropna()
        assert _chars(pdf_text(written, number)) == _chars("".join(items))
    assert "合计" in pdf_text(written, 1) and "阳光便利店" in pdf_text(written, 1)
    assert "Reading Text from Images" in pdf_text(written, 2)


def test_word_boxes_lie_inside_their_items_boxes(written, recognized):
    pages = _pages(recognized)
    sizes = pdf_page_sizes(written)
    words = pdf_words(written)
    for number in (1, 2, 5):
        rows = pages[number - 1]
        width, height = sizes[number - 1]
        scale = np.array([width / rows["img_w"].iloc[0], height / rows["img_h"].iloc[0]])
        corners = quads(rows) * scale
        boxes = np.concatenate([corners.min(axis=1), corners.max(axis=1)], axis=1)
        on_page = [w for w in words if w.page == number]
        assert on_page
        held: dict[int, list] = {}
        for word in on_page:
            inside = np.flatnonzero(
                (boxes[:, 0] - TOLERANCE <= word.x_min) & (word.x_max <= boxes[:, 2] + TOLERANCE)
                & (boxes[:, 1] - TOLERANCE <= word.y_min) & (word.y_max <= boxes[:, 3] + TOLERANCE))
            assert inside.size, f"page {number}: {word.text!r} lies in no item's box"
            held.setdefault(int(inside[0]), []).append(word)
        for index, item_words in held.items():
            text = "".join(w.text for w in sorted(item_words, key=lambda w: w.x_min))
            assert squeezed(text) == squeezed(rows["text"].iloc[index])


def test_image_pages_show_the_inputs_pixels(written, inputs, tmp_path):
    decoded = pdf_images(written, tmp_path / "png")
    receipt = np.asarray(Image.open(decoded[0]).convert("RGB"))
    assert np.array_equal(receipt, np.asarray(Image.open(inputs[0]).convert("RGB")))
    stored = pdf_images(written, tmp_path / "raw", raw=True)
    assert stored[1].suffix == ".jpg"
    assert stored[1].read_bytes() == Path(inputs[1]).read_bytes()  # the JPEG as it was


def test_a_jpeg_page_has_the_size_its_resolution_gives(written):
    assert pdf_page_sizes(written)[1] == pytest.approx((700 * 72 / 150, 500 * 72 / 150))


def test_pdf_pages_are_grafted_not_redrawn(written, inputs):
    with pikepdf.open(inputs[2]) as original, pikepdf.open(written) as out:
        for number in (1, 2):  # born digital: left exactly as they were
            before = pikepdf.parse_content_stream(original.pages[number - 1])
            after = pikepdf.parse_content_stream(out.pages[number + 1])
            assert pikepdf.unparse_content_stream(after) == pikepdf.unparse_content_stream(before)
        before = pikepdf.parse_content_stream(original.pages[2])
        after = pikepdf.parse_content_stream(out.pages[4])
        assert str(after[0].operator) == "q"
        assert pikepdf.unparse_content_stream(after[1:1 + len(before)]) == \
            pikepdf.unparse_content_stream(before)
        modes = [op.operands for op in after[len(before) + 2:] if str(op.operator) == "Tr"]
        assert modes and all(int(operands[0]) == 3 for operands in modes)  # invisible
        scan = original.pages[2].get_images()
        grafted = out.pages[4].get_images()
        assert {name: image.read_raw_bytes() for name, image in grafted.items()} == \
            {name: image.read_raw_bytes() for name, image in scan.items()}
    text = pdf_text(written, 3)
    assert text == pdf_text(Path(inputs[2]), 1)  # nothing added to a page with a text layer


def test_a_folder_gets_one_pdf_per_input_named_after_it(recognized, samples_dir, tmp_path,
                                                        local_backend):
    copy = tmp_path / "other" / "receipt.png"
    copy.parent.mkdir()
    shutil.copy(samples_dir / "receipt.png", copy)
    both = pd.DataFrame({"path": [str(samples_dir / "receipt.png"), str(copy)]}).wxocr.recognize(
        "path", backend=local_backend, max_workers=1)
    written = to_pdf(both, f"{tmp_path / 'out'}{os.sep}")
    assert [p.name for p in written] == ["receipt.pdf", "receipt-2.pdf"]
    with pytest.warns(ExportWarning, match="missing.png"):
        written = recognized.wxocr.to_pdf(f"{tmp_path / 'each'}{os.sep}")
    assert [p.name for p in written] == ["receipt.pdf", "document.pdf", "report.pdf"]
    assert [len(pdf_page_sizes(p)) for p in written] == [1, 1, 3]
    assert "微信支付" in pdf_text(written[0])


def test_inputs_that_are_not_paths_are_named_by_their_label(samples_dir, tmp_path, local_backend):
    data = (samples_dir / "sign.png").read_bytes()
    frame = pd.DataFrame({"image": [data, Image.open(samples_dir / "receipt.png")]},
                         index=["bytes-in", "pil-in"])
    out = frame.wxocr.recognize("image", backend=local_backend, max_workers=1)
    written = to_pdf(out, f"{tmp_path / 'named'}{os.sep}")
    assert [p.name for p in written] == ["bytes-in.pdf", "pil-in.pdf"]
    assert "小心地滑" in pdf_text(written[0]) and "合计" in pdf_text(written[1])


def test_japanese_and_characters_beyond_the_bmp_copy_out_exactly(samples_dir, tmp_path):
    text = "日本語のテキスト 𠀋𡈽 Ünïcode"
    item = Item(text, Point(40, 150), Point(760, 150), Point(760, 200), Point(40, 200))
    frame = explode(pd.DataFrame({"path": [str(samples_dir / "sign.png")]}),
                    [OcrResult(items=(item,), img_size=ImgSize(800, 400))], image="path")
    path = tmp_path / "unicode.pdf"
    to_pdf(frame, path)
    assert pdf_text(path).split() == text.split()
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "CID TrueType" in fonts and "Identity-H" in fonts  # the glyphless font, embedded
    assert path.stat().st_size < 60_000  # the image and a font of no glyphs, no CJK font


def test_turned_pages_and_turned_images_read_upright(samples_dir, tmp_path, local_backend):
    document = sample_images("document.png")[0]
    turned_scan = pikepdf.open(io.BytesIO(scanned_pdf([document], resolution=100)))
    turned_scan.pages[0].obj.Rotate = 90  # shown turned, as a scanner may store a page
    pdf = tmp_path / "rotate90.pdf"
    turned_scan.save(pdf)
    image = tmp_path / "turned.png"
    document.rotate(90, expand=True).save(image)  # the page itself photographed sideways
    out = pd.DataFrame({"path": [str(pdf), str(image)]}).wxocr.recognize(
        "path", backend=local_backend, max_workers=1)
    path = tmp_path / "turned.pdf"
    to_pdf(out, path)
    for number, (_, rows) in enumerate(rows_per_image(out), start=1):
        assert _chars(pdf_text(path, number)) == _chars("".join(rows["text"]))
    lines = [line.strip() for line in pdf_text(path, 1).splitlines() if line.strip()]
    assert lines[0] == "Reading Text from Images"  # the grafted layer turns with the page


def test_glyphless_encoding_numbers_each_character_once():
    encoding = GlyphlessEncoding(["合计 41.60", "计算"])
    assert len(encoding.ids) == len(set("合计 41.60计算"))
    assert len(encoding.cid_to_gid()) == 2 * (len(encoding.ids) + 1)


def test_the_cli_writes_a_searchable_pdf_in_a_real_process(samples_dir, tmp_path):
    wxocr = Path(sys.executable).with_name("wxocr")
    out = tmp_path / "searchable.pdf"
    done = subprocess.run([str(wxocr), "recognize", str(samples_dir / "sign.png"),
                           str(samples_dir / "report.pdf"), str(tmp_path / "gone.png"), "-o",
                           str(out), "--no-progress"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "3 inputs (4 pages)" in done.stdout and "gone.png: file not found" in done.stderr
    assert len(pdf_page_sizes(out)) == 4
    assert squeezed(pdf_text(out, 1)) == squeezed("小心地滑 Caution Wet Floor")
