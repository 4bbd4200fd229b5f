"""Write ``samples/report.pdf``: a small document for the README, the notebooks and the CLI.

- page 1, born digital: a title, English and Chinese lines and a small table in a real text
  layer, and a photo of a sign (an image: its text exists only as pixels);
- page 2, born digital: two columns of text;
- page 3, scanned: the receipt sample as an image-only page printed at 150 dpi.

The fixtures come from ``tests/helpers/documents.py`` (the same code the tests render with).

Usage::

    PYTHONPATH=. python tools/make_documents.py [--out samples/report.pdf]
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.helpers

from tests.helpers.documents import Line, Picture, sample_images, scanned_pdf, text_pdf  # noqa: E402

FIRST = (
    Line("Quarterly Report 2026", 56, 80, 22),
    Line("季度报告 · 第三季度", 56, 112, 14),
    Line("Revenue grew by 12 percent this quarter, and costs fell.", 56, 150, 11),
    Line("营业收入同比增长百分之十二，成本下降。", 56, 172, 11),
    Line("Item", 56, 214, 11), Line("Amount", 300, 214, 11),
    Line("Stores", 56, 234, 11), Line("41.60", 300, 234, 11),
    Line("Online", 56, 254, 11), Line("90.70", 300, 254, 11),
    Line("Photo: the new sign in the Shanghai store", 56, 428, 9),
)
SECOND = (
    Line("Two columns", 56, 80, 18),
    *(Line(text, 56, 120 + 20 * i, 11) for i, text in enumerate((
        "Spring came early this year.", "The willows by the river", "turned green in March.",
        "春天来了，", "河边的柳树发芽了。"))),
    *(Line(text, 320, 120 + 20 * i, 11) for i, text in enumerate((
        "Summer brought long days.", "Children flew kites", "in the fields all June.",
        "夏天到了，", "孩子们在田野里放风筝。"))),
)


def report_pdf() -> bytes:
    """The three pages, as PDF bytes."""
    import pypdfium2 as pdfium

    born = text_pdf([FIRST, SECOND], pictures=[[Picture(ROOT / "samples" / "sign.png", 56, 290, 240)]])
    scanned = scanned_pdf(sample_images("receipt.png"), resolution=150)
    document = pdfium.PdfDocument(born)
    document.import_pages(pdfium.PdfDocument(scanned))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "samples" / "report.pdf")
    args = parser.parse_args()
    args.out.write_bytes(report_pdf())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
