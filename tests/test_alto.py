"""ALTO v4 files, validated against the ALTO 4.4 schema and read back element by element."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xmlschema

from wxocr_pandas import ExportWarning
from wxocr_pandas.alto import ALTO_NS
from wxocr_pandas.geometry import quads
from wxocr_pandas.schema import rows_per_image

DATA = Path(__file__).parent / "data"
NS = {"a": ALTO_NS}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    """ALTO 4.4, its XLink import answered by the local stub (no download)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # xmlschema notes that the remote import is blocked
        return xmlschema.XMLSchema(str(DATA / "alto-4-4.xsd"), allow="local", locations=[
            ("http://www.w3.org/1999/xlink", str(DATA / "xlink-stub.xsd"))])


@pytest.fixture(scope="module")
def recognized(samples_dir, local_backend) -> pd.DataFrame:
    paths = [samples_dir / "receipt.png", samples_dir / "report.pdf", samples_dir / "sign.png",
             Path("absent.png")]
    return pd.DataFrame({"path": [str(p) for p in paths]}).wxocr.recognize(
        "path", backend=local_backend, max_workers=1)


@pytest.fixture(scope="module")
def written(recognized, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("alto") / "out.alto.xml"
    with pytest.warns(ExportWarning, match="absent.png: left out of the ALTO file"):
        recognized.wxocr.to_alto(path)
    return path


def test_the_file_is_valid_alto_4(written, schema):
    schema.validate(str(written))


def test_a_broken_file_fails_the_same_schema(written, schema, tmp_path):
    text = written.read_text(encoding="utf-8").replace("<PrintSpace", "<PrintSpace BOGUS='1'", 1)
    broken = tmp_path / "broken.xml"
    broken.write_text(text, encoding="utf-8")
    assert not schema.is_valid(str(broken))


def test_pages_lines_and_words_hold_the_items(written, recognized):
    root = ET.parse(written).getroot()
    pages = root.findall(".//a:Page", NS)
    images = [rows for _, rows in rows_per_image(recognized) if rows["errcode"].iloc[0] == 0]
    assert len(pages) == len(images) == 5  # receipt, three report pages, sign
    for page, rows in zip(pages, images):
        assert (int(page.get("WIDTH")), int(page.get("HEIGHT"))) == \
            (rows["img_w"].iloc[0], rows["img_h"].iloc[0])
        lines = page.findall(".//a:TextLine", NS)
        assert len(lines) == len(rows)
        corners = quads(rows)
        for line, text, quad in zip(lines, rows["text"], corners):
            strings = line.findall("a:String", NS)
            assert " ".join(s.get("CONTENT") for s in strings) == " ".join(text.split())
            box = [float(line.get(key)) for key in ("HPOS", "VPOS", "WIDTH", "HEIGHT")]
            assert np.allclose(box, [*quad.min(axis=0), *(quad.max(axis=0) - quad.min(axis=0))],
                               atol=0.01)
            for string in strings:  # every word inside its line
                left, top = float(string.get("HPOS")), float(string.get("VPOS"))
                assert box[0] - 0.01 <= left and left + float(string.get("WIDTH")) <= \
                    box[0] + box[2] + 0.01
                assert box[1] - 0.01 <= top
            points = line.find("a:Shape/a:Polygon", NS).get("POINTS").split()
            assert np.allclose([tuple(map(float, p.split(","))) for p in points], quad,
                               atol=0.01)


def test_confidence_is_written_as_word_confidence(written, recognized):
    root = ET.parse(written).getroot()
    first = root.find(".//a:String", NS)
    assert float(first.get("WC")) == pytest.approx(recognized["score"].iloc[0], abs=0.01)


def test_the_cli_writes_alto_by_its_double_suffix(samples_dir, tmp_path, schema):
    from wxocr_pandas.cli import main

    out = tmp_path / "sign.alto.xml"
    assert main(["recognize", str(samples_dir / "sign.png"), "-o", str(out), "--no-progress"]) == 0
    schema.validate(str(out))
    assert [s.get("CONTENT") for s in ET.parse(out).getroot().iter(f"{{{ALTO_NS}}}String")] == \
        ["小心地滑", "Caution", "Wet", "Floor"]
