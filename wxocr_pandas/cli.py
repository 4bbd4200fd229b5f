"""The ``wxocr`` command. The only module that prints.

::

    wxocr recognize samples/*.png -o results.csv       # also .parquet, or .jsonl of raw answers
    wxocr recognize "scans/**/*.jpg" -o out.parquet --backend wechat
    wxocr recognize samples/*.png -o results.csv --workers 2 --no-cache
    wxocr recognize samples/report.pdf -o report.csv --dpi 300   # one row per text per page
    wxocr recognize scans/*.jpg -o searchable.pdf        # the scans with an invisible text layer
    wxocr recognize scans/*.jpg -o out.hocr              # or -o out.alto.xml (ALTO v4)
    wxocr recognize "scans/**/*.png" -o out/ --scheduler tcp://host:8786   # Dask: Parquet parts
    wxocr tables scans/*.png -o tables.xlsx             # a sheet per table (also a folder/ of
                                                        # CSVs, or cells.csv / cells.parquet)
    wxocr cache info                                    # where the result cache is, how big
    wxocr cache clear
    wxocr serve --app wx0123456789abcdef:SECRET         # the WeChat OCR API on 127.0.0.1:8080
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .backends.registry import backend_names
from .batch import Recognizer
from .cache import ResultCache
from .errors import ConfigError, UsageError, WxOcrError
from .export import write_result_lines
from .filenames import display_name, writable
from .frame import explode
from .result import InputResult, OcrResult, iter_page_results
from .stream import ParquetChunks

OUTPUT_SUFFIXES = (".csv", ".parquet", ".jsonl", ".pdf", ".hocr", ".alto.xml")
#: Outputs written page by page once every input is read (they are not tables that grow).
PAGE_OUTPUTS = (".pdf", ".hocr", ".alto.xml")
#: Images (or pages of a document) per chunk written to the output: a killed run keeps every
#: chunk it finished.
STREAM_CHUNK = 32


def expand(patterns: Sequence[str]) -> list[str]:
    """Expand glob patterns (``**`` included) the shell left alone; keep URLs and plain names
    (a missing plain name becomes its own error row).

    Raises
    ------
    UsageError
        When a glob pattern matches no file.

    Examples
    --------
    >>> expand(["samples/sign.png", "https://example.com/a.png"])
    ['samples/sign.png', 'https://example.com/a.png']
    >>> expand(["samples/*.nothing"])
    Traceback (most recent call last):
    ...
    wxocr_pandas.errors.UsageError: no file matches 'samples/*.nothing'
    """
    images: list[str] = []
    for pattern in patterns:
        if "://" in pattern or not glob.has_magic(pattern):
            images.append(pattern)
            continue
        matches = sorted(glob.glob(pattern, recursive=True))
        if not matches:
            raise UsageError(f"no file matches {pattern!r}")
        images.extend(matches)
    return images


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wxocr", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("recognize", help="recognize images into a table of texts")
    rec.add_argument("images", nargs="+", help="image paths, glob patterns or http(s) URLs")
    rec.add_argument("-o", "--output", required=True, type=Path,
                     help=f"output file: {', '.join(OUTPUT_SUFFIXES)} (jsonl: raw answers; "
                          "pdf: searchable PDF; hocr, alto.xml: the page formats)")
    rec.add_argument("--errors", choices=("coerce", "raise"), default="coerce",
                     help="coerce: failed images become rows (default); raise: stop at the first")
    rec.add_argument("--scheduler", default=None,
                     help="run on Dask: a scheduler address (tcp://host:8786) or 'local' (a "
                          "LocalCluster sized to this machine, the default for a directory "
                          "output); needs -o DIRECTORY/ and pip install 'wxocr-pandas[dask]'")
    rec.add_argument("--partitions", type=int, default=None,
                     help="Dask partitions (default: about 32 images each, 2+ per worker thread)")
    tables = commands.add_parser("tables", help="recognize images and PDFs into their tables")
    tables.add_argument("images", nargs="+", help="image or PDF paths, glob patterns, URLs")
    tables.add_argument("-o", "--output", required=True, type=Path,
                        help="tables.xlsx (a sheet per table; needs wxocr-pandas[xlsx]), a "
                             "folder/ (a CSV per table), or cells.csv / cells.parquet (the "
                             "tidy cells)")
    tables.add_argument("--sep", default=" ", help="joins the lines of a wrapped cell (' ')")
    tables.add_argument("--numeric", action="store_true",
                        help="write columns of numbers as numbers (xlsx and folder outputs)")
    cache = commands.add_parser("cache", help="show or clear the result cache")
    cache.add_argument("action", choices=("info", "clear"))
    serve = _serve_parser(commands)
    for command in (rec, tables):
        command.add_argument("--backend", default=None,
                             help=f"{' or '.join(backend_names())} (default: env WXOCR_BACKEND, "
                                  "else local)")
        command.add_argument("--dpi", type=float, default=None,
                             help="resolution of rendered PDF pages (default 150); env WXOCR_DPI")
        command.add_argument("--pdf-ocr", dest="pdf_ocr", action="store_const", const=True,
                             default=None, help="recognize PDF pages that have a text layer too "
                                                "(by default their text layer is read); env "
                                                "WXOCR_PDF_OCR")
        command.add_argument("--workers", type=int, default=None,
                             help="parallel workers (local: processes; other backends: "
                                  "threads, default 1); env WXOCR_WORKERS")
        command.add_argument("--max-pages", type=int, default=None,
                             help="pages read of one document; the rest become one error row "
                                  "(default: all); env WXOCR_MAX_PAGES")
        command.add_argument("--no-cache", dest="cache", action="store_false",
                             help="recognize everything again; store nothing in the result cache")
        command.add_argument("--no-progress", dest="progress", action="store_const",
                             const=False, default=None, help="no progress bar")
    for command in (rec, tables, cache, serve):
        command.add_argument("--cache-dir", default=None,
                             help="result cache directory (default: env WXOCR_CACHE_DIR, "
                                  "else the platform cache directory)")
    return parser


def _serve_parser(commands: Any) -> argparse.ArgumentParser:
    serve = commands.add_parser("serve", help="serve the WeChat OCR API (token, stable_token, "
                                "cv/ocr/comm) with the local engine; needs wxocr-pandas[server]")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (8080)")
    serve.add_argument("--app", action="append", metavar="APPID:SECRET",
                       help="an account that may fetch tokens (repeatable); or env "
                            "WXOCR_SERVER_APPS=appid:secret,appid2:secret2, which keeps "
                            "secrets out of ps")
    serve.add_argument("--daily-quota", type=int, default=100,
                       help="OCR calls per appid and Beijing-time day, then 45009 (100)")
    serve.add_argument("--max-bytes", type=int, default=2 * 1024 * 1024,
                       help="images of this many bytes or more get 45002 (2097152, as WeChat)")
    serve.add_argument("--workers", type=int, default=None,
                       help="recognition worker processes (default: one per core); env "
                            "WXOCR_WORKERS")
    serve.add_argument("--backend", default="local", help="the package backend that "
                                                           "recognizes (local)")
    serve.add_argument("--allow-private-urls", action="store_true",
                       help="let img_url reach loopback, private and link-local addresses")
    serve.add_argument("--token-ttl", type=int, default=7200, help="token lifetime, s (7200)")
    serve.add_argument("--no-cache", dest="cache", action="store_false",
                       help="recognize every image again; store nothing in the result cache")
    serve.add_argument("--queue", type=int, default=None, metavar="N",
                       help="images that may wait for a worker; one more gets -1 at once "
                            "(default: what the workers get through in --queue-timeout, "
                            "20 per worker)")
    serve.add_argument("--queue-timeout", type=float, default=30.0, metavar="SECONDS",
                       help="an image that waited this long for a worker gets -1 (30)")
    serve.add_argument("--header-timeout", type=float, default=10.0, metavar="SECONDS",
                       help="a connection whose request line and headers take longer is "
                            "closed (10)")
    return serve


def _serve(args: argparse.Namespace) -> int:
    try:
        from .server import ServerSettings, parse_apps, serve
        from .server.settings import default_workers
    except ImportError as exc:
        raise ConfigError(f"wxocr serve needs the server extra ({exc.name} is missing): "
                          "pip install 'wxocr-pandas[server]'") from None

    settings = ServerSettings(parse_apps(args.app), daily_quota=args.daily_quota,
                              max_bytes=args.max_bytes, workers=default_workers(args.workers),
                              backend=args.backend, allow_private_urls=args.allow_private_urls,
                              token_ttl=args.token_ttl, cache=args.cache,
                              cache_dir=args.cache_dir, queue=args.queue,
                              queue_timeout=args.queue_timeout,
                              header_timeout=args.header_timeout)
    serve(settings, args.host, args.port)
    return 0


def _output_suffix(output: Path) -> str:
    """The output's kind by its name: ``out.alto.xml`` is ``.alto.xml``, else the suffix."""
    name = output.name.lower()
    return next((s for s in OUTPUT_SUFFIXES if name.endswith(s)), output.suffix.lower())


def _write_pages(suffix: str, frame: pd.DataFrame, results: list[InputResult],
                 output: Path) -> None:
    """Write a page format (PDF, hOCR, ALTO) of every input of ``frame``; inputs left out
    (other than those that failed, which the report lists) are listed."""
    import warnings

    from .alto import to_alto
    from .hocr import to_hocr
    from .outputs import ExportWarning
    from .searchable import to_pdf

    writer = {".pdf": to_pdf, ".hocr": to_hocr, ".alto.xml": to_alto}[suffix]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExportWarning)
        writer(frame, output)
    failed = [page.errmsg for _, _, page in iter_page_results(results) if not page.ok]
    for warning in caught:  # inputs that failed are listed by the report already
        if not any(errmsg in str(warning.message) for errmsg in failed):
            print(f"  {warning.message}", file=sys.stderr)


def _recognize(args: argparse.Namespace) -> int:
    suffix = _output_suffix(args.output)
    if not suffix:  # a directory: partitioned Parquet, written by Dask workers
        return _recognize_on_dask(args)
    if args.scheduler is not None:
        print("wxocr: --scheduler writes partitioned Parquet: give a directory (-o out/)",
              file=sys.stderr)
        return 2
    if suffix not in OUTPUT_SUFFIXES:
        print(f"wxocr: output must end in {', '.join(OUTPUT_SUFFIXES)}, not {args.output.name!r}",
              file=sys.stderr)
        return 2
    images = expand(args.images)
    if suffix == ".pdf":
        from .searchable import load_pikepdf

        load_pikepdf()  # the pdf extra is there, before anything is recognized
    try:  # before any recognition: a run must not be lost to an unwritable output
        args.output.parent.mkdir(parents=True, exist_ok=True)
        output = (args.output.open("wb") if suffix == ".parquet"
                  else args.output.open("w", encoding="utf-8", newline=""))
    except OSError as exc:
        print(f"wxocr: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    results: list[InputResult] = []
    frames: list[pd.DataFrame] = []  # of a page output, written once every input is read
    with output, ParquetChunks(output) as parquet, Recognizer(
            args.backend, args.errors, cache=args.cache, cache_dir=args.cache_dir,
            max_workers=args.workers, progress=args.progress, total=len(images), dpi=args.dpi,
            pdf_ocr=args.pdf_ocr, max_pages=args.max_pages) as recognizer:
        # The output grows chunk by chunk as results come: CSV and JSONL flushed each time, a
        # Parquet row group each time (its footer is written however the run stops).
        # A long document comes STREAM_CHUNK pages at a time, its row repeated.
        pieces = ((start, *piece) for start in range(0, len(images), STREAM_CHUNK)
                  for piece in recognizer.stream(images[start:start + STREAM_CHUNK],
                                                 STREAM_CHUNK))
        for number, (start, positions, answers) in enumerate(pieces):
            chunk = [images[start + position] for position in positions]
            results += answers
            if suffix == ".jsonl":
                write_result_lines(output, chunk, answers)
                output.flush()
                continue
            # object: a file name that is not UTF-8 stays as given (Arrow strings refuse it).
            frame = explode(pd.DataFrame({"image": chunk}, index=[start + p for p in positions],
                                         dtype=object), answers, image="image")
            if suffix in PAGE_OUTPUTS:
                frames.append(frame)
            elif suffix == ".csv":
                writable(frame).to_csv(output, index=False, header=number == 0)
                output.flush()
            else:
                parquet.write(frame)
    if suffix in PAGE_OUTPUTS:
        _write_pages(suffix, pd.concat(frames), results, args.output)
    _report(images, results, args.output)
    return 0


def _report(images: list[str], results: list[InputResult], output: Path) -> None:
    answers = list(iter_page_results(results))
    failed = [result for _, _, result in answers if not result.ok]
    texts = sum(len(result.items) for _, _, result in answers)
    inputs = f"{len(images)} images"
    if any(not isinstance(result, OcrResult) for result in results):  # documents: count pages
        pages = sum(page is not None for _, page, _ in answers)
        inputs = f"{len(images)} inputs ({pages} pages)"
    print(f"{inputs}, {texts} texts, {len(failed)} failed -> {display_name(str(output))}")
    for result in failed:
        print(f"  failed: {result.errmsg}", file=sys.stderr)


def _recognize_on_dask(args: argparse.Namespace) -> int:
    from .dask import connect, recognize_to_dataset

    images = expand(args.images)
    with connect(args.scheduler or "local") as client:
        print(f"dask: {client.dashboard_link or client.scheduler.address}")
        recognize_to_dataset(client, images, args.output, partitions=args.partitions,
                             backend=args.backend, errors=args.errors, cache=args.cache,
                             cache_dir=args.cache_dir, progress=args.progress is not False,
                             dpi=args.dpi, pdf_ocr=args.pdf_ocr)
    table = pd.read_parquet(args.output, columns=["item", "errcode", "errmsg"])
    failed = table.loc[table["errcode"] != 0, "errmsg"]
    print(f"{len(images)} images, {int(table['item'].notna().sum())} texts, {len(failed)} failed "
          f"-> {args.output}{os.sep}")
    for errmsg in failed:
        print(f"  failed: {errmsg}", file=sys.stderr)
    return 0


def _tables(args: argparse.Namespace) -> int:
    from .api import recognize_frame
    from .tables import cells, tables
    from .tables.output import check_output, write_tables

    check_output(args.output)  # before any recognition
    images = expand(args.images)
    out = recognize_frame(pd.DataFrame({"image": images}, dtype=object), "image",
                          backend=args.backend, cache=args.cache, cache_dir=args.cache_dir,
                          max_workers=args.workers, progress=args.progress, dpi=args.dpi,
                          pdf_ocr=args.pdf_ocr, max_pages=args.max_pages)
    grid = cells(out, sep=args.sep)
    found = tables(out, sep=args.sep, numeric=args.numeric) \
        if args.output.suffix.lower() not in (".csv", ".parquet") else []
    written = write_tables(args.output, grid, found, images)
    failed = grid.loc[grid["errcode"] != 0, "errmsg"]
    ok = grid[grid["errcode"] == 0]
    n_tables = ok.groupby([ok.index, "page", "table"]).ngroups if len(ok) else 0
    target = args.output if len(written) <= 1 else f"{len(written)} files in {args.output}{os.sep}"
    print(f"{len(images)} inputs, {n_tables} tables, {len(ok)} cells, {len(failed)} failed "
          f"-> {target}")
    for errmsg in failed:
        print(f"  failed: {errmsg}", file=sys.stderr)
    return 0


def _cache(args: argparse.Namespace) -> int:
    with ResultCache(args.cache_dir) as cache:
        if args.action == "clear":
            print(f"removed {cache.clear()} cached answers from {cache.path}")
            return 0
        info = cache.info()
    print(f"{info.path}: {info.entries} answers, {info.size_bytes / 1e6:.1f} MB")
    for backend, entries in info.backends.items():
        print(f"  {entries:>8}  {backend}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``wxocr``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        commands = {"recognize": _recognize, "tables": _tables, "cache": _cache, "serve": _serve}
        return commands[args.command](args)
    except UsageError as exc:  # a wrong argument or setting: nothing was done
        print(f"wxocr: {exc}", file=sys.stderr)
        return 2
    except WxOcrError as exc:
        print(f"wxocr: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
