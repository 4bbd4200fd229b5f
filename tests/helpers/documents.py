"""Real documents for tests and benchmarks, rendered on the spot (nothing downloaded).

- :func:`text_pdf`: a born-digital PDF with a real text layer (matplotlib's PDF backend with
  embedded TrueType/OpenType fonts; Chinese through the installed CJK font), optionally with
  a picture on a page;
- :func:`scanned_pdf`: image-only pages, as a scanner writes them (Pillow);
- :func:`multipage_tiff`, :func:`animated_gif`: one frame per image (Pillow);
- :func:`searchable`: the text drawn invisible, over a scan, as OCR tools write it;
- :func:`protect`: the same PDF encrypted with a user password (pypdf, RC4-128);
- :func:`truncate`: a PDF cut short, as a failed download leaves it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@dataclass(frozen=True)
class Line:
    """One line of text: its left edge and baseline in points from the page's top-left."""

    text: str
    x: float
    y: float
    size: float = 12.0


@dataclass(frozen=True)
class Picture:
    """An image placed on a page: the file and its box in points (left, top, width)."""

    path: Path
    x: float
    y: float
    width: float


#: Two pages of text, English and Chinese, each line one item.
TEXT_PAGES: tuple[tuple[Line, ...], ...] = (
    (Line("Quarterly Report 2026", 72, 90, 20),
     Line("Revenue grew by 12 percent this quarter.", 72, 140),
     Line("营业收入同比增长百分之十二", 72, 170),
     Line("Total", 72, 220), Line("41.60", 400, 220)),
    (Line("第二页 Page Two", 72, 90, 18),
     Line("合计 90.70 元", 72, 140),
     Line("Thank you for reading.", 72, 170)),
)


def _font_families() -> list[str]:
    from wxocr_pandas.fonts import cjk_font_family

    family = cjk_font_family()
    return ["DejaVu Sans"] + ([family] if family else [])


def text_pdf(pages: Sequence[Sequence[Line]] = TEXT_PAGES, *,
             pictures: Sequence[Sequence[Picture]] = (), size: tuple[float, float] = (595, 842)
             ) -> bytes:
    """A PDF whose pages carry ``pages``' lines as real text (a text layer), and
    ``pictures[i]`` as images on page ``i``. ``size`` is the page in points (A4)."""
    import matplotlib

    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    width, height = size
    buffer = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buffer) as pdf:
        for number, lines in enumerate(pages):
            figure = Figure(figsize=(width / 72, height / 72))
            for line in lines:
                figure.text(line.x / width, 1 - line.y / height, line.text, fontsize=line.size,
                            family=_font_families(), va="baseline")
            for picture in (pictures[number] if number < len(pictures) else ()):
                image = Image.open(picture.path).convert("RGB")
                shown = picture.width * image.height / image.width
                axes = figure.add_axes((picture.x / width, 1 - (picture.y + shown) / height,
                                        picture.width / width, shown / height))
                axes.imshow(image, interpolation="none")
                axes.set_axis_off()
            pdf.savefig(figure)
    return buffer.getvalue()


def searchable(pdf: bytes) -> bytes:
    """The PDF with all its text drawn invisible, as OCR tools write their text over a scan."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(pdf)
    for page in document:
        for text in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            pdfium_c.FPDFTextObj_SetTextRenderMode(text, pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)
        page.gen_content()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def scanned_pdf(images: Sequence[Image.Image], resolution: float = 200.0) -> bytes:
    """Image-only pages, each image printed at ``resolution`` dots per inch."""
    first, *rest = [image.convert("RGB") for image in images]
    buffer = io.BytesIO()
    first.save(buffer, format="PDF", save_all=True, append_images=rest, resolution=resolution)
    return buffer.getvalue()


def sample_images(*names: str) -> list[Image.Image]:
    """The bundled samples, as RGB images."""
    return [Image.open(SAMPLES / name).convert("RGB") for name in names]


def multipage_tiff(images: Sequence[Image.Image]) -> bytes:
    """A multi-page TIFF, one page per image."""
    first, *rest = images
    buffer = io.BytesIO()
    first.save(buffer, format="TIFF", save_all=True, append_images=rest, compression="tiff_lzw")
    return buffer.getvalue()


def animated_gif(images: Sequence[Image.Image], duration: int = 500) -> bytes:
    """An animated GIF, one frame per image (full frames; no frame is dropped as a duplicate)."""
    first, *rest = images
    buffer = io.BytesIO()
    first.save(buffer, format="GIF", save_all=True, append_images=rest, duration=duration,
               loop=0, optimize=False)
    return buffer.getvalue()


def protect(pdf: bytes, password: str = "secret") -> bytes:
    """The PDF encrypted so that it opens only with ``password``."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, owner_password=password + "-owner",
                   algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def truncate(pdf: bytes, keep: float = 0.5) -> bytes:
    """The first ``keep`` share of the PDF's bytes."""
    return pdf[: int(len(pdf) * keep)]
