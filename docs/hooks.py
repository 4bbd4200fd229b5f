"""MkDocs hooks: what the site takes from the code and the benchmarks, and what it checks.

- The notebooks of ``notebooks/`` are pages (``notebooks/<name>.ipynb``), rendered by
  mkdocs-jupyter as saved: the test suite executes them, the build does not. A notebook saved
  without outputs fails the build.
- Markers in a page's Markdown are replaced by tables generated from the code, so each table
  is written once: ``<!-- wxocr:settings -->`` (every ``WXOCR_*`` variable, from
  :data:`wxocr_pandas.config.SETTINGS`), ``<!-- wxocr:errcodes -->`` (the client-side codes of
  :class:`wxocr_pandas.Errcode` and their exceptions), ``<!-- wxocr:wechat-errcodes -->``
  (:data:`wxocr_pandas.backends.wechat.errcodes.ERRCODES`) and
  ``<!-- wxocr:error-tree -->`` (the tree of :mod:`wxocr_pandas.errors`) and
  ``<!-- wxocr:measurement NAME -->`` (``docs/measurements/NAME.md``, what
  ``benchmarks/NAME.py --record`` wrote).
- The build fails when a measurement file is missing or shown nowhere, and when a public name
  (:func:`public_names`) has no ``::: identifier`` entry on an API page or no Examples section.
"""

from __future__ import annotations

import importlib
import inspect
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import mkdocs.plugins
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
MEASUREMENTS = ROOT / "docs" / "measurements"
NOTEBOOKS = ROOT / "notebooks"
#: The modules users import beside the package itself; each lists its public names in __all__.
PUBLIC_MODULES = ("wxocr_pandas.dask", "wxocr_pandas.tables", "wxocr_pandas.layout_model",
                  "wxocr_pandas.server", "wxocr_pandas.ocrmypdf")

MARKER = re.compile(r"<!-- wxocr:([a-z-]+)(?: (\S+))? -->")
ENTRY = re.compile(r"^::: (\S+)", re.MULTILINE)

_entries: set[str] = set()
_shown: set[str] = set()


def public_names() -> Iterator[tuple[str, object]]:
    """``(identifier, object)`` of every public name: ``wxocr_pandas.__all__`` and the
    ``__all__`` of each of :data:`PUBLIC_MODULES`, named by where it is defined."""
    for module_name in ("wxocr_pandas", *PUBLIC_MODULES):
        module = importlib.import_module(module_name)
        for name in module.__all__:
            yield documented_path(module_name, name, getattr(module, name)), getattr(module, name)


def documented_path(module_name: str, name: str, value: object) -> str:
    """The identifier an API page gives ``module.name``: where a class or function is
    defined (as mkdocstrings finds it), the module's own name for data."""
    if inspect.isclass(value) or inspect.isfunction(value):
        return f"{value.__module__}.{value.__qualname__}"
    return f"{module_name}.{name}"


def docstring(identifier: str) -> str:
    """The docstring mkdocstrings shows for ``identifier`` (griffe reads data docstrings,
    the string after an assignment, which Python does not keep)."""
    package = _griffe_package()
    try:
        found = package[identifier.removeprefix("wxocr_pandas.")]
    except KeyError:
        return ""
    return found.docstring.value if found.docstring else ""


_package = None


def _griffe_package():
    global _package
    if _package is None:
        import griffe

        _package = griffe.load("wxocr_pandas", search_paths=[str(ROOT)], docstring_parser="numpy",
                               resolve_aliases=False)
    return _package


def missing_examples() -> list[str]:
    """Public names whose docstring has no ``Examples`` section."""
    return sorted(identifier for identifier, _ in public_names()
                  if not re.search(r"^Examples\n-{8}", docstring(identifier), re.MULTILINE))


# -- notebooks ---------------------------------------------------------------------------------

@mkdocs.plugins.event_priority(100)  # before mkdocs-jupyter wraps the notebooks
def on_files(files, config):
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        files.append(File(f"notebooks/{notebook.name}", str(ROOT), config["site_dir"],
                          config["use_directory_urls"]))
        _check_executed(notebook)
    return files


def _check_executed(notebook: Path) -> None:
    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    code = [cell for cell in cells if cell.cell_type == "code" and cell.source.strip()]
    if not code or any(cell.execution_count is None for cell in code):
        raise PluginError(f"{notebook.relative_to(ROOT)} is saved unexecuted: run it and save "
                          "it with its outputs (the site shows notebooks as saved)")


# -- generated tables --------------------------------------------------------------------------

def on_pre_build(config):
    _entries.clear()
    _shown.clear()


def on_page_markdown(markdown, page, config, files):
    _entries.update(ENTRY.findall(markdown))
    return MARKER.sub(lambda match: _render(match.group(1), match.group(2), page), markdown)


def _render(kind: str, argument: str | None, page) -> str:
    if kind == "settings":
        return settings_table(page.file.src_uri, here=argument == "here")
    if kind == "errcodes":
        return errcode_table()
    if kind == "error-tree":
        return error_tree()
    if kind == "wechat-errcodes":
        return wechat_errcode_table()
    if kind == "measurement" and argument:
        _shown.add(argument)
        return measurement(argument)
    raise PluginError(f"{page.file.src_uri}: unknown marker wxocr:{kind}")


def _relative(target: str, from_page: str) -> str:
    depth = from_page.count("/")
    return "../" * depth + target


def settings_table(page: str, *, here: bool = False) -> str:
    """Markdown table of :data:`wxocr_pandas.config.SETTINGS`, linked from ``page``; with
    ``here``, only the variables whose topic is ``page`` itself, without the link."""
    from wxocr_pandas.config import SETTINGS

    if here:
        rows = ["| variable | meaning | default |", "|---|---|---|"]
        rows += [f"| `{row.variable}` | {row.meaning} | {row.default} |"
                 for row in SETTINGS if row.topic == page]
        if len(rows) == 2:
            raise PluginError(f"{page}: no WXOCR_* variable has this page as its topic")
        return "\n".join(rows)
    rows = ["| variable | meaning | default | more |", "|---|---|---|---|"]
    for row in SETTINGS:
        title = row.topic.removesuffix(".md").replace("/index", "").replace("/", " › ")
        rows.append(f"| `{row.variable}` | {row.meaning} | {row.default} | "
                    f"[{title}]({_relative(row.topic, page)}) |")
    return "\n".join(rows)


def errcode_table() -> str:
    """The codes a result can carry that are not WeChat's own, with the exception of each:
    the class whose ``default_errcode`` it is (the most derived one), else the class the
    package's source raises with ``errcode=Errcode.<NAME>``."""
    from wxocr_pandas import errors

    classes = [value for value in vars(errors).values()
               if inspect.isclass(value) and issubclass(value, errors.WxOcrError)]
    raised: dict[str, str] = {}
    for error, code_name in re.findall(r"(\w+Error)\((?s:.{0,400}?)errcode=Errcode\.(\w+)",
                                       _package_source()):
        raised.setdefault(code_name, error)
    rows = ["| errcode | name | exception | meaning |", "|---|---|---|---|",
            "| 0 | `OK` | — | ok (possibly no text) |"]
    for code in errors.Errcode:
        if code not in (errors.Errcode.INVALID_IMAGE_URL, errors.Errcode.INVALID_IMAGE_DATA) \
                and code < errors.Errcode.MISSING_INPUT:
            continue  # WeChat's own: the next table
        owners = [cls for cls in classes if vars(cls).get("default_errcode") == code
                  and not issubclass(cls, errors.ApiError)]
        if owners:
            owner = max(owners, key=lambda cls: len(cls.__mro__))
            name = owner.__name__
            meaning = inspect.getdoc(owner).split("\n\n")[0].replace("\n", " ")
        else:
            name = raised.get(code.name, "")
            meaning = code.name.replace("_", " ").lower()
        rows.append(f"| {int(code)} | `{code.name}` | `{name}` | {meaning} |")
    return "\n".join(rows)


def _package_source() -> str:
    return "\n".join(path.read_text(encoding="utf-8")
                     for path in sorted((ROOT / "wxocr_pandas").rglob("*.py")))


def error_tree() -> str:
    """The error tree drawn in :mod:`wxocr_pandas.errors`' docstring, as a text block."""
    from wxocr_pandas import errors

    tree = errors.__doc__.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    return "```text\n" + textwrap.dedent(tree) + "\n```"


def wechat_errcode_table() -> str:
    """WeChat's errcodes from :data:`~wxocr_pandas.backends.wechat.errcodes.ERRCODES`."""
    from wxocr_pandas.backends.wechat.errcodes import ERRCODES, RETRY_ONCE, RETRY_SAFE

    rows = ["| errcode | WeChat's errmsg | what it means here | exception | stops the batch | "
            "retried |", "|---|---|---|---|---|---|"]
    for code, rule in sorted(ERRCODES.items()):
        retried = "with backoff" if code in RETRY_SAFE else "once" if code in RETRY_ONCE else \
            "after a token refresh" if rule.error.__name__ == "AccessTokenError" else "no"
        meaning = rule.meaning.replace("|", "\\|")
        rows.append(f"| {code} | {rule.errmsg} | {meaning} | `{rule.error.__name__}` | "
                    f"{'yes' if rule.error.stops_batch else 'no'} | {retried} |")
    return "\n".join(rows)


def measurement(name: str) -> str:
    """``docs/measurements/<name>.md`` as shown on the page: its front matter as one line of
    provenance, then its body."""
    path = MEASUREMENTS / f"{name}.md"
    if not path.is_file():
        raise PluginError(f"no measurement {path.relative_to(ROOT)}: run "
                          f"`python benchmarks/{name}.py --record`")
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    if not match:
        raise PluginError(f"{path.relative_to(ROOT)} has no front matter")
    fields = dict(line.split(": ", 1) for line in match.group(1).splitlines())
    command = fields.get("command", "")
    how = f"`{command}`" if command.startswith("python") else command
    source = (f"*Measured {fields.get('measured', '?')} with {how}; "
              f"{fields.get('machine', '')}.*")
    return source + "\n\n" + text[match.end():].strip() + "\n"


# -- checks ------------------------------------------------------------------------------------

def on_env(env, config, files):
    problems = []
    recorded = {path.stem for path in MEASUREMENTS.glob("*.md")}
    for name in sorted(recorded - _shown):
        problems.append(f"docs/measurements/{name}.md is shown on no page (add "
                        f"<!-- wxocr:measurement {name} --> to docs/performance.md)")
    for identifier, _ in public_names():
        if identifier not in _entries:
            problems.append(f"{identifier} has no API entry (::: {identifier} on a page of "
                            "docs/api/)")
    problems += [f"{identifier} has no Examples section" for identifier in missing_examples()]
    if problems:
        raise PluginError("the documentation is incomplete:\n  " + "\n  ".join(problems))
    return env
