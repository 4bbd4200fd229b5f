"""Tables from real recognitions of rendered and real table images, and a real PDF text layer.

Every table style of ``tools/make_tables.py`` is rendered, read by the session's local
engine and scored against the cells it was drawn from (``tools/table_score.py``: ICDAR 2013
adjacency relations, cells at the right place, exact grid size).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wxocr_pandas.tables.numbers
from wxocr_pandas import UsageError, with_schema
from wxocr_pandas.tables import CELL_COLUMNS, CELL_DTYPES, TableWarning, cells, tables
from wxocr_pandas.tables.frames import read_tables
from wxocr_pandas.tables.grid import Rules, find_tables
from tests.helpers.tools import load_tool

make_tables = load_tool("make_tables")
table_score = load_tool("table_score")
REAL = Path(__file__).resolve().parents[1] / "samples" / "tables"
REAL_SET = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "real_tables"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[Path, list]]:
    """name -> (image path, true tables): each style once, a scan-like copy of two of them,
    a page with paragraphs around a table, a page of prose, a text-layer PDF."""
    folder = tmp_path_factory.mktemp("tables")
    out = {}
    for style in make_tables.STYLES:
        image, truth = make_tables.render(style, 0, font_size=24)
        path = folder / f"{style}.png"
        image.save(path)
        out[style] = (path, [t["cells"] for t in truth["tables"]])
        if style in ("spanning", "plain"):
            scanned, _ = make_tables.scan(image, 1)
            scanned.save(folder / f"{style}-scan.png")
            out[f"{style}-scan"] = (folder / f"{style}-scan.png", out[style][1])
    for kind in ("between", "prose"):
        image, truth = make_tables.render_page(kind, 0, font_size=22)
        image.save(folder / f"page-{kind}.png")
        out[f"page-{kind}"] = (folder / f"page-{kind}.png", [t["cells"] for t in truth["tables"]])
    truth = make_tables.render_pdf("spanning", 1, folder / "spanning.pdf", font_size=24)
    out["pdf"] = (folder / "spanning.pdf", [t["cells"] for t in truth["tables"]])
    return out


@pytest.fixture(scope="module")
def recognized(rendered, local_backend) -> pd.DataFrame:
    names = list(rendered)
    frame = pd.DataFrame({"path": [str(rendered[n][0]) for n in names]}, index=names)
    return frame.wxocr.recognize("path", backend=local_backend, progress=False)


@pytest.fixture(scope="module")
def grid(recognized) -> pd.DataFrame:
    return cells(recognized)


def _score(grid: pd.DataFrame, name: str, truth: list) -> dict:
    part = grid.loc[[name]] if name in grid.index else grid.iloc[:0]
    return table_score.summarize([table_score.score_image(table_score.frame_tables(part), truth)])


@pytest.mark.parametrize("style", make_tables.STYLES)
def test_each_style_comes_back_cell_for_cell(rendered, grid, style):
    summary = _score(grid, style, rendered[style][1])
    assert summary["f1"] >= 0.95, summary
    assert summary["exact"] == 1.0, summary


def test_spanning_headers_and_row_labels_get_their_spans(rendered, grid):
    spans = grid.loc["spanning"]
    assert spans.loc[spans["text"] == "2023", ["row", "col", "row_span", "col_span"]].values.tolist() \
        == [[0, 1, 1, 2]]
    region = spans[spans["text"] == "Region"]
    assert region[["row", "col", "row_span", "col_span"]].values.tolist() == [[0, 0, 2, 1]]
    truth = [c for c in rendered["spanning"][1][0] if c["row_span"] > 1 and c["row"] > 1]
    label = spans[spans["text"] == truth[0]["text"]]
    assert label[["row", "row_span"]].values.tolist() == [[truth[0]["row"], 2]]
    assert spans["header"].tolist().count(True) == 7  # both header rows


def test_wrapped_cells_stay_one_cell_and_join_their_lines(rendered, recognized, grid):
    truth = rendered["wrapped"][1][0]
    wrapped = grid.loc["wrapped"]
    assert len(wrapped) == len(truth)
    longest = max((c for c in truth if c["col"] == 1 and c["row"] > 0), key=lambda c: len(c["text"]))
    got = wrapped[(wrapped["row"] == longest["row"]) & (wrapped["col"] == 1)]
    assert table_score.same(table_score.normalize(got["text"].iloc[0]),
                            table_score.normalize(longest["text"]))
    assert got["n_items"].iloc[0] >= 2
    kept = cells(recognized.loc[["wrapped"]], sep="\n")
    again = kept[(kept["row"] == longest["row"]) & (kept["col"] == 1)]["text"].iloc[0]
    assert again.count("\n") == got["n_items"].iloc[0] - 1


def test_a_scan_turned_a_degree_reads_like_the_clean_one(rendered, recognized, grid):
    for name in ("spanning-scan", "plain-scan"):
        summary = _score(grid, name, rendered[name][1])
        assert summary["f1"] >= 0.9, (name, summary)
    _, _, [page] = read_tables(recognized.loc[["plain-scan"]])
    assert 0.3 <= abs(page.angle) <= 1.8  # deskewed from the boxes (drawn at 0.5-1.5 degrees)
    boxes = grid.loc["plain-scan"]
    assert (boxes["x_max"] > boxes["x_min"]).all() and (boxes["y_max"] > boxes["y_min"]).all()


def test_paragraphs_around_a_table_are_left_out_and_prose_has_no_table(rendered, grid):
    summary = _score(grid, "page-between", rendered["page-between"][1])
    assert summary["f1"] >= 0.95 and summary["exact"] == 1.0
    assert grid.loc[["page-between"]]["table"].nunique() == 1
    assert "page-prose" not in grid.index


def test_a_pdf_text_layer_gives_its_table_without_ocr(rendered, recognized, grid):
    rows = recognized.loc["pdf"]
    assert rows["score"].isna().all()  # the text layer, not the engine
    summary = _score(grid, "pdf", rendered["pdf"][1])
    assert summary["f1"] == 1.0 and summary["exact"] == 1.0


def test_real_scans_of_img2table_come_back_with_spans():
    truth = json.loads((REAL / "truth.json").read_text())
    frame = pd.DataFrame({"path": [str(REAL / "img2table_test.png"),
                                   str(REAL / "img2table_implicit.png")]})
    found = cells(frame.wxocr.recognize("path", progress=False))
    for position, name in enumerate(("img2table_test.png", "img2table_implicit.png")):
        summary = _score(found, position, truth[name]["pages"]["1"])
        assert summary["f1"] >= 0.95 and summary["exact"] == 1.0, (name, summary)
    merged = found.loc[0][found.loc[0]["text"] == "Merged Cells"]
    assert merged[["row", "col", "row_span", "col_span"]].values.tolist() == [[2, 1, 3, 1]]


@pytest.fixture(scope="module")
def real_set(local_backend) -> pd.DataFrame:
    """Cells of three images of the real set: a scanned timetable under a title (ruled, row
    labels spanning), a paper's results table ruled off only after its first column, and a
    borderless table whose descriptions are wider than a line of prose."""
    names = ["zh_timetable_scan.jpg", "en_results_paper.jpg", "en_documents_borderless.png"]
    frame = pd.DataFrame({"path": [str(REAL_SET / n) for n in names]}, index=names)
    return cells(frame.wxocr.recognize("path", backend=local_backend, progress=False))


def _shape(part: pd.DataFrame) -> tuple[int, int]:
    return int((part["row"] + part["row_span"]).max()), int((part["col"] + part["col_span"]).max())


def _at(part: pd.DataFrame, row: int, col: int) -> str:
    found = part[(part["row"] == row) & (part["col"] == col)]["text"].tolist()
    return "".join(str(found[0]).split()) if found else ""


def test_a_scanned_timetable_under_its_title_is_the_table_alone(real_set):
    part = real_set.loc[["zh_timetable_scan.jpg"]]
    assert (part["table"] == 0).all()
    assert _shape(part) == (9, 8)
    assert _at(part, 0, 3) == "星期一" and _at(part, 0, 7) == "星期五"
    assert _at(part, 1, 1) == "1" and _at(part, 8, 2) == "04:1504:55"
    assert _at(part, 4, 3) == "物理吕学武" and _at(part, 8, 7) == "科活"
    morning = part[part["text"].str.replace(" ", "") == "上午"]
    assert morning[["row", "col", "row_span"]].values.tolist() == [[1, 0, 5]]


def test_columns_the_rules_leave_undivided_are_cut_at_their_gutters(real_set):
    part = real_set.loc[["en_results_paper.jpg"]]
    assert _shape(part) == (16, 5)
    assert [_at(part, 0, c) for c in range(5)] == ["Methods", "R", "P", "F", "FPS"]
    assert [_at(part, 12, c) for c in range(5)] == ["DB[12]", "79.2", "91.5", "84.9", "32.0"]


def test_a_borderless_table_with_wide_descriptions_is_found(real_set):
    part = real_set.loc[["en_documents_borderless.png"]]
    assert part["table"].nunique() == 1
    assert _shape(part) == (5, 3)
    assert _at(part, 0, 2) == "Year" and _at(part, 2, 0) == "BillofRights"
    assert _at(part, 2, 1).startswith("Thefirsttenamendments") and _at(part, 4, 2) == "1863"
    assert _at(part, 1, 0) == "DeclarationofIndependence"


@pytest.fixture(scope="module")
def read_real(local_backend):
    """Cells of one image of the real set, each read once (in the first test that asks)."""
    found: dict[str, pd.DataFrame] = {}

    def read(name: str) -> pd.DataFrame:
        if name not in found:
            frame = pd.DataFrame({"path": [str(REAL_SET / name)]}, index=[name])
            found[name] = cells(frame.wxocr.recognize("path", backend=local_backend,
                                                      progress=False))
        return found[name]

    return read


def _spans(part: pd.DataFrame, row: int, col: int) -> tuple[int, int]:
    found = part[(part["row"] == row) & (part["col"] == col)]
    return int(found["row_span"].iloc[0]), int(found["col_span"].iloc[0])


def test_walls_drawn_through_some_rows_are_columns_and_a_wrapped_cell_stays_whole(read_real):
    # A product sheet: its upper rows have 2-4 cells, its size chart 6, on one set of walls.
    part = read_real("zh_product_sheet.png")
    assert part["table"].nunique() == 1
    assert _shape(part) == (11, 8)
    assert [_at(part, 1, c) for c in (0, 1, 4, 5)] == ["商品品牌", "耐克", "产地1", "中国829510-678"]
    assert _spans(part, 1, 1) == (1, 3) and _spans(part, 1, 5) == (1, 3)
    assert [_at(part, 6, c).upper() for c in (0, 1, 2, 3, 6, 7)] == ["尺码", "XS", "S", "M", "L", "XL"]
    # Six lines of a description spanning seven columns: one cell beside its label.
    assert _at(part, 4, 0) == "商品介绍" and _spans(part, 4, 1) == (1, 7)
    assert _at(part, 4, 1).startswith("NikeSBShieldCoaches") and "提升包覆效果" in _at(part, 4, 1)


def test_a_black_rule_between_a_shaded_header_and_white_rows_is_kept(read_real):
    part = read_real("zh_orchard_spans.png")
    assert _shape(part) == (5, 4)
    assert _at(part, 0, 0) == "名称" and _spans(part, 0, 0) == (2, 1)
    assert _at(part, 0, 2) == "环比" and _spans(part, 0, 2) == (1, 2)
    assert [_at(part, 2, c) for c in range(4)] == ["荔枝", "11", "1", "10"]


def test_two_lists_side_by_side_are_two_tables_and_flags_are_no_cells(read_real):
    part = read_real("fr_population_screen.png")
    assert sorted(part["table"].unique().tolist()) == [0, 1]
    for table in (0, 1):
        assert _shape(part[part["table"] == table]) == (10, 3)
    right = part[part["table"] == 1]
    assert [_at(right, 0, c) for c in range(3)] == ["11", "Japon", "125815814"]
    assert [_at(right, 9, c) for c in range(3)] == ["20", "Thaïlande", "70102414"]
    assert not part["text"].dropna().str.contains("大").any()


def test_icons_read_as_characters_make_no_column(read_real):
    part = read_real("en_webapp_badges.png")
    table = part[part["table"] == 0]
    assert _shape(table) == (16, 6)
    texts = table["text"].dropna()
    assert not texts.map(lambda t: any("\u4e00" <= c <= "\u9fff" for c in t)).any()
    assert (texts == "Paid").sum() == 15 and (texts == "09/04/2021").sum() == 15


def test_a_statement_ruled_only_under_its_header_and_totals_keeps_a_row_a_line(read_real):
    # Rows whose figures are dashes the engine does not read stay rows of the one table.
    part = read_real("en_bank_position.png")
    assert part["table"].nunique() == 1
    labels = part[part["col"] == 0]
    for label in ("Other trading assets", "Investment in subsidiaries", "Borrowing",
                  "Current Tax Liabilities", "Provisions"):
        assert (labels["text"] == label).sum() == 1, label
    total = int(labels.loc[labels["text"] == "Total liabilities", "row"].iloc[0])
    assert [_at(part, total, c) for c in (1, 2)] == ["188,639,805", "190,966,644"]


def test_tall_rows_without_a_first_column_are_rows_and_a_wrapped_line_is_not():
    # A report's zebra rows: one group label, then rows of ID and description 20 px apart
    # (2 text heights), one description wrapped onto a second line 2 px below the first.
    box, texts = [[0, 0, 40, 10], [60, 0, 100, 10], [130, 0, 190, 10]], ["Standard", "ID", "Text"]
    for k in range(1, 6):
        y = 30.0 * k
        if k == 1:
            box.append([0, y, 40, y + 10])
            texts.append("Profile")
        box += [[60, y, 90, y + 10], [130, y, 200, y + 10]]
        texts += [f"102-{k}", f"description {k}"]
    box.append([130, 132, 170, 142])
    texts.append("continued")
    [table] = find_tables(np.array(box, dtype=float), texts)
    assert (table.n_rows, table.n_cols) == (6, 3)
    wrapped = [c for c in table.cells if c.row == 4 and c.col == 2][0]
    assert [texts[int(line[0])] for line in wrapped.lines] == ["description 4", "continued"]


def test_exact_columns_and_dtypes_empty_or_not(recognized, grid):
    assert list(grid.columns) == list(CELL_COLUMNS)
    assert grid.dtypes.to_dict() == CELL_DTYPES
    empty = cells(recognized.loc[["page-prose"]])
    assert empty.empty and empty.dtypes.to_dict() == CELL_DTYPES
    items = recognized.loc[["grid"]]
    gone = items[items["text"] != grid.loc["grid"].query("row == 2 and col == 1")["text"].iloc[0]]
    holed = cells(gone)  # one cell read as nothing: still a row, the grid keeps its shape
    assert holed.query("row == 2 and col == 1")["text"].isna().all()
    assert len(holed) == len(grid.loc["grid"])
    for _, part in grid.groupby([grid.index, "table"]):
        covered = (part["row_span"] * part["col_span"]).sum()
        assert covered == (part["row"] + part["row_span"]).max() * (part["col"] + part["col_span"]).max()


def test_an_error_row_stays_visible(local_backend, rendered):
    frame = pd.DataFrame({"path": [str(rendered["grid"][0]), "missing.png"]})
    found = cells(frame.wxocr.recognize("path", backend=local_backend, progress=False))
    error = found.loc[[1]]
    assert error["errcode"].tolist() == [900002] and "missing.png" in error["errmsg"].iloc[0]
    assert error["table"].isna().all()
    assert (found.loc[[0], "errcode"] == 0).all()


def test_a_prefixed_frame_and_a_merged_one_give_the_same_cells(rendered, local_backend, grid):
    frame = pd.DataFrame({"path": [str(rendered["grid"][0])], "text": ["my own"]}, index=["grid"])
    prefixed = frame.wxocr.recognize("path", backend=local_backend, prefix="ocr_", progress=False)
    mine = cells(prefixed)
    pd.testing.assert_frame_equal(mine, grid.loc[["grid"]])
    merged = prefixed.reset_index().merge(frame.reset_index()[["index"]], on="index")
    merged.index = ["grid"] * len(merged)
    with pytest.raises(UsageError, match="image_column"):
        cells(merged)
    pd.testing.assert_frame_equal(cells(merged, image_column="path"), mine)
    text_only = cells(with_schema(merged, prefix="ocr_"), rules=False)
    assert set(text_only["text"].dropna()) == set(mine["text"].dropna())


def test_an_image_that_moved_warns_and_keeps_the_text_alignment(recognized):
    moved = recognized.loc[["plain"]].copy()
    moved["path"] = "gone.png"
    with pytest.warns(TableWarning, match="gone.png"):
        found = cells(moved)
    assert len(found) > 0


def test_tables_have_headers_numbers_spans_and_attrs(recognized):
    found = tables(recognized.loc[["numbers", "spanning"]], numeric=True)
    assert [t.attrs["label"] for t in found] == ["numbers", "spanning"]
    numbers = found[0]
    assert numbers.columns[0] == "Account"
    assert all(pd.api.types.is_numeric_dtype(numbers[c]) for c in numbers.columns[1:])
    printed = tables(recognized.loc[["numbers"]])[0]
    parsed = printed.iloc[:, 1:].map(wxocr_pandas.tables.numbers.parse_number)
    assert (numbers.iloc[:, 1:].to_numpy(dtype=float) == parsed.to_numpy(dtype=float)).all()
    assert printed.iloc[:, 1:].stack().str.contains(",").any()  # "1,234" and "(1,234)" read
    spanning = found[1]
    assert isinstance(spanning.columns, pd.MultiIndex)
    assert list(spanning.columns[:3]) == [("Region", "Region"), ("2023", "Units"), ("2023", "Sales")]
    first = tables(recognized.loc[["spanning"]], spans="first")[0]
    assert first.iloc[:, 0].isna().sum() == spanning.iloc[:, 0].isna().sum() + 1
    assert found[0].attrs["page"] == 1 and len(found[0].attrs["box"]) == 4
    assert found[0].attrs["image"].endswith("numbers.png")


def test_plot_draws_the_cell_grid(recognized):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.collections import PolyCollection

    ax = recognized.wxocr.plot(row="grid", tables=True)
    collections = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(collections) == 2
    n_cells = len(cells(recognized.loc[["grid"]]))
    assert len(collections[1].get_paths()) == n_cells
    header = collections[1].get_facecolors()[:, 3] > 0
    assert header.sum() == len(tables(recognized.loc[["grid"]])[0].columns)


def test_the_cli_writes_a_workbook_a_folder_and_the_cells(rendered, tmp_path):
    images = [str(rendered["grid"][0]), str(rendered["spanning"][0]), "missing.png"]
    command = [sys.executable, "-m", "wxocr_pandas.cli", "tables", *images, "--no-progress"]
    done = subprocess.run([*command, "-o", str(tmp_path / "t.xlsx")], capture_output=True,
                          text=True, check=True)
    assert "3 inputs, 2 tables" in done.stdout and "missing.png" in done.stderr
    sheets = pd.read_excel(tmp_path / "t.xlsx", sheet_name=None)
    assert list(sheets) == ["grid-p1-t0", "spanning-p1-t0"]
    assert "2023 / Units" in sheets["spanning-p1-t0"].columns
    subprocess.run([*command[:-1], "-o", str(tmp_path / "csv")], check=True, capture_output=True)
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["grid-p1-t0.csv",
                                                                    "spanning-p1-t0.csv"]
    for name in ("cells.csv", "cells.parquet"):
        subprocess.run([*command, "-o", str(tmp_path / name)], check=True, capture_output=True)
        tidy = (pd.read_csv if name.endswith("csv") else pd.read_parquet)(tmp_path / name)
        assert list(tidy.columns) == ["image", *CELL_COLUMNS]
        assert tidy.loc[tidy["image"] == "missing.png", "errcode"].tolist() == [900002]
    bad = subprocess.run([*command, "-o", str(tmp_path / "t.txt")], capture_output=True, text=True)
    assert bad.returncode == 2 and "must end in" in bad.stderr


def _grid_boxes(n_rows: int, n_cols: int) -> tuple[np.ndarray, list[str]]:
    """Boxes of an n_rows x n_cols borderless table of short numbers."""
    rows, cols = np.meshgrid(np.arange(n_rows), np.arange(n_cols), indexing="ij")
    x0, y0 = cols.ravel() * 80.0, rows.ravel() * 30.0
    box = np.column_stack([x0, y0, x0 + 50, y0 + 20])
    return box, [str(k) for k in range(n_rows * n_cols)]


def test_a_10000_cell_table_takes_linear_work():
    """Function calls (a deterministic count of the work done) grow like the cells, not
    their square: 4x the cells costs at most ~4.6x the calls."""
    calls = {}
    for n_rows in (50, 200):
        box, texts = _grid_boxes(n_rows, 50)
        profile = cProfile.Profile()
        profile.enable()
        [table] = find_tables(box, texts, Rules.empty())
        profile.disable()
        assert (table.n_rows, table.n_cols) == (n_rows, 50)
        calls[n_rows] = pstats.Stats(profile).total_calls
    assert calls[200] / calls[50] < 4.6, calls


def test_dask_builds_cells_per_partition(rendered, local_backend):
    dd = pytest.importorskip("dask.dataframe")
    import dask

    import wxocr_pandas.dask  # noqa: F401

    frame = pd.DataFrame({"path": [str(rendered["grid"][0]), str(rendered["zebra"][0])]})
    lazy = dd.from_pandas(frame, npartitions=2).wxocr.recognize("path", backend=local_backend)
    found = lazy.wxocr.cells()
    assert list(found.columns) == list(CELL_COLUMNS)
    with dask.config.set(scheduler="synchronous"), warnings.catch_warnings():
        warnings.simplefilter("error", TableWarning)
        computed = found.compute()
    expected = cells(frame.wxocr.recognize("path", backend=local_backend, progress=False))
    pd.testing.assert_frame_equal(computed, expected, check_index_type=False)


def test_a_row_of_amounts_under_a_ruled_header_is_data(read_real):
    # The statement's first row of figures sits above its first drawn rule: it is data, so
    # the header is the one row of titles and tables() has plain columns.
    part = read_real("en_statement_dark.png")
    table = part[part["table"] == 0]
    assert table.loc[table["header"], "row"].unique().tolist() == [0]
    assert _at(table, 1, 2) == "4,077,010.89"


def test_a_row_label_spanning_rows_and_a_span_in_every_row_are_not_headers(read_real):
    # The timetable's "morning" label spans its first four lessons; the web app's user column
    # spans its avatar's column in every row: in both, only the first row is the header.
    for name in ("zh_timetable_scan.jpg", "en_webapp_badges.png"):
        part = read_real(name)
        table = part[part["table"] == 0]
        assert table.loc[table["header"], "row"].unique().tolist() == [0], name
