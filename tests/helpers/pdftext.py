"""What poppler's command-line tools read out of a PDF: its text, its words with their boxes
and its images, as users and other programs see them."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Word:
    """A word of ``pdftotext -bbox``: its page (from 1) and box in points from the top-left."""

    page: int
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def pdf_text(path: Path, page: int | None = None) -> str:
    """``pdftotext`` of the whole file or of one page (from 1)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_words(path: Path) -> list[Word]:
    """Every word of ``pdftotext -bbox``, page by page."""
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-bbox", str(path), "-"],
                          capture_output=True, check=True)
    root = ET.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", done.stdout))
    words = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            words.append(Word(number, word.text or "", *(float(word.get(key)) for key in (
                "xMin", "yMin", "xMax", "yMax"))))
    return words


def pdf_page_sizes(path: Path) -> list[tuple[float, float]]:
    """Width and height in points of each page (as shown), from ``pdfinfo``."""
    done = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(path)], capture_output=True,
                          check=True, text=True)
    sizes = [(float(w), float(h)) for w, h in
             re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", done.stdout)]
    turns = [int(r) % 180 for r in re.findall(r"Page\s+\d+ rot:\s+(\d+)", done.stdout)]
    return [(h, w) if turn == 90 else (w, h) for (w, h), turn in zip(sizes, turns)]


def pdf_images(path: Path, folder: Path, *, raw: bool = False) -> list[Path]:
    """The page images ``pdfimages`` extracts: decoded to PNG, or (``raw``) JPEGs as stored."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdfimages", "-j" if raw else "-png", str(path), str(folder / "img")],
                   check=True, capture_output=True)
    return sorted(folder.iterdir())


def squeezed(text: str) -> str:
    """Text without any whitespace, to compare what was read with what was drawn."""
    return re.sub(r"\s+", "", text)
