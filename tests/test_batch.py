"""Batches: dedupe, worker processes and threads, the quota stop, progress."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.helpers.backends import SizeBackend
from wxocr_pandas.batch import recognize_results
from wxocr_pandas.errors import Errcode, WxOcrError


def test_identical_images_are_recognized_once(tmp_path, make_png, size_backend):
    data = make_png(30, 12)
    (tmp_path / "a.png").write_bytes(data)
    (tmp_path / "copy.png").write_bytes(data)
    values = [str(tmp_path / "a.png"), data, str(tmp_path / "copy.png"), str(tmp_path / "a.png"),
              make_png(31, 12)]
    results = recognize_results(values, size_backend, cache=False)
    assert size_backend.calls == 2
    assert [r.items[0].text for r in results] == ["30x12"] * 4 + ["31x12"]


def test_identical_failing_images_name_their_own_cell(tmp_path, local_backend):
    garbage = b"not an image at all"
    (tmp_path / "a.png").write_bytes(garbage)
    (tmp_path / "b.png").write_bytes(garbage)
    results = recognize_results([str(tmp_path / "a.png"), str(tmp_path / "b.png")],
                                local_backend, cache=False)
    assert [r.errcode for r in results] == [Errcode.INVALID_IMAGE_DATA] * 2
    assert results[0].errmsg.startswith(str(tmp_path / "a.png"))
    assert results[1].errmsg.startswith(str(tmp_path / "b.png"))


@pytest.fixture(scope="module")
def mixed_inputs(samples_dir, tmp_path_factory) -> list:
    """Three samples (one twice, once under another name) and bad cells of every kind."""
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copy(samples_dir / "sign.png", folder / "sign-copy.png")
    (folder / "broken.png").write_bytes(b"\x89PNG broken")
    return [str(samples_dir / "receipt.png"), None, str(samples_dir / "sign.png"),
            str(folder / "missing.png"), str(folder / "sign-copy.png"),
            str(folder / "broken.png"), 42]


def test_worker_processes_answer_like_the_engine_in_process(mixed_inputs, local_backend):
    in_process = recognize_results(mixed_inputs, local_backend, cache=False, max_workers=1)
    in_workers = recognize_results(mixed_inputs, local_backend, cache=False, max_workers=2)
    assert in_workers == in_process
    assert [r.errcode for r in in_workers] == [0, 900001, 0, 900002, 0, 101002, 900003]


@pytest.fixture(scope="module")
def widths_and_images(make_png, tmp_path_factory) -> tuple[list[int], list[str]]:
    """Forty small images on disk, each named after its width."""
    folder = tmp_path_factory.mktemp("widths")
    widths = list(range(10, 50))
    for width in widths:
        (folder / f"{width}.png").write_bytes(make_png(width, 4))
    return widths, [str(folder / f"{width}.png") for width in widths]


def test_threads_return_results_in_input_order(widths_and_images):
    widths, images = widths_and_images
    results = recognize_results(images, SizeBackend(delay=0.02), cache=False, max_workers=8)
    assert [r.img_size.w for r in results] == widths


@pytest.mark.parametrize("workers", [1, 4])
def test_nothing_is_sent_after_the_quota_stops_the_batch(widths_and_images, workers):
    widths, images = widths_and_images
    backend = SizeBackend(delay=0.02, quota=10)
    results = recognize_results(images, backend, cache=False, max_workers=workers)
    # Each other worker may have had one image in flight when the quota ran out; no more.
    assert 10 <= len(backend.sent) <= 10 + workers - 1
    assert sum(r.ok for r in results) == 9
    not_sent = [r for r in results if "not sent" in r.errmsg]
    assert len(not_sent) == len(images) - len(backend.sent)
    assert {r.errcode for r in results if not r.ok} == {Errcode.DAILY_QUOTA}
    assert not {r.errmsg.split(": ")[0] for r in not_sent} & set(backend.sent)
    if workers == 1:
        assert [r.errcode for r in results[9:]] == [Errcode.DAILY_QUOTA] * 31
    assert all(r.img_size.w == w for r, w in zip(results, widths) if r.ok)


def test_errors_raise_stops_the_thread_pool(widths_and_images):
    _, images = widths_and_images
    backend = SizeBackend(delay=0.02, quota=3)
    with pytest.raises(WxOcrError) as caught:
        recognize_results(images, backend, "raise", cache=False, max_workers=4)
    assert caught.value.errcode == Errcode.DAILY_QUOTA
    assert len(backend.sent) < len(images)


def test_progress_bar_on_and_off(widths_and_images, size_backend, capsys):
    _, images = widths_and_images
    recognize_results(images[:3], size_backend, cache=False, progress=True)
    assert "3/3" in capsys.readouterr().err
    recognize_results(images[:3], size_backend, cache=False, progress=False)
    recognize_results(images[:3], size_backend, cache=False)  # not a terminal: quiet
    assert capsys.readouterr().err == ""


class _FailingPath(os.PathLike):
    def __fspath__(self) -> str:
        raise RuntimeError("no path today")

    def __repr__(self) -> str:
        raise RuntimeError("no repr either")


class _FailingRepr:
    def __repr__(self) -> str:
        raise ValueError("no repr")


class _FailingClass:
    @property
    def __class__(self):  # isinstance() asks for it: even that may fail
        raise RuntimeError("no class")


def test_a_cell_whose_own_methods_raise_is_its_own_error_row(samples_dir, size_backend):
    cells = [_FailingPath(), _FailingRepr(), str(samples_dir / "sign.png"), _FailingClass()]
    results = recognize_results(cells, size_backend, cache=False, progress=False)
    assert [result.errcode for result in results] == [900003, 900003, 0, 900003]
    assert results[0].errmsg == ("<_FailingPath>: its __fspath__ failed: RuntimeError: no path "
                                 "today (errcode 900003)")
    assert results[1].errmsg.startswith("<_FailingRepr>: cannot read an image from a _FailingRepr")
    assert results[3].errmsg.startswith("<_FailingClass>: cannot be checked: RuntimeError")
    with pytest.raises(WxOcrError, match="__fspath__ failed"):
        recognize_results(cells, size_backend, errors="raise", cache=False, progress=False)
