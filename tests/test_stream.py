"""Streaming: chunks equal the one-shot frame; Parquet written chunk by chunk."""

from __future__ import annotations

import pandas as pd
import pytest

from wxocr_pandas import recognize_frame, recognize_iter, recognize_series, recognize_to_parquet


@pytest.fixture
def frame(tmp_path, make_png) -> pd.DataFrame:
    """Seven rows with a custom index: images, a duplicate, NA and a missing file."""
    images = []
    for width in (12, 13, 14):
        path = tmp_path / f"{width}.png"
        path.write_bytes(make_png(width, 6))
        images.append(str(path))
    column = [images[0], None, images[1], images[0], str(tmp_path / "missing.png"), images[2],
              make_png(15, 6)]
    return pd.DataFrame({"path": column, "shop": list("ABCDEFG")}, index=range(100, 107))


def test_chunks_concatenate_to_the_one_shot_frame(frame, size_backend):
    whole = recognize_frame(frame, "path", backend=size_backend, cache=False)
    chunks = list(recognize_iter(frame, column="path", chunksize=3, backend=size_backend,
                                 cache=False))
    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    pd.testing.assert_frame_equal(pd.concat(chunks), whole)


def test_a_series_and_a_generator_stream_too(frame, size_backend):
    series = frame["path"]
    whole = recognize_series(series, backend=size_backend, cache=False)
    streamed = pd.concat(recognize_iter(series, chunksize=2, backend=size_backend, cache=False))
    pd.testing.assert_frame_equal(streamed, whole)
    generated = pd.concat(recognize_iter((cell for cell in series), chunksize=4,
                                         backend=size_backend, cache=False))
    assert generated.index.unique().tolist() == list(range(7))
    assert generated["text"].tolist() == whole["text"].tolist()
    assert generated["image"].tolist()[:3] == series.tolist()[:3]


def test_stream_uses_the_cache_across_chunks(frame, size_backend, tmp_path):
    list(recognize_iter(frame, column="path", chunksize=2, backend=size_backend,
                        cache_dir=tmp_path / "c"))
    # NA and the missing file are never sent; the duplicate in another chunk is cached.
    assert size_backend.calls == 4
    list(recognize_iter(frame, column="path", chunksize=2, backend=size_backend,
                        cache_dir=tmp_path / "c"))
    assert size_backend.calls == 4


def test_parquet_round_trip_keeps_values_and_dtypes(frame, size_backend, tmp_path):
    path = tmp_path / "out.parquet"
    frame = frame.iloc[:6].assign(note=[None, None, None, "x", None, None])  # all NA in chunk 1
    rows = recognize_to_parquet(frame, path, column="path", chunksize=3, backend=size_backend,
                                cache=False, prefix="ocr_")
    whole = recognize_frame(frame, "path", backend=size_backend, cache=False, prefix="ocr_")
    assert rows == len(whole)
    back = pd.read_parquet(path)
    result_columns = [c for c in whole.columns if c.startswith("ocr_")]
    pd.testing.assert_frame_equal(back[result_columns], whole[result_columns].reset_index(drop=True))
    assert back["note"].tolist()[3] == "x"


def test_no_images_still_leave_a_parquet_file(tmp_path):
    path = tmp_path / "empty.parquet"
    assert recognize_to_parquet([], path) == 0
    assert "errcode" in pd.read_parquet(path).columns


def test_bad_stream_arguments_are_clear(frame):
    with pytest.raises(ValueError, match="chunksize"):
        next(recognize_iter(frame["path"], chunksize=0))
    with pytest.raises(KeyError, match="column="):
        next(recognize_iter(frame))
