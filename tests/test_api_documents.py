"""Documents through the whole flow: ``df.wxocr.recognize`` on PDFs (text layer, scanned,
mixed, protected, broken), a multi-page TIFF and an animated GIF; the cache; the CLI; Dask."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.helpers.documents import (
    TEXT_PAGES,
    animated_gif,
    multipage_tiff,
    protect,
    sample_images,
    scanned_pdf,
    text_pdf,
    truncate,
)

import wxocr_pandas  # noqa: F401  (registers the accessors)
from wxocr_pandas import ProtectedDocumentError, recognize_frame
from wxocr_pandas.batch import recognize_results


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, samples_dir) -> pd.DataFrame:
    """One of each: a three-page PDF (mixed, text, scanned), a text-layer PDF as bytes, a
    two-page TIFF and GIF, a protected and a broken PDF, an image, a missing file."""
    folder = tmp_path_factory.mktemp("documents")
    frames = [image.resize((400, 200)) for image in sample_images("sign.png", "document.png")]
    (folder / "frames.tif").write_bytes(multipage_tiff(frames))
    (folder / "frames.gif").write_bytes(animated_gif(frames))
    born = text_pdf()
    (folder / "protected.pdf").write_bytes(protect(born))
    (folder / "broken.pdf").write_bytes(truncate(born))
    cells = [str(samples_dir / "report.pdf"), born, str(folder / "frames.tif"),
             str(folder / "frames.gif"), str(folder / "protected.pdf"),
             str(folder / "broken.pdf"), str(samples_dir / "sign.png"),
             str(folder / "missing.pdf")]
    return pd.DataFrame({"doc": cells, "tag": list("abcdefgh")}, index=range(10, 18))


@pytest.fixture(scope="module")
def out(inputs, local_backend, tmp_path_factory) -> pd.DataFrame:
    return inputs.wxocr.recognize("doc", backend=local_backend, max_workers=1,
                                  cache_dir=tmp_path_factory.mktemp("cache"))


def _texts(frame: pd.DataFrame, label: int, page: int) -> list[str]:
    rows = frame.loc[[label]]
    return rows.loc[rows["page"] == page, "text"].dropna().tolist()


def test_one_row_per_text_per_page_with_a_page_column(out, inputs):
    assert str(out["page"].dtype) == "Int64"
    columns = out.columns.tolist()
    assert columns.index("page") == columns.index("item") - 1
    assert out.index.unique().tolist() == inputs.index.tolist()  # nothing dropped
    pages = out.groupby(level=0, sort=False)["page"].agg(lambda p: sorted(p.dropna().unique()))
    assert pages.to_dict() == {10: [1, 2, 3], 11: [1, 2], 12: [1, 2], 13: [1, 2], 14: [],
                               15: [], 16: [1], 17: []}
    assert (out.loc[[14, 15, 17], "page"].isna()).all()


def test_text_layer_pages_are_exact_and_scanned_pages_recognized(out, expected):
    for page, lines in enumerate(TEXT_PAGES, start=1):
        assert _texts(out, 11, page) == [line.text for line in lines]
        assert out.loc[[11]].query("page == @page")["score"].isna().all()  # no confidence
    first = _texts(out, 10, 1)
    assert "Quarterly Report 2026" in first and "季度报告 · 第三季度" in first
    assert {"小心地滑", "Caution Wet Floor"} <= set(first)  # the photo, recognized
    # The scanned page is the receipt sample JPEG-compressed in the PDF (as scanners store
    # pages), read at the resolution it was printed at: nearly every line reads exactly.
    receipt = [run["text"] for run in expected["receipt.png"]]
    scanned = _texts(out, 10, 3)
    assert sum(text in scanned for text in receipt) >= len(receipt) - 2
    assert len(scanned) >= len(receipt) - 2
    assert _texts(out, 12, 1) == _texts(out, 13, 1) == ["小心地滑", "Caution Wet Floor"]
    assert _texts(out, 12, 2)[0] == "Reading Text from Images"


def test_each_page_has_its_own_size_in_pixels_as_rendered(out):
    sizes = out.loc[[10]].groupby("page")[["img_w", "img_h"]].first()
    # Pages 1-2 are A4 at the default 150 dpi; page 3 is the receipt printed at 150 dpi.
    assert sizes.loc[1].tolist() == sizes.loc[2].tolist() == [math.ceil(595 * 150 / 72),
                                                              math.ceil(842 * 150 / 72)]
    assert sizes.loc[3].tolist() == [560, 722]
    assert out.loc[[12]].groupby("page")["img_w"].first().tolist() == [400, 400]
    corners = out.loc[[10], ["right_bottom_x", "right_bottom_y"]].to_numpy()
    assert (corners <= out.loc[[10], ["img_w", "img_h"]].to_numpy()).all()


def test_protected_broken_and_missing_inputs_give_clear_error_rows(out):
    errors = out.loc[[14, 15, 17]]
    assert errors["errcode"].tolist() == [900009, 101002, 900002]
    assert errors["errmsg"].iloc[0].endswith("protected.pdf: the PDF is password-protected; "
                                             "decrypt it first (e.g. `qpdf --decrypt "
                                             "--password=... in.pdf out.pdf`) (errcode 900009)")
    assert "broken.pdf: broken PDF" in errors["errmsg"].iloc[1]
    assert errors["tag"].tolist() == ["e", "f", "h"]


def test_errors_raise_names_the_document(inputs, local_backend):
    with pytest.raises(ProtectedDocumentError, match="protected.pdf"):
        recognize_frame(inputs.iloc[[4]], "doc", backend=local_backend, errors="raise")


def test_a_page_that_fails_alone_keeps_its_number_and_the_other_pages(tmp_path, size_backend):
    # Page 2 is 40 inches wide: at 300 dpi it is over the pixel guard, page 1 is not.
    from tests.helpers.documents import Line

    wide = text_pdf([[Line("small", 72, 72)]], size=(595, 842))
    big = text_pdf([[Line("big", 72, 72)]], size=(2880, 4000))
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(wide)
    document.import_pages(pdfium.PdfDocument(big))
    path = tmp_path / "two.pdf"
    document.save(path)
    results, = recognize_results([str(path)], size_backend, dpi=300, pdf_ocr=True,
                                 cache=False)
    assert [r.errcode for r in results] == [0, 900004]
    assert "two.pdf page 2: " in results[1].errmsg and "at 300 dpi" in results[1].errmsg
    assert results[0].items[0].text == f"{math.ceil(595 * 300 / 72)}x{math.ceil(842 * 300 / 72)}"


def test_cached_documents_are_not_recognized_again(tmp_path, size_backend):
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(scanned_pdf(sample_images("sign.png", "document.png", "sign.png")))
    cells = [str(pdf), pdf.read_bytes()]  # the same document twice: recognized once
    first = recognize_results(cells, size_backend, cache_dir=tmp_path / "c")
    assert size_backend.calls == 3  # one per page (pages are keyed by document and number)
    again = recognize_results(cells, size_backend, cache_dir=tmp_path / "c")
    assert size_backend.calls == 3 and again == first  # a re-run reads nothing again
    recognize_results(cells, size_backend, cache_dir=tmp_path / "c", dpi=100)
    assert size_backend.calls == 6  # another resolution is another picture


def test_text_layer_pages_need_no_backend_unless_asked(tmp_path, size_backend):
    born = text_pdf()
    results, = recognize_results([born], size_backend, cache=False)
    assert size_backend.calls == 0 and [len(page.items) for page in results] == [5, 3]
    recognize_results([born], size_backend, cache=False, pdf_ocr=True)
    assert size_backend.calls == 2


def test_the_dpi_and_pdf_ocr_settings_come_from_the_environment(monkeypatch, size_backend):
    monkeypatch.setenv("WXOCR_DPI", "100")
    monkeypatch.setenv("WXOCR_PDF_OCR", "1")
    results, = recognize_results([text_pdf()], size_backend, cache=False)
    assert results[0].items[0].text == f"{math.ceil(595 * 100 / 72)}x{math.ceil(842 * 100 / 72)}"


def test_one_document_answer_is_a_list_of_pages(samples_dir):
    answer = wxocr_pandas.recognize(str(samples_dir / "report.pdf"))
    assert isinstance(answer, list) and len(answer) == 3
    assert answer[1]["items"][0]["text"] == "Two columns" and "score" not in answer[1]["items"][0]


def test_the_cli_writes_one_row_per_text_per_page(tmp_path, inputs):
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(text_pdf())
    out = tmp_path / "out.csv"
    wxocr = Path(sys.executable).with_name("wxocr")  # the installed console script
    done = subprocess.run([str(wxocr), "recognize", str(pdf), inputs.loc[14, "doc"], "-o",
                           str(out), "--dpi", "100"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "2 inputs (2 pages), 8 texts, 1 failed" in done.stdout
    assert "protected.pdf: the PDF is password-protected" in done.stderr
    frame = pd.read_csv(out)
    assert frame.columns.tolist()[:3] == ["image", "page", "item"]
    assert frame.loc[frame["image"] == str(pdf), "page"].tolist() == [1] * 5 + [2] * 3
    assert frame["img_w"].iloc[0] == math.ceil(595 * 100 / 72)
    assert np.isnan(frame["page"].iloc[-1])


def test_dask_gives_the_page_column_in_meta_and_result(inputs, tmp_path):
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import wxocr_pandas.dask  # noqa: F401

    (tmp_path / "born.pdf").write_bytes(inputs.loc[11, "doc"])
    born = inputs.iloc[[1, 4, 5, 6]].assign(doc=lambda f: f["doc"].where(
        f.index != 11, str(tmp_path / "born.pdf")))  # Dask columns hold strings, not bytes
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster):
        lazy = dd.from_pandas(born, npartitions=2).wxocr.recognize("doc", cache=False)
        assert str(lazy.dtypes["page"]) == "Int64"
        assert lazy.columns.tolist().index("page") == lazy.columns.tolist().index("item") - 1
        result = lazy.compute()
    assert result.loc[11, "page"].tolist() == [1] * 5 + [2] * 3
    assert result.loc[[14, 15], "errcode"].tolist() == [900009, 101002]
    assert result.loc[[14, 15], "page"].isna().all()
    assert result.loc[16, "page"].tolist() == [1, 1]


def test_text_tools_read_each_page_on_its_own(out):
    texts = out.wxocr.to_text()
    assert texts.index.names[-1] == "page"
    assert texts.loc[(11, 2)] == "\n".join(line.text for line in TEXT_PAGES[1])
    assert texts.loc[(16, 1)] == "小心地滑\nCaution Wet Floor"
    lines = out.wxocr.lines()
    assert set(lines.loc[[10], "page"]) == {1, 2, 3}
    assert out.wxocr.find("41.60").loc[[10], "page"].tolist() == [1, 3, 3]  # table, receipt


def test_a_page_is_plotted_at_the_size_its_coordinates_are_in(out):
    import matplotlib.pyplot as plt

    with pytest.raises(wxocr_pandas.UsageError, match="several pages; say which with page="):
        out.wxocr.plot(row=10)
    ax = out.wxocr.plot(row=10, page=1)
    picture = ax.images[0].get_array()
    page_rows = out.loc[[10]].query("page == 1")
    assert picture.shape[:2] == (page_rows["img_h"].iloc[0], page_rows["img_w"].iloc[0])
    assert len(ax.collections[0].get_paths()) == len(page_rows)
    assert ax.get_title().startswith("[10] page 1: ")
    axes = out.loc[[10, 12, 14]].wxocr.plot_grid(ncols=3)
    assert len(axes) == 3 + 2 + 1  # a panel per page, and the protected PDF's error panel
    plt.close("all")


def test_raw_answers_keep_their_pages(out, tmp_path):
    path = tmp_path / "raw.jsonl"
    wxocr_pandas.to_jsonl(out, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 + 2 + 2 + 2 + 1 + 1 + 1 + 1  # a line per page, per failed input
    back = wxocr_pandas.read_jsonl(path)
    assert back["page"].tolist() == out["page"].tolist()
    assert back["text"].tolist() == out["text"].tolist()


def test_evaluate_scores_each_page_against_truth_by_label_and_page(out):
    truth = pd.Series({(11, page): "\n".join(line.text for line in lines)
                       for page, lines in enumerate(TEXT_PAGES, start=1)})
    scores = wxocr_pandas.evaluate(out, truth)
    assert scores["cer"].tolist() == [0.0, 0.0]  # a text layer is exact
