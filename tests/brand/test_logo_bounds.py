"""PNG logos are bounded before they are decoded and re-encoded at the size the note shows them.

A decompression bomb (a small file declaring 13000x13000 pixels) is refused from its header,
located at `logo.file`; a large logo that passes is scaled to the masthead's printed height, so
the HTML and PDF carry kilobytes, not megabytes; the peak memory of a render with the largest
logo a brand allows is measured in a real process.
"""

from __future__ import annotations

import io
import resource
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from briefgen.brand import raster
from briefgen.brand.load import load_brand
from briefgen.errors import BrandError
from tests.conftest import SPECS


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def bomb(width: int, height: int, depth: int = 8, colour: int = 6) -> bytes:
    """A PNG header declaring `width`x`height`, with a few bytes of image data: what it claims
    is all that decides, since nothing may be decoded before the claim is checked."""
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (raster.PNG_SIGNATURE + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"\0" * 64)) + _chunk(b"IEND", b""))


def real_png(width: int, height: int) -> bytes:
    """A smooth RGBA picture (small as PNG, full size once decoded)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGBA", (gradient, gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
                                 gradient, Image.new("L", (width, height), 255)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _brand(folder: Path, logo: bytes, height_mm: float = 9) -> Path:
    (folder / "logo.png").write_bytes(logo)
    path = folder / "brand.yaml"
    path.write_text(f"firm_name: Acme\nlogo: {{file: logo.png, height_mm: {height_mm}}}\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("width", "height", "depth", "colour", "said"), [
    (13000, 13000, 8, 6, "the PNG is 13000x13000 pixels (169.0 MP)"),
    (4001, 10, 8, 2, "the PNG is 4001x10 pixels (0.0 MP)"),
    (4000, 4000, 16, 6, "the PNG is 4000x4000 pixels (16.0 MP)"),  # 128 MB decoded
])
def test_oversized_pngs_are_refused_from_their_header(
        tmp_path: Path, width: int, height: int, depth: int, colour: int, said: str) -> None:
    path = _brand(tmp_path, bomb(width, height, depth, colour))
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    assert str(caught.value) == (
        f"{path}:2:14: logo.file: {said}; a logo may be at most 4000x4000 and 16 MP "
        "(export it at the size it is printed: a few hundred pixels high)")


def test_a_broken_png_is_refused_located(tmp_path: Path) -> None:
    path = _brand(tmp_path, bomb(2000, 1000))  # a header that passes, data that does not decode
    with pytest.raises(BrandError) as caught:
        load_brand(path)
    assert str(caught.value).startswith(f"{path}:2:14: logo.file: not a readable PNG file (")


def test_a_large_logo_is_re_encoded_at_its_printed_size(tmp_path: Path) -> None:
    original = real_png(1200, 600)
    logo = load_brand(_brand(tmp_path, original, height_mm=9)).brand.logo
    assert logo is not None and logo.media_type == "image/png"
    with Image.open(io.BytesIO(logo.data)) as shown:
        # 9 mm at 300 dpi is 107 pixels; the width keeps the 2:1 shape.
        assert shown.size == (214, 107)
    assert len(logo.data) < len(original) / 4
    # A logo already small enough is kept byte for byte.
    small = real_png(40, 20)
    kept = load_brand(_brand(tmp_path, small)).brand.logo
    assert kept is not None and kept.data == small


def test_re_encoding_is_reproducible(tmp_path: Path) -> None:
    first = load_brand(_brand(tmp_path, real_png(900, 900))).brand.logo
    second = load_brand(_brand(tmp_path, real_png(900, 900))).brand.logo
    assert first is not None and second is not None and first.data == second.data


@pytest.mark.e2e
def test_peak_memory_with_the_largest_logo_allowed(tmp_path: Path) -> None:
    """A whole `briefgen render` (cold, one spec, HTML and PDF) with a 4000x4000 RGBA logo, 16 MP
    and 64 MB decoded: the largest the brand allows."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    logo = real_png(4000, 4000)
    assert len(logo) <= 2_000_000  # within the logo file limit too
    path = _brand(tmp_path, logo, height_mm=30)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "briefgen", "render", str(specs / "baba.yaml"),
                           "--brand", str(path), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    html = (tmp_path / "out" / "baba" / "brief.html").read_bytes()
    print(f"\npeak RSS with a 4000x4000 logo: {peak_mb:.0f} MB (before: {before / 1024:.0f});"
          f" HTML {len(html) / 1024:.0f} KB")
    assert peak_mb < 600
    assert len(html) < 600_000  # the logo embedded at its shown size, not 2 MB of it
