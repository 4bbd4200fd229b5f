"""The documentation site: it builds strictly, covers every public name with an example, its
tables come from the code, and every measured figure is written in one place."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def hooks():
    pytest.importorskip("mkdocs")
    pytest.importorskip("griffe")
    return _load(DOCS / "hooks.py", "docs_hooks")


def test_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs_jupyter")
    site = tmp_path / "site"
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                          str(site)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, run.stdout + run.stderr
    performance = (site / "performance" / "index.html").read_text(encoding="utf-8")
    assert 'id="bench_speed"' in performance and "Measured 2026-11-26 with" in performance
    errors = (site / "errors" / "index.html").read_text(encoding="utf-8")
    assert "WXOCR_SERVER_APPS" in errors and "AccountConfigError" in errors
    assert "<!-- wxocr:" not in errors + performance  # every marker was replaced
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        page = (site / "notebooks" / notebook.stem / "index.html").read_text(encoding="utf-8")
        assert "jp-OutputArea" in page or "output_area" in page, notebook.name
    api = (site / "api" / "errors" / "index.html").read_text(encoding="utf-8")
    assert "PageLimitError" in api and "Examples" in api


def test_every_public_name_has_an_api_entry_with_examples(hooks):
    entries = {entry for page in (DOCS / "api").glob("*.md")
               for entry in re.findall(r"^::: (\S+)", page.read_text(encoding="utf-8"), re.M)}
    names = dict(hooks.public_names())
    import wxocr_pandas

    assert len(names) >= len(wxocr_pandas.__all__)
    assert sorted(set(names) - entries) == []
    assert hooks.missing_examples() == []


def test_settings_table_holds_every_wxocr_variable_of_the_package():
    from wxocr_pandas.config import SETTINGS

    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in (ROOT / "wxocr_pandas").rglob("*.py"))
    named = set(re.findall(r"WXOCR_([A-Z][A-Z_]*[A-Z])", source))
    read = set(re.findall(r"\b(?:setting|number_setting|flag_setting|directory_setting)"
                          r"\(\s*[\"']([a-z_]+)[\"']", source))
    table = {row.name for row in SETTINGS}
    assert len(table) == len(SETTINGS), "a variable is listed twice"
    assert sorted({name.lower() for name in named} - table) == []
    assert sorted(read - table) == []
    assert sorted(table - {name.lower() for name in named} - read) == [], "unused rows"
    for row in SETTINGS:
        assert (DOCS / row.topic).is_file(), row


def test_generated_tables_follow_the_code(hooks):
    from wxocr_pandas.backends.wechat.errcodes import ERRCODES
    from wxocr_pandas.errors import Errcode

    wechat = hooks.wechat_errcode_table()
    assert all(f"| {code} |" in wechat for code in ERRCODES)
    package = hooks.errcode_table()
    assert all(f"| {int(code)} |" in package for code in Errcode if code >= 900001)
    assert "| 900010 | `PAGE_LIMIT` | `PageLimitError` |" in package
    assert "| 900007 | `LOCAL_BUDGET_SPENT` | `QuotaExceededError` |" in package
    assert "│   ├── MissingInputError" in hooks.error_tree()


#: Figures as the benchmarks print them: ratios, times and sizes with decimals, scores.
FIGURE = re.compile(r"(?<![\w.])(\d+\.\d+x|\d+\.\d+ ?(?:ms|s|MB|GB)\b|0\.\d{3,4}\b)")


def test_no_measured_figure_is_written_twice():
    measured = {figure: path.name for path in (DOCS / "measurements").glob("*.md")
                for figure in FIGURE.findall(path.read_text(encoding="utf-8"))}
    assert len(measured) > 100
    elsewhere = [path for path in DOCS.rglob("*.md") if "measurements" not in path.parts]
    elsewhere += [ROOT / "README.md", *(ROOT / "wxocr_pandas").rglob("*.py")]
    repeated = {f"{path.relative_to(ROOT)}: {figure} (in {measured[figure]})"
                for path in elsewhere
                for figure in FIGURE.findall(path.read_text(encoding="utf-8"))
                if figure in measured}
    assert sorted(repeated) == []


def test_every_benchmark_has_its_recorded_figures():
    scripts = {path.stem for path in (ROOT / "benchmarks").glob("bench_*.py")}
    recorded = {path.stem for path in (DOCS / "measurements").glob("*.md")}
    assert sorted(scripts - recorded) == []
    for path in (DOCS / "measurements").glob("*.md"):
        front = path.read_text(encoding="utf-8").split("---\n")[1]
        assert {"script", "command", "measured", "machine"} <= {
            line.split(":")[0] for line in front.splitlines()}, path.name


def test_record_keeps_what_a_benchmark_prints(tmp_path, monkeypatch, capsys):
    record = _load(ROOT / "benchmarks" / "_record.py", "bench_record")
    monkeypatch.setattr(record, "MEASUREMENTS", tmp_path)
    monkeypatch.setattr(sys, "argv", ["benchmarks/bench_example.py", "400", "--record"])
    seen = []
    record.run(lambda: (seen.append(list(sys.argv)), print("project 2.00x the baseline")))
    assert seen == [["benchmarks/bench_example.py", "400"]]   # the script never sees --record
    text = (tmp_path / "bench_example.md").read_text(encoding="utf-8")
    assert "command: python benchmarks/bench_example.py 400\n" in text
    assert "```text\nproject 2.00x the baseline\n```" in text
    assert "project 2.00x the baseline" in capsys.readouterr().out


def test_readme_is_a_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "bash scripts/demo.sh" in quick and "bash scripts/test.sh" in quick
    assert 'pip install "wxocr-pandas[all]"' in readme
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).is_file(), link
