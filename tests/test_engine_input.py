"""The engine guard: what RapidOCR hands its models, predicted; and 1-pixel strips read
within a memory cap through the API, worker processes and ``wxocr serve``.

Each strip runs in a subprocess capped at :data:`tests.helpers.capped.CAP` of address space:
unguarded, a 1000 x 1 strip drives the detector past 8 GB, so a regression fails here
(MemoryError in the engine, or the child killed) rather than taking the machine down.
"""

from __future__ import annotations

import io
import subprocess

import numpy as np
import pytest
from PIL import Image

from tests.helpers.capped import limit_memory, run_capped
from tests.helpers.ocr_server import APPID, SECRET, start_cli_server
from tests.helpers.rendered_text import page
from wxocr_pandas.backends.engine_input import (DETECTOR_MAX_PIXELS, RECOGNIZER_MAX_WIDTH,
                                                EngineShape, detector_input, fits, fitting,
                                                preprocessed, recognizer_input)
from wxocr_pandas.images import as_source

SHAPES = [(1, 100), (3, 500), (10, 3000), (100, 100), (1500, 1000), (250, 1999), (40, 900),
          (17, 2016), (2200, 60), (5, 40), (30, 30), (31, 300)]


@pytest.mark.parametrize("shape", SHAPES)
def test_predicted_sizes_are_what_rapidocr_makes(shape):
    """The predictions against rapidocr's own preprocessing code, run on real arrays."""
    from rapidocr.ch_ppocr_det.utils import DetPreProcess
    from rapidocr.utils.process_img import (ResizeImgError, apply_vertical_padding,
                                            resize_image_within_bounds)

    image = np.zeros((*shape, 3), dtype=np.uint8)
    try:
        enlarged = resize_image_within_bounds(image, 30, 2000)[0]
    except ResizeImgError:
        enlarged = None
    engine_shape = EngineShape()
    assert preprocessed(*shape, engine_shape) == (None if enlarged is None
                                                  else enlarged.shape[:2])
    if enlarged is not None:
        padded = apply_vertical_padding(enlarged, {}, 8, 30)[0]
        assert detector_input(*shape, engine_shape) == DetPreProcess(736, "min").resize(
            padded).shape[:2]


def test_extreme_shapes_are_reshaped_to_fit_and_ordinary_ones_left_alone():
    shape = EngineShape()
    assert detector_input(1, 1000, shape) == (7488, 30016)  # 225 M pixels, as reported
    for height, width in [(1, 1000), (1000, 1), (1, 2000), (2000, 30), (10, 3000), (1, 99999)]:
        reshape = fitting(height, width, shape)
        assert reshape is not None and fits(reshape.height, reshape.width, shape)
        size = detector_input(reshape.height, reshape.width, shape)
        assert size[0] * size[1] <= DETECTOR_MAX_PIXELS
    recognition = EngineShape(use_det=False)
    reshape = fitting(1, 1000, recognition)
    assert recognizer_input(reshape.height, reshape.width, recognition)[1] <= RECOGNIZER_MAX_WIDTH
    for height, width in [(2000, 2000), (1500, 1000), (48, 600), (250, 1999), (400, 2000)]:
        assert fitting(height, width, shape) is None


def test_a_narrow_column_is_read_through_the_guard_with_its_corners(local_backend):
    """A column 60 px wide: the detector would get it 12 times enlarged (17 M pixels); it is
    handed it padded instead, and every line comes back, its corners on its ink."""
    image, texts = page([f"{n:02d}" for n in range(20)], size=20, width=60, gap=1.7)
    assert fitting(image.height, image.width, local_backend.engine_for({}).shape) is not None
    items = local_backend.recognize(as_source(image)).items
    assert [item.text for item in items] == [text.text for text in texts]
    for item, text in zip(items, texts):
        x0, y0, x1, y1 = text.box
        corners = np.array([(p.x, p.y) for p in (item.left_top, item.right_bottom)])
        assert x0 - 8 <= corners[0, 0] <= x0 and y0 - 8 <= corners[0, 1] <= y0
        assert x1 <= corners[1, 0] <= x1 + 8 and y1 <= corners[1, 1] <= y1 + 8


def _strip_png(width: int = 1000, height: int = 1) -> bytes:
    """A strip with some ink (blank would be read quickly by any path)."""
    pixels = np.full((height, width), 255, dtype=np.uint8)
    pixels[..., ::7] = 0
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _check(done: subprocess.CompletedProcess) -> list[str]:
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def test_strips_through_the_api_and_worker_processes_within_the_memory_cap(tmp_path):
    """The reported strip in-process (a script, the CLI); a (1, 1000) array and a strip read
    in tiles of 1 x 2000 in two worker processes, which inherit the cap."""
    (tmp_path / "strip.png").write_bytes(_strip_png())
    out = _check(run_capped("""
        import numpy as np, wxocr_pandas
        from wxocr_pandas.batch import recognize_results
        from wxocr_pandas.workers import current_size
        print(wxocr_pandas.recognize("strip.png", errors="coerce", cache=False)["errcode"])
        array = np.full((1, 1000), 255, dtype=np.uint8); array[:, ::5] = 0
        tiled = np.full((1, 5000), 255, dtype=np.uint8); tiled[:, ::9] = 0
        results = recognize_results([array, tiled], max_workers=2, cache=False, progress=False)
        print(current_size(), *[result.errcode for result in results])
    """, cwd=tmp_path))
    assert out == ["0", "2", "0", "0"]


def test_a_strip_uploaded_to_wxocr_serve_within_the_memory_cap(tmp_path):
    process, running = start_cli_server("--workers", "1", "--no-cache",
                                        "--app", f"{APPID}:{SECRET}", log=tmp_path / "serve.log",
                                        preexec_fn=limit_memory)
    try:
        answer = running.ocr(running.token(), _strip_png())
        assert answer["errcode"] == 0, answer
        assert answer["img_size"] == {"w": 1000, "h": 1}
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=120)
