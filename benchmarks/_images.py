"""Benchmark inputs: distinct variants of the bundled samples (shared by the benchmarks)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SAMPLE_NAMES = ("receipt.png", "receipt2.png", "screenshot.png", "document.png",
                "two_columns.png", "sign.png")


def sample_variants(folder: Path, per_sample: int = 4) -> list[Path]:
    """``per_sample`` copies of every sample, each with a different white margin, so no two
    files are identical (deduplication must not flatter a figure) while the text stays."""
    paths = []
    for name in SAMPLE_NAMES:
        image = Image.open(SAMPLES / name).convert("RGB")
        for variant in range(per_sample):
            path = folder / f"{Path(name).stem}-{variant}.png"
            ImageOps.expand(image, border=4 * variant, fill="white").save(path)
            paths.append(path)
    return paths


def tiny_png(number: int) -> bytes:
    """A distinct 16x16 PNG per number."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (number % 256, number // 256 % 256, number // 65536 % 256)).save(
        buffer, format="PNG")
    return buffer.getvalue()
