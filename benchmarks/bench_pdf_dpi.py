"""Benchmark: the rendering DPI of scanned PDF pages, accuracy against time; and the text
layer against OCR on born-digital pages.

Scanned pages are made the way a scanner makes them: dense A4 pages of body text (English
and Chinese, 7, 9 and 11 pt) drawn with a real text layer, rasterized at 300 dpi, turned,
blurred and noised a little, and saved as JPEG image-only PDF pages. Each DPI renders and recognizes every page (engine loaded beforehand;
one process, the engine's default threads); accuracy is the CER and character F1 of the
page text against the drawn lines (``wxocr_pandas.evaluate.text_scores``). Ratios are
against 300 dpi (the scan's own resolution) measured in the same run.

Run: ``python benchmarks/bench_pdf_dpi.py``.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.helpers

from tests.helpers.documents import Line, scanned_pdf, text_pdf  # noqa: E402
from PIL import Image  # noqa: E402

from wxocr_pandas import LocalBackend  # noqa: E402
from wxocr_pandas.batch import recognize_one  # noqa: E402
from wxocr_pandas.evaluate import text_scores  # noqa: E402
from wxocr_pandas.images import as_source  # noqa: E402
from wxocr_pandas.documents import open_document, render_page  # noqa: E402

DPIS = (72, 100, 150, 200, 300)
SCAN_DPI = 300

ENGLISH = (
    "Optical character recognition turns pictures of printed text into strings.",
    "Each recognised line comes with a bounding box and a confidence score.",
    "Invoices, receipts and forms are scanned at three hundred dots per inch.",
    "The total amount due is 1,284.50 and must be paid by 15 March 2026.",
    "Reference number: INV-2026-00417, customer account 88-1203-7.",
    "Small print in footnotes is where low resolutions lose characters first.",
)
CHINESE = (
    "文字识别把印刷文字的图片转换成可以搜索和编辑的字符串。",
    "每一行识别结果都带有位置框和置信度分数。",
    "发票、收据和表格通常以每英寸三百点的分辨率扫描。",
    "应付总额为一千二百八十四元五角，请于三月十五日前付款。",
    "脚注中的小字最先在低分辨率下丢失字符。",
)


def pages() -> list[list[Line]]:
    """Dense pages as in reports: one per (language, size), lines 1.5 sizes apart, each
    sentence numbered so no two lines are the same."""
    out = []
    for sentences in (ENGLISH, CHINESE):
        for size, count in ((7.0, 44), (9.0, 36), (11.0, 30)):
            out.append([Line(f"{i + 1}. {sentences[i % len(sentences)]}", 56,
                             72 + i * size * 1.5, size) for i in range(count)])
    return out


def scan(pdf: bytes) -> bytes:
    """The PDF's pages as a scanner gives them: rasterized at :data:`SCAN_DPI`, turned by a
    fraction of a degree, a little blurred and noisy, saved as JPEG in an image-only PDF."""
    import numpy as np
    from PIL import ImageFilter

    rng = np.random.default_rng(7)
    document = open_document(as_source(pdf), dpi=SCAN_DPI, pdf_ocr=True)
    images = []
    for page in document.pages:
        image = render_page(page.source.value, page.source.label).convert("L")
        image = image.rotate(0.4, resample=Image.Resampling.BICUBIC, fillcolor=255)
        image = image.filter(ImageFilter.GaussianBlur(0.9))
        noisy = np.asarray(image, dtype=np.float64) + rng.normal(0, 12, (image.height, image.width))
        image = Image.fromarray(noisy.clip(0, 255).astype(np.uint8))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=70)
        images.append(Image.open(buffer))
    return scanned_pdf(images, resolution=SCAN_DPI)


def main() -> None:
    truth_pages = pages()
    truths = ["\n".join(line.text for line in page) for page in truth_pages]
    born_digital = text_pdf(truth_pages)
    scanned = scan(born_digital)
    backend = LocalBackend()
    recognize_one(str(Path(__file__).resolve().parents[1] / "samples" / "sign.png"), backend)  # load the engine outside the timings

    rows = {}
    for dpi in DPIS:
        document = open_document(as_source(scanned), dpi=dpi)
        start = time.perf_counter()
        results = [recognize_one(page.source, backend) for page in document.pages]
        seconds = (time.perf_counter() - start) / len(results)
        scores = [text_scores(_page_text(result), truth) for result, truth in zip(results, truths)]
        small = [s["cer"] for s, page in zip(scores, truth_pages) if page[0].size == 7.0]
        rows[dpi] = (statistics.mean(s["cer"] for s in scores),
                     statistics.mean(s["char_f1"] for s in scores), statistics.mean(small), seconds,
                     results[0].img_size)

    base_seconds = rows[SCAN_DPI][3]
    print(f"scanned A4 pages ({len(truths)}: English and Chinese, 7/9/11 pt), scan at {SCAN_DPI} dpi")
    print(f"{'dpi':>5} {'page px':>11} {'CER':>7} {'CER 7pt':>8} {'char F1':>8} {'s/page':>7} {'time vs 300':>12}")
    for dpi, (cer, f1, cer_small, seconds, size) in rows.items():
        print(f"{dpi:>5} {size.w:>5}x{size.h:<5} {cer:7.3f} {cer_small:8.3f} {f1:8.3f} "
              f"{seconds:7.2f} {seconds / base_seconds:11.2f}x")

    start = time.perf_counter()
    document = open_document(as_source(born_digital))
    layer = [page.finish() for page in document.pages]
    layer_seconds = (time.perf_counter() - start) / len(layer)
    start = time.perf_counter()
    ocr_document = open_document(as_source(born_digital), pdf_ocr=True)
    ocr = [recognize_one(page.source, backend) for page in ocr_document.pages]
    ocr_seconds = (time.perf_counter() - start) / len(ocr)
    layer_cer = statistics.mean(text_scores(_page_text(r), t)["cer"] for r, t in zip(layer, truths))
    ocr_cer = statistics.mean(text_scores(_page_text(r), t)["cer"] for r, t in zip(ocr, truths))
    print(f"born-digital pages: text layer {layer_seconds * 1000:.1f} ms/page, CER {layer_cer:.3f}; "
          f"OCR at the default dpi {ocr_seconds:.2f} s/page, CER {ocr_cer:.3f}; "
          f"text layer {ocr_seconds / layer_seconds:,.0f}x faster")


def _page_text(result) -> str:
    """Items top to bottom (the pages are one column)."""
    items = sorted(result.items, key=lambda item: (round(item.left_top.y / 10), item.left_top.x))
    return "\n".join(item.text for item in items)


if __name__ == "__main__":
    from _record import run

    run(main)
