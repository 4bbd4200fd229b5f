"""Documents page by page (:mod:`wxocr_pandas.documents`, :mod:`wxocr_pandas.pdf`): real PDFs (text layer, scanned, mixed, rotated, protected,
broken), multi-page TIFFs and animated GIFs, rendered on the spot."""

from __future__ import annotations

import io
import math

import numpy as np
import pypdfium2 as pdfium
import pytest
from tests.helpers.documents import (
    TEXT_PAGES,
    Picture,
    animated_gif,
    multipage_tiff,
    protect,
    sample_images,
    scanned_pdf,
    searchable,
    text_pdf,
    truncate,
)
from PIL import Image

from wxocr_pandas.batch import recognize_one
from wxocr_pandas.errors import (
    Errcode,
    ImageTooLargeError,
    InvalidImageError,
    ProtectedDocumentError,
    UsageError,
)
from wxocr_pandas.images import ImageSource, as_source, decode
from wxocr_pandas.documents import Page, PageRef, open_document, page_image, render_page, sniff


@pytest.fixture(scope="module")
def text_layer_pdf() -> bytes:
    return text_pdf()


@pytest.fixture(scope="module")
def scanned(samples_dir) -> bytes:
    """Two scanned pages, printed at 200 dpi: rendered at 200 dpi they are the samples."""
    return scanned_pdf(sample_images("document.png", "sign.png"), resolution=200)


def _ink(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L")) < 128


def _boxes(result) -> list[tuple[float, float, float, float]]:
    return [(min(p.x for p in item.corners), min(p.y for p in item.corners),
             max(p.x for p in item.corners), max(p.y for p in item.corners))
            for item in result.items]


def _assert_boxes_hold_the_ink(result, image: Image.Image, margin: float = 2.0) -> None:
    """Every item's box has ink, and every inked pixel lies in some item's box."""
    ink = _ink(image)
    covered = np.zeros_like(ink)
    for left, top, right, bottom in _boxes(result):
        window = (slice(max(0, math.floor(top - margin)), math.ceil(bottom + margin)),
                  slice(max(0, math.floor(left - margin)), math.ceil(right + margin)))
        assert ink[window].mean() > 0.05
        covered[window] = True
    assert not (ink & ~covered).any()


def test_sniff_tells_documents_by_their_bytes():
    assert sniff(b"%PDF-1.4\n") == "pdf"
    assert sniff(b"\xef\xbb\xbf junk %PDF-1.7") == "pdf"  # junk before the header is allowed
    assert sniff(b"MM\x00*") == "tiff"
    assert sniff(b"GIF87a") == "gif"
    assert sniff(b"\xff\xd8\xff\xe0") is None


def test_text_layer_gives_each_line_exact_and_in_page_pixels(text_layer_pdf):
    document = open_document(as_source(text_layer_pdf), dpi=150)
    assert document.kind == "pdf" and [p.number for p in document.pages] == [1, 2]
    for page, lines in zip(document.pages, TEXT_PAGES):
        assert page.source is None  # nothing to recognize: the text layer says it all
        result = page.finish()
        assert [item.text for item in result.items] == [line.text for line in lines]
        assert (result.img_size.w, result.img_size.h) == (math.ceil(595 * 150 / 72),
                                                          math.ceil(842 * 150 / 72))
        assert all(item.score is None for item in result.items)
        ocr_view = open_document(as_source(text_layer_pdf), dpi=150, pdf_ocr=True)
        rendered = decode(ocr_view.pages[page.number - 1].source)
        assert rendered.size == (result.img_size.w, result.img_size.h)
        _assert_boxes_hold_the_ink(result, rendered)


def test_coordinates_follow_the_dpi(text_layer_pdf):
    low, high = (open_document(as_source(text_layer_pdf), dpi=dpi).pages[0].finish()
                 for dpi in (100, 300))
    assert high.img_size.w == math.ceil(595 * 300 / 72) and low.img_size.w == math.ceil(595 * 100 / 72)
    for a, b in zip(low.items, high.items):
        assert b.left_top.x == pytest.approx(a.left_top.x * 3, abs=0.05)
        assert b.right_bottom.y == pytest.approx(a.right_bottom.y * 3, abs=0.05)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_pages_give_boxes_on_the_page_as_shown(text_layer_pdf, rotation):
    pdf = pdfium.PdfDocument(text_layer_pdf)
    pdf[0].set_rotation(rotation)
    buffer = io.BytesIO()
    pdf.save(buffer)
    turned = buffer.getvalue()

    result = open_document(as_source(turned), dpi=100).pages[0].finish()
    rendered = decode(open_document(as_source(turned), dpi=100, pdf_ocr=True).pages[0].source)
    assert rendered.size == (result.img_size.w, result.img_size.h)
    assert (result.img_size.w > result.img_size.h) == (rotation != 180)  # landscape when turned
    # pdfium lists the characters of a turned page in the order they are shown.
    assert sorted(item.text for item in result.items) == sorted(line.text for line in TEXT_PAGES[0])
    _assert_boxes_hold_the_ink(result, rendered)
    title = next(item for item in result.items if item.text.startswith("Quarterly"))
    start, end = title.left_top, title.right_top  # the text runs along its top edge as read
    direction = {90: (0, 1), 180: (-1, 0), 270: (0, -1)}[rotation]
    assert np.sign([round(end.x - start.x), round(end.y - start.y)]).tolist() == list(direction)


def test_scanned_pages_are_rendered_and_recognized(scanned, local_backend, expected):
    document = open_document(as_source(scanned), dpi=200)
    assert all(page.text is None and page.source.kind == "page" for page in document.pages)
    assert document.pages[0].source.label.endswith("page 1")
    first = recognize_one(document.pages[0].source, local_backend)
    assert (first.img_size.w, first.img_size.h) == (700, 500)  # the sample, as printed
    assert [item.text for item in first.items] == [run["text"] for run in expected["document.png"]]
    second = document.pages[1].finish(recognize_one(document.pages[1].source, local_backend))
    assert [item.text for item in second.items] == ["小心地滑", "Caution Wet Floor"]


def test_mixed_page_reads_the_text_layer_and_recognizes_only_its_picture(samples_dir,
                                                                         local_backend):
    pdf = text_pdf(TEXT_PAGES[:1], pictures=[[Picture(samples_dir / "sign.png", 72, 260, 300)]])
    page, = open_document(as_source(pdf), dpi=100).pages
    assert page.text is not None and page.source is not None
    left, top, right, bottom = page.source.value.regions[0]
    assert (right - left) == pytest.approx(300 * 100 / 72, abs=1)
    picture_only = decode(page.source)
    assert not _ink(picture_only)[: math.floor(top) - 1].any()  # the text around it is gone
    merged = page.finish(recognize_one(page.source, local_backend))
    texts = [item.text for item in merged.items]
    assert sorted(texts) == sorted([line.text for line in TEXT_PAGES[0]] +
                                   ["小心地滑", "Caution Wet Floor"])
    ys = [item.left_top.y for item in merged.items]
    assert ys == sorted(ys)  # text layer and picture merged top to bottom


def test_a_searchable_scan_keeps_its_text_layer_and_is_not_recognized_again(tmp_path):
    # A scan under an invisible text layer, as OCR tools write it: the text layer covers the
    # image, so the image is not recognized a second time.
    scan_path = tmp_path / "scan.png"
    rendered = render_page(open_document(as_source(text_pdf(TEXT_PAGES[:1])), dpi=72,
                                         pdf_ocr=True).pages[0].source.value, "p")
    rendered.save(scan_path)
    pdf = searchable(text_pdf(TEXT_PAGES[:1], pictures=[[Picture(scan_path, 0, 0, 595)]]))
    page, = open_document(as_source(pdf)).pages
    assert page.source is None
    assert [item.text for item in page.finish().items] == [line.text for line in TEXT_PAGES[0]]


def test_pdf_ocr_recognizes_every_page_whole(text_layer_pdf):
    document = open_document(as_source(text_layer_pdf), pdf_ocr=True, dpi=120)
    assert all(page.text is None and page.source.value.regions is None for page in document.pages)
    keys = {page.key for page in document.pages}
    assert len(keys) == 2
    assert keys.isdisjoint(page.key for page in open_document(
        as_source(text_layer_pdf), pdf_ocr=True, dpi=150).pages)  # the dpi is in the key


def test_protected_and_broken_pdfs_raise_clear_errors(text_layer_pdf):
    with pytest.raises(ProtectedDocumentError) as protected:
        open_document(ImageSource("bytes", protect(text_layer_pdf), "report.pdf"))
    assert protected.value.errcode == Errcode.PROTECTED_DOCUMENT == 900009
    assert "report.pdf: the PDF is password-protected" in str(protected.value)
    with pytest.raises(InvalidImageError) as broken:
        open_document(ImageSource("bytes", truncate(text_layer_pdf), "cut.pdf"))
    assert broken.value.errcode == 101002
    assert str(broken.value).startswith("cut.pdf: broken PDF")


def test_a_pdf_without_pages_and_pdfium_reasons_are_said_whole():
    import io

    import pypdfium2 as pdfium

    empty = io.BytesIO()
    pdfium.PdfDocument.new().save(empty)  # a valid PDF whose page tree is empty
    with pytest.raises(InvalidImageError) as no_pages:
        open_document(ImageSource("bytes", empty.getvalue(), "empty.pdf"))
    assert str(no_pages.value) == "empty.pdf: the PDF has no pages (errcode 101002)"
    with pytest.raises(InvalidImageError) as garbled:
        open_document(ImageSource("bytes", b"%PDF-1.7 no objects at all", "x.pdf"))
    assert str(garbled.value) == "x.pdf: broken PDF: Data format error (errcode 101002)"


def test_a_page_over_the_pixel_guard_fails_alone(text_layer_pdf):
    document = open_document(as_source(text_layer_pdf), dpi=100, pdf_ocr=True)
    with pytest.raises(ImageTooLargeError, match="page 2: .* at 100 dpi is over"):
        render_page(document.pages[1].source.value, document.pages[1].source.label,
                    max_pixels=500_000)


@pytest.mark.parametrize("encode", [multipage_tiff, animated_gif])
def test_multipage_tiff_and_gif_give_one_page_per_frame(tmp_path, encode):
    images = sample_images("sign.png", "document.png", "two_columns.png")
    suffix = ".tif" if encode is multipage_tiff else ".gif"
    path = tmp_path / f"frames{suffix}"
    path.write_bytes(encode([image.resize((400, 250)) for image in images]))
    document = open_document(as_source(str(path)))
    assert document.kind == suffix.strip(".").replace("tif", "tiff")
    assert [page.number for page in document.pages] == [1, 2, 3]
    for page, image in zip(document.pages, images):
        frame = decode(page.source)
        assert frame.size == (400, 250)
        difference = np.abs(np.asarray(frame, dtype=int) - np.asarray(image.resize((400, 250)), dtype=int))
        assert difference.mean() < 12  # the frame itself (GIF: up to its 256-colour palette)
    assert len({page.key for page in document.pages}) == 3


def test_single_frames_stay_plain_images(tmp_path):
    sign, = sample_images("sign.png")
    for suffix, encode in ((".tif", multipage_tiff), (".gif", animated_gif)):
        path = tmp_path / f"one{suffix}"
        path.write_bytes(encode([sign]))
        assert open_document(as_source(str(path))) is None


def test_a_multiframe_pil_image_gives_its_frames(tmp_path):
    images = sample_images("sign.png", "document.png")
    frames = Image.open(io.BytesIO(multipage_tiff(images)))
    document = open_document(as_source(frames))
    assert [decode(page.source).size for page in document.pages] == [im.size for im in images]
    assert frames.tell() == 0  # the caller's image is left on its first frame


def test_urls_are_documents_by_their_suffix(text_layer_pdf):
    import fsspec

    with fsspec.open("memory://docs/report.pdf", "wb") as stream:
        stream.write(text_layer_pdf)
    document = open_document(as_source("memory://docs/report.pdf"))
    assert document is not None and len(document.pages) == 2
    # Pages keep the bytes, so workers never fetch the document again.
    assert all(page.text is not None for page in document.pages)
    with fsspec.open("memory://docs/report", "wb") as stream:
        stream.write(text_layer_pdf)
    assert open_document(as_source("memory://docs/report")) is None
    with pytest.raises(InvalidImageError, match="a PDF document: give it as a path"):
        decode(as_source("memory://docs/report"))


def test_page_refs_pickle_small_for_paths(tmp_path, text_layer_pdf):
    import pickle

    path = tmp_path / "report.pdf"
    path.write_bytes(text_layer_pdf)
    page = open_document(as_source(str(path)), pdf_ocr=True).pages[1]
    assert isinstance(page.source.value, PageRef)
    assert len(pickle.dumps(page.source)) < 1000  # the path travels, not the pages
    assert decode(pickle.loads(pickle.dumps(page.source))).size == decode(page.source).size


def test_finish_without_any_answer_is_a_usage_bug():
    with pytest.raises(ValueError):
        Page(1, None, None).finish()


@pytest.mark.parametrize("dpi", [72, 150, 217])
def test_page_image_draws_the_page_at_the_size_its_rows_say(tmp_path, text_layer_pdf, dpi):
    path = tmp_path / "report.pdf"
    path.write_bytes(text_layer_pdf)
    result = open_document(as_source(str(path)), dpi=dpi).pages[1].finish()
    image = page_image(str(path), 2, (result.img_size.w, result.img_size.h))
    assert image.size == (result.img_size.w, result.img_size.h)
    _assert_boxes_hold_the_ink(result, image)
    with pytest.raises(UsageError, match="has 2 page"):
        page_image(str(path), 3)
    assert page_image("samples/sign.png").size == (800, 400)
