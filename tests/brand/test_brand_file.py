"""Brand files: what a good one loads to, every problem of a bad one located, logos and fonts read
relative to the brand file and refused when unsafe, and the brand's content in the cache key."""

from __future__ import annotations

import pickle
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from briefgen.brand.load import load_brand, svg_problem
from briefgen.brand.model import DEFAULT_BRAND, Brand, Colours
from briefgen.charts.style import style_for
from briefgen.errors import BrandError
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "brand.yaml"
FONT = ROOT / "briefgen" / "fonts" / "Inter-Bold.otf"
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 20">'
       b'<text x="0" y="15">ACMELOGO</text></svg>')


def png(width: int = 4, height: int = 2) -> bytes:
    """A real (tiny, red) PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                               0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def problems(path: Path) -> list[str]:
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    return str(caught.value).splitlines()


def write(folder: Path, text: str, name: str = "brand.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_brand_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # files are found beside the brand file, not here
    loaded = load_brand(EXAMPLE)
    brand = loaded.brand
    assert brand.firm_name == "Harbour Lane Research"
    assert brand.colours.primary == "#7A1F3D" and brand.colours.tint == "#F7F1F3"
    assert brand.colours.palette[:2] == ("#7A1F3D", "#B87A26")  # charts follow the brand
    assert brand.logo is not None and brand.logo.media_type == "image/svg+xml"
    assert brand.logo.data == (ROOT / "examples" / "brand-logo.svg").read_bytes()
    assert brand.logo.data_uri.startswith("data:image/svg+xml;base64,")
    assert len(brand.disclosures) == 2 and len(brand.rating_definitions) == 4
    assert loaded.files == (EXAMPLE, (ROOT / "examples" / "brand-logo.svg").resolve())
    assert loaded.template_dirs == ()
    assert pickle.loads(pickle.dumps(brand)) == brand  # travels to worker processes whole


def test_paths_are_relative_to_the_brand_file(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    house = tmp_path / "house"
    (house / "art").mkdir(parents=True)
    (house / "art" / "logo.png").write_bytes(png())
    (tmp_path / "templates").mkdir()
    write(house, "logo: art/logo.png\ntemplates: ../templates\n"
                 "font_family: Inter Bold\nfont_files:\n  - {file: art/x.otf, weight: 700}\n")
    shutil.copy(FONT, house / "art" / "x.otf")
    monkeypatch.chdir(tmp_path / "templates")
    loaded = load_brand(Path("../house/brand.yaml"))
    assert loaded.brand.logo is not None and loaded.brand.logo.media_type == "image/png"
    assert loaded.template_dirs == (Path("../house/../templates"),)
    assert loaded.template_dirs[0].resolve() == (tmp_path / "templates").resolve()
    face = loaded.brand.font_files[0]
    assert (face.weight, face.style, face.format) == (700, "normal", "opentype")
    assert face.data == FONT.read_bytes() and face.data_uri.startswith("data:font/otf;base64,")


def test_every_problem_is_reported_located(tmp_path: Path) -> None:
    path = write(tmp_path, 'firm_name: ""\n'
                           "colours:\n"
                           "  primary: red\n"
                           "  accent: #123456\n"
                           '  text: "#abc"\n'
                           '  palette: ["#000000"]\n'
                           "logo: {file: ../outside.svg, size: 3}\n"
                           "font_famly: Inter\n"
                           "font_family: 'Inter; } body { color: red'\n"
                           "templates: nowhere\n"
                           "rating_definitions:\n"
                           "  - {rating: Buy}\n")
    assert problems(path) == [
        f"{path}:1:12: firm_name: must not be empty",
        f'{path}:3:12: colours.primary: expected a colour as #RRGGBB, got "red"',
        f"{path}:4:10: colours.accent: expected a colour as #RRGGBB, got nothing (YAML reads # "
        'as the start of a comment: quote the colour, e.g. "#1F3A5F")',
        f'{path}:5:9: colours.text: expected a colour as #RRGGBB, got "#abc" (write all six '
        'digits, e.g. "#aabbcc")',
        f"{path}:6:12: colours.palette: needs at least 2 items",
        f"{path}:7:14: logo.file: the file must be inside the brand file's folder (give a path "
        "relative to the brand file, without `..`)",
        f"{path}:7:30: logo.size: unknown key (allowed: file, alt, height_mm)",
        f'{path}:8:1: font_famly: unknown key (did you mean "font_family"?)',
        f"{path}:9:14: font_family: expected a font family name of letters, digits, spaces and "
        "hyphens, got \"Inter; } body { color: red\"",
        f"{path}:10:12: templates: no such folder: {tmp_path / 'nowhere'} (the folder is found "
        "relative to the brand file)",
        f"{path}:12:5: rating_definitions[0].meaning: missing required key",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("", "{path}: the file is empty (delete it to use the built-in brand, or run `briefgen init`)"),
    ("- a\n- b\n", "{path}:1:1: expected a mapping of brand settings (firm_name, colours, …), "
                   "got a list"),
    ("firm_name: [\n", "{path}:2:1: YAML syntax error: expected the node content, but found "
                       "'<stream end>' (while parsing a flow node that starts at 2:1)"),
    ("firm_name: A\nfirm_name: B\n", '{path}:2:1: firm_name: duplicate key "firm_name" (first '
                                     "given on line 1; keep one)"),
    ("logo: {alt: x}\n", "{path}:1:1: logo: missing the file name"),
    ("logo: {file: 3}\n", "{path}:1:14: logo.file: expected a file name, got 3"),
    ("logo: nowhere.svg\n", "{path}:1:7: logo.file: no such file: {folder}/nowhere.svg"),
    ("logo: .\n", "{path}:1:7: logo.file: {folder} is a folder, not a file"),
    ("logo: {file: x.otf, height_mm: 100}\n", "{path}:1:14: logo.file: not an SVG or PNG file (a "
     "logo is an SVG or PNG file; export a plain SVG from your editor)"),
    ("font_files: [{file: brand.yaml}]\n", "{path}:1:21: font_files[0].file: not an OpenType, "
                                           "TrueType or WOFF font file"),
    ("font_files: [{file: x.otf, weight: 450}]\n", "{path}:1:36: font_files[0].weight: expected "
     "a weight of 100, 200, … 900, got 450 (400 is regular, 600 semibold, 700 bold)"),
    ("font_files: [{file: x.otf, style: oblique}]\n", "{path}:1:35: font_files[0].style: "
     "expected one of normal, italic; got \"oblique\""),
    ("font_files: x.otf\n", "{path}:1:13: font_files: expected a list, got \"x.otf\" (start each "
                            "item with '- ')"),
    ("logo: {file: x.svg, media_type: image/png}\n", "{path}:1:21: logo.media_type: unknown key "
     "(allowed: file, alt, height_mm)"),
])
def test_bad_brand_files(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "x.otf").write_bytes(FONT.read_bytes())
    (tmp_path / "x.svg").write_bytes(SVG)
    path = write(tmp_path, text)
    assert problems(path)[0] == message.format(path=path, folder=tmp_path.resolve())


@pytest.mark.parametrize(("svg", "reason"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>alert(1)</script></svg>',
     "contains a <script> element; a logo must be a plain drawing"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" onload="alert(1)"/>',
     "contains an event handler (onload); a logo must be a plain drawing"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><foreignObject/></svg>',
     "contains a <foreignObject> element; a logo must be a plain drawing"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink" '
     b'viewBox="0 0 1 1"><image x:href="https://example.com/a.png"/></svg>',
     "refers to another file or address (https://example.com/a.png); embed it instead"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><image href="/etc/x.png"/>'
     b"</svg>", "refers to another file or address (/etc/x.png); embed it instead"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><style>@import "x.css";'
     b"</style></svg>", "its styles refer to another file or address; embed it instead"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect style="fill: '
     b'url(https://x.example/p)"/></svg>',
     "its styles refer to another file or address; embed it instead"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg/>',
     "an SVG logo may not declare a DOCTYPE or entities"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
     "the SVG has no viewBox (or width and height), so it cannot be scaled"),
    (b"<html><body/></html>", "not an SVG or PNG file"),
    (b"<svg><unclosed></svg>", "not a well-formed SVG file (mismatched tag: line 1, column 17)"),
    (b"GIF89a....", "not an SVG or PNG file"),
])
def test_unsafe_or_broken_logos_are_refused(svg: bytes, reason: str, tmp_path: Path) -> None:
    assert svg_problem(svg) == reason
    (tmp_path / "logo.svg").write_bytes(svg)
    path = write(tmp_path, "logo: logo.svg\n")
    assert problems(path) == [f"{path}:1:7: logo.file: {reason} (a logo is an SVG or PNG file; "
                              "export a plain SVG from your editor)"]


def test_safe_svg_passes_and_png_is_known_by_content(tmp_path: Path) -> None:
    assert svg_problem(SVG) is None
    assert svg_problem(b'<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2">'
                       b'<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/>'
                       b'<use href="#g"/></svg>') is None
    (tmp_path / "logo.svg").write_bytes(png())  # named .svg, holds a PNG: its content decides
    brand = load_brand(write(tmp_path, "logo: logo.svg\n")).brand
    assert brand.logo is not None and brand.logo.media_type == "image/png"


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.svg"
    secret.write_bytes(SVG)
    house = tmp_path / "house"
    house.mkdir()
    (house / "logo.svg").symlink_to(secret)
    path = write(house, "logo: logo.svg\n")
    assert problems(path) == [f"{path}:1:7: logo.file: the file must be inside the brand file's "
                              "folder (give a path relative to the brand file, without `..`)"]


def test_palette_follows_primary_and_accent_unless_given() -> None:
    assert Colours(primary="#AA0000").palette[:2] == ("#AA0000", DEFAULT_BRAND.colours.accent)
    assert Colours(primary="#AA0000", palette=("#000000", "#FFFFFF")).palette == (
        "#000000", "#FFFFFF")
    assert Brand().colours.palette == DEFAULT_BRAND.colours.palette
    style = style_for(Brand(colours=Colours(primary="#AA0000")))
    assert style.palette[0] == "#AA0000"


def test_the_brand_content_not_its_place_makes_the_cache_key(tmp_path: Path) -> None:
    from briefgen.build.cache import environment_parts
    from briefgen.build.pipeline import RenderOptions

    def key(folder: Path) -> str:
        brand = load_brand(folder / "brand.yaml").brand
        return environment_parts(RenderOptions(brand=brand))["options"]

    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        (folder / "logo.svg").write_bytes(SVG)
        write(folder, "logo: logo.svg\ncolours: {primary: '#AA0000'}\n")
    assert key(first) == key(second)  # moved: same key
    (second / "logo.svg").write_bytes(SVG.replace(b"ACMELOGO", b"NEWLOGO"))
    assert key(first) != key(second)  # the logo's bytes changed
    write(second, "logo: logo.svg\ncolours: {primary: '#AA0001'}\n")
    (second / "logo.svg").write_bytes(SVG)
    assert key(first) != key(second)  # a colour changed
    assert key(first) != environment_parts(RenderOptions())["options"]  # not the default brand


def test_render_with_a_bad_brand_exits_2_with_every_problem(tmp_path: Path) -> None:
    import subprocess
    import sys

    write(tmp_path, 'colours:\n  primary: red\nlogo: missing.svg\n')
    command = [sys.executable, "-c", "from briefgen.cli.main import main; main()", "render",
               str(ROOT / "specs" / "baba.yaml"), "--brand", "brand.yaml", "--out", "out"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        'brand.yaml:2:12: colours.primary: expected a colour as #RRGGBB, got "red"',
        f"brand.yaml:3:7: logo.file: no such file: {tmp_path.resolve() / 'missing.svg'}",
    ]
    assert not (tmp_path / "out").exists()
    done = subprocess.run([*command[:-4], "--brand", "nope.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    # Worded as every command words a flag naming nothing.
    assert (done.returncode, done.stderr) == (2, "--brand nope.yaml: no such file\n")


def test_every_brand_key_is_documented() -> None:
    from briefgen.brand.load import BrandFile
    from briefgen.brand.model import FallbackFont, FontFile, Logo, RatingDefinition

    docs = (ROOT / "docs" / "branding.md").read_text(encoding="utf-8")
    internal = {"media_type", "data", "format"}  # read from the file, never written
    for model in (BrandFile, Colours, Logo, FontFile, FallbackFont, RatingDefinition):
        for name in model.model_fields.keys() - internal:
            assert f"`{name}" in docs, f"{model.__name__}.{name} is not in docs/branding.md"
