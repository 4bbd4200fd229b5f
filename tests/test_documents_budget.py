"""Long documents: frames read once in order, rows streamed a piece of pages at a time, the
progress bar moving per page, and ``max_pages`` turning the rest into one error row.

The documents are real files (animated GIFs, multi-page TIFFs) whose frames show their own
number; recognition is the size backend's (it decodes every page as the engine would, and
answers its size), so hundreds of pages cost milliseconds. The engine's own reading of pages
is tested in ``test_api_documents.py``; the time per page against document length is
measured by ``benchmarks/bench_documents_budget.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image, ImageDraw

import wxocr_pandas
from tests.helpers.documents import animated_gif, multipage_tiff
from wxocr_pandas.batch import Recognizer, recognize_results
from wxocr_pandas.errors import PageLimitError
from wxocr_pandas.frames import with_frame
from wxocr_pandas.images import ImageSource


def numbered(count: int, size: tuple[int, int] = (60, 24)) -> list[Image.Image]:
    """Frames of distinct sizes-in-content: frame n has a black bar n pixels long."""
    frames = []
    for number in range(count):
        frame = Image.new("L", size, 255)
        ImageDraw.Draw(frame).rectangle((0, 0, number % size[0], 3), fill=0)
        frames.append(frame.convert("RGB"))
    return frames


@pytest.fixture(scope="module")
def long_gif(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("docs") / "long.gif"
    path.write_bytes(animated_gif(numbered(300)))
    return path


def test_frames_in_order_come_from_one_open_file(long_gif):
    """Each frame of a 300-frame GIF read in order is one step from the last: the open image
    is the same object throughout (reopening the file for each would cost every frame before
    it again). A frame asked for out of order opens it again."""
    document = ImageSource("path", str(long_gif), "long.gif")
    seen = [with_frame(document, index, lambda frame: (frame, frame.tell(),
                                                        frame.convert("L").getpixel((5, 1))))
            for index in range(300)]
    first = seen[0][0]
    assert all(image is first for image, _, _ in seen)
    assert [position for _, position, _ in seen] == list(range(300))
    assert [pixel for _, _, pixel in seen][:8] == [255] * 5 + [0] * 3  # frame n's bar: n px
    again = with_frame(document, 10, lambda frame: frame)
    assert again is not first  # (both held here: no id of a freed image is reused)


def test_a_long_document_streams_its_rows_a_piece_of_pages_at_a_time(tmp_path, samples_dir,
                                                                     size_backend):
    tiff = tmp_path / "seven.tif"
    tiff.write_bytes(multipage_tiff(numbered(7)))
    values = [str(samples_dir / "sign.png"), str(tiff), str(samples_dir / "receipt.png")]
    chunks = list(wxocr_pandas.recognize_iter(values, chunksize=3, backend=size_backend,
                                              cache=False, progress=False))
    assert [chunk["page"].tolist() for chunk in chunks] == [[1, 1, 2], [3, 4, 5], [6, 7, 1]]
    assert [chunk.index.tolist() for chunk in chunks] == [[0, 1, 1], [1, 1, 1], [1, 1, 2]]
    whole = wxocr_pandas.recognize_series(pd.Series(values, name="image", dtype=object),
                                          backend=size_backend, cache=False)
    pd.testing.assert_frame_equal(pd.concat(chunks), whole, check_dtype=False)


def test_the_progress_bar_moves_per_page(tmp_path, samples_dir, size_backend):
    tiff = tmp_path / "seven.tif"
    tiff.write_bytes(multipage_tiff(numbered(7)))
    values = [str(samples_dir / "sign.png"), str(tiff)]
    with Recognizer(size_backend, cache=False, progress=True, total=2) as recognizer:
        done = []
        for _ in recognizer.stream(values, 2):
            done.append((recognizer._bar.n, recognizer._bar.total))
    assert done == [(2, 8), (4, 8), (6, 8), (8, 8)]


def test_max_pages_turns_the_rest_into_one_error_row(long_gif, size_backend, monkeypatch):
    out = wxocr_pandas.recognize_series(pd.Series([str(long_gif)], name="doc"),
                                        backend=size_backend, cache=False, max_pages=4)
    assert out["page"].tolist() == [1, 2, 3, 4, 5]
    assert out["errcode"].tolist() == [0, 0, 0, 0, 900010]
    assert out["errmsg"].iloc[-1] == (f"{long_gif}: pages 5-300 not read: the document has 300 "
                                      "pages, more than max_pages=4 (WXOCR_MAX_PAGES) "
                                      "(errcode 900010)")
    assert size_backend.calls == 4  # nothing past the limit was read
    monkeypatch.setenv("WXOCR_MAX_PAGES", "2")
    pages, = recognize_results([str(long_gif)], size_backend, cache=False)
    assert [page.errcode for page in pages] == [0, 0, 900010]
    with pytest.raises(PageLimitError, match="pages 3-300 not read"):
        recognize_results([str(long_gif)], size_backend, errors="raise", cache=False)


def test_the_cli_takes_max_pages(tmp_path):
    tiff = tmp_path / "five.tif"
    tiff.write_bytes(multipage_tiff(numbered(5, size=(200, 60))))
    wxocr = Path(sys.executable).with_name("wxocr")
    done = subprocess.run([str(wxocr), "recognize", str(tiff), "-o", str(tmp_path / "o.csv"),
                           "--max-pages", "2", "--no-cache", "--no-progress"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "o.csv")
    assert table["page"].tolist() == [1, 2, 3]
    assert table["errcode"].tolist() == [0, 0, 900010]
    assert "pages 3-5 not read" in done.stderr
