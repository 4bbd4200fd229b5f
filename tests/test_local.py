"""The local backend reads the samples exactly, with corners on the rendered text."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from wxocr_pandas import LocalBackend
from wxocr_pandas.backends import local
from wxocr_pandas.errors import ConfigError
from wxocr_pandas.images import as_source

#: The detector grows boxes around the ink (its "unclip" margin), in proportion to the text
#: height: measured up to 0.27 x height on the samples, plus a few pixels on short numbers
#: (whose ink is lower than the line the detector sees): measured at most 7.3 px on onnxruntime,
#: 9.3 px on OpenVINO, whose detection differs from onnxruntime's in the last float digits.
MARGIN_PER_HEIGHT = 0.3
MARGIN_PX = 10

SAMPLE_NAMES = ["receipt.png", "receipt2.png", "screenshot.png", "document.png",
                "two_columns.png", "sign.png"]


@pytest.fixture(scope="module")
def sample_results(local_backend, samples_dir: Path):
    return {name: local_backend.recognize(as_source(samples_dir / name)) for name in SAMPLE_NAMES}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_recognized_text_equals_expected_text(name, sample_results, expected):
    result = sample_results[name]
    assert result.ok
    assert Counter(item.text for item in result.items) == Counter(e["text"] for e in expected[name])


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_corners_lie_on_the_rendered_text(name, sample_results, expected):
    for item in sample_results[name].items:
        quad = np.array([(p.x, p.y) for p in item.corners])
        center = quad.mean(axis=0)
        # Texts repeat (a total printed twice): take the run of that text nearest to the item.
        x0, y0, x1, y1 = min(
            (e["box"] for e in expected[name] if e["text"] == item.text),
            key=lambda b: np.hypot((b[0] + b[2]) / 2 - center[0], (b[1] + b[3]) / 2 - center[1]))
        ink = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        allowed = MARGIN_PER_HEIGHT * (y1 - y0) + MARGIN_PX
        assert np.abs(quad - ink).max() <= allowed, (item.text, quad.tolist(), ink.tolist())
        # ... and the box holds the whole ink, within a pixel or two of rounding.
        assert quad[:, 0].min() <= x0 + 2 and quad[:, 0].max() >= x1 - 2
        assert quad[:, 1].min() <= y0 + 2 and quad[:, 1].max() >= y1 - 2


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_wrapper_loses_nothing_against_the_plain_engine(name, sample_results, samples_dir):
    plain = local.load_engine(LocalBackend().params)(str(samples_dir / name))
    result = sample_results[name]
    assert [item.text for item in result.items] == list(plain.txts)
    boxes = np.array([[(p.x, p.y) for p in item.corners] for item in result.items])
    assert np.allclose(boxes, np.asarray(plain.boxes))
    assert [item.score for item in result.items] == pytest.approx(list(plain.scores))


def test_image_size_is_the_originals(sample_results, samples_dir):
    for name, result in sample_results.items():
        assert (result.img_size.w, result.img_size.h) == Image.open(samples_dir / name).size


def test_blank_image_is_a_normal_empty_result(local_backend, caplog):
    result = local_backend.recognize(as_source(Image.new("RGB", (200, 80), "white")))
    assert result.ok and result.items == () and (result.img_size.w, result.img_size.h) == (200, 80)
    assert not [r for r in caplog.records if r.name == "RapidOCR" and r.levelname == "WARNING"]


def test_exif_rotated_photo_reads_upright_with_upright_coordinates(local_backend, samples_dir):
    upright = Image.open(samples_dir / "sign.png").convert("RGB")
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a camera stores
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    path = samples_dir.parent / "tests" / "_exif_sign.jpg"
    try:
        stored.save(path, exif=exif, quality=95)
        result = local_backend.recognize(as_source(path))
    finally:
        path.unlink(missing_ok=True)
    assert (result.img_size.w, result.img_size.h) == upright.size
    direct = local_backend.recognize(as_source(upright))
    assert [i.text for i in result.items] == [i.text for i in direct.items]


def test_engine_is_built_once_per_parameter_set(local_backend, samples_dir):
    local_backend.recognize(as_source(samples_dir / "sign.png"))
    before = local.engine_cache_info().misses
    LocalBackend().recognize(as_source(samples_dir / "sign.png"))
    assert local.engine_cache_info().misses == before


def test_identity_names_engine_and_answer_parameters_but_not_threads():
    assert "rapidocr-" in LocalBackend().identity
    assert LocalBackend(threads=1).identity == LocalBackend().identity
    assert LocalBackend(text_score=0.8).identity != LocalBackend().identity


def _tight_crops(samples_dir: Path, expected) -> list[tuple[str, Image.Image]]:
    """Every text run of two samples, cut to its ink box with no margin."""
    crops = []
    for name in ("two_columns.png", "receipt2.png"):
        runs = expected[name]
        page = Image.open(samples_dir / name).convert("RGB")
        crops += [(r["text"], page.crop((r["box"][0], r["box"][1], r["box"][2] + 1, r["box"][3] + 1)))
                  for r in runs]
    return crops


def test_tight_line_crops_read_better_than_the_plain_engine(local_backend, samples_dir, expected):
    crops = _tight_crops(samples_dir, expected)
    plain = LocalBackend(line_fallback=False)
    with_fallback = sum(
        [i.text for i in local_backend.recognize(as_source(crop)).items] == [text]
        for text, crop in crops)
    without = sum(
        [i.text for i in plain.recognize(as_source(crop)).items] == [text]
        for text, crop in crops)
    # Measured on these 26 crops: 25 with the fallback, 8 without (61 and 32 of all 62).
    assert with_fallback >= len(crops) - 1 and with_fallback >= without + 15


def test_line_fallback_boxes_the_whole_crop_and_leaves_blanks_empty(local_backend, samples_dir,
                                                                     expected):
    text, crop = next(c for c in _tight_crops(samples_dir, expected) if c[0] == "支付宝")
    assert LocalBackend(line_fallback=False).recognize(as_source(crop)).items == ()
    (item,) = local_backend.recognize(as_source(crop)).items
    assert item.text == "支付宝" and item.score > 0.5
    right, bottom = crop.width - 1, crop.height - 1
    assert [(p.x, p.y) for p in item.corners] == [(0, 0), (right, 0), (right, bottom), (0, bottom)]
    for size in [(300, 40), (60, 30), (120, 120)]:
        assert local_backend.recognize(as_source(Image.new("RGB", size, "white"))).items == ()
    noise = np.random.default_rng(0).integers(0, 255, (40, 300, 3), dtype=np.uint8)
    assert local_backend.recognize(as_source(noise)).items == ()


def test_runtime_is_chosen_explicitly_or_by_what_is_installed(monkeypatch):
    assert LocalBackend().runtime == local.default_runtime()
    assert LocalBackend(runtime="onnxruntime").runtime == "onnxruntime"
    monkeypatch.setenv("WXOCR_RUNTIME", "onnxruntime")
    assert LocalBackend().runtime == "onnxruntime"
    monkeypatch.setenv("WXOCR_RUNTIME", "tensorflow")
    with pytest.raises(ConfigError, match="WXOCR_RUNTIME"):
        LocalBackend()


def test_each_runtime_has_its_own_identity_and_reads_the_sign(samples_dir, expected):
    identities = set()
    for runtime in local.RUNTIMES:
        backend = LocalBackend(runtime=runtime, threads=1)
        identities.add(backend.identity)
        assert runtime in backend.identity
        texts = [item.text for item in backend.recognize(as_source(samples_dir / "sign.png")).items]
        assert texts == [run["text"] for run in expected["sign.png"]]
    assert len(identities) == len(local.RUNTIMES)


def test_openvino_workers_do_not_pin_their_threads():
    params = LocalBackend(runtime="openvino", threads=1).params
    assert params["EngineConfig.openvino.enable_cpu_pinning"] is False
    assert params["EngineConfig.openvino.inference_num_threads"] == 1
    assert {params[f"{model}.engine_type"] for model in ("Det", "Cls", "Rec")} == {"openvino"}


def test_openvino_properties_reach_every_model_the_engine_builds(monkeypatch):
    """rapidocr builds its models on first use: they must be built while the package's
    OpenVINO properties are in force, not later without them."""
    from rapidocr.inference_engine.openvino import main as openvino_session

    configs: list[dict] = []

    class Recording(openvino_session.CPUConfig):
        """The CPU configuration each model is compiled with, as handed to OpenVINO."""

        def get_config(self):
            config = super().get_config()
            configs.append(config)
            return config

    monkeypatch.setattr(openvino_session, "CPUConfig", Recording)
    # A parameter set no other test uses, so its engine is built here.
    backend = LocalBackend(runtime="openvino", threads=1, params={"Det.box_thresh": 0.577})
    backend.engine_for({})
    assert len(configs) == 2  # detection and recognition (the classifier is off)
    # Reading an image builds the page-orientation check's classifier too (its own engine).
    backend.recognize(as_source(Path(__file__).parent.parent / "samples" / "sign.png"))
    assert len(configs) >= 3
    assert all(config.items() >= local.OPENVINO_CPU_PROPERTIES.items() for config in configs)

def _jpeg(image: Image.Image, exif_orientation: int | None = None) -> bytes:
    import io

    buffer = io.BytesIO()
    exif = Image.Exif()
    if exif_orientation is not None:
        exif[0x0112] = exif_orientation
    image.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def test_a_large_jpeg_is_decoded_reduced_and_its_size_told_upright():
    from wxocr_pandas.images import decode_reduced

    photo = _jpeg(Image.new("RGB", (8064, 6048), "white"), exif_orientation=6)  # turned 90
    decoded = decode_reduced(as_source(photo), reduce_to=2000)
    assert decoded.full_size == (6048, 8064)  # upright, as decode() gives it
    assert decoded.image.size == (1512, 2016)  # 1/4 scale: the least that keeps 2000 px
    strip = _jpeg(Image.new("RGB", (12000, 1000), "white"))  # read in tiles, at full size
    assert decode_reduced(as_source(strip), reduce_to=2000, longest_aspect=3).image.size == (
        12000, 1000)


def test_a_large_jpeg_reads_as_at_full_size_with_corners_in_full_size_pixels(local_backend,
                                                                             samples_dir):
    receipt = Image.open(samples_dir / "receipt.png").convert("RGB")
    big = receipt.resize((receipt.width * 6, receipt.height * 6), Image.Resampling.LANCZOS)
    as_jpeg = local_backend.recognize(as_source(_jpeg(big)))  # 3360 x 4332: decoded at 1/2
    at_full_size = local_backend.recognize(as_source(big))  # a PIL image: never reduced
    assert (as_jpeg.img_size.w, as_jpeg.img_size.h) == big.size
    assert [item.text for item in as_jpeg.items] == [item.text for item in at_full_size.items]
    for reduced, full in zip(as_jpeg.items, at_full_size.items):
        corners = np.array([(p.x, p.y) for p in reduced.corners])
        truth = np.array([(p.x, p.y) for p in full.corners])
        assert np.abs(corners - truth).max() <= 12  # a few pixels of the half-size reading


def test_threads_sharing_one_backend_get_the_answers_of_one_thread(local_backend, samples_dir):
    # The engine keeps state per call: two threads at once used to get "Infer Request is
    # busy" (OpenVINO) or each other's text.
    paths = sorted(samples_dir.glob("*.png")) * 2
    alone = [local_backend.recognize(as_source(path)) for path in paths]
    with ThreadPoolExecutor(4) as pool:
        shared = list(pool.map(lambda path: local_backend.recognize(as_source(path)), paths))
    assert shared == alone
