"""A PNG logo, bounded before it is decoded and re-encoded at the size the note shows it.

A 20 KB PNG can declare 13000×13000 pixels (a decompression bomb: 1.4 GB and 9 s per render,
and the whole of it embedded in every HTML). The header says the size before anything is
decoded, so a logo larger than `MAX_SIDE` either way, `MAX_PIXELS` in all or `MAX_DECODED_BYTES`
once decoded is refused there. One that passes is scaled down (never up) to the pixels its
printed height needs at `PRINT_DPI`, so every note carries a logo of a few kilobytes.
"""

from __future__ import annotations

import io
import math
import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 4000
MAX_PIXELS = 16_000_000
MAX_DECODED_BYTES = 64 * 1024 * 1024  # 16 MP of 8-bit RGBA
# Enough for print (the PDF) and for a 2x screen at the masthead's height.
PRINT_DPI = 300
# Samples per pixel for each PNG colour type (greyscale, RGB, palette, grey+alpha, RGBA).
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class LogoProblem(ValueError):
    """What is wrong with a PNG logo, in words for the brand file's `logo.file` key."""


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG header, after checking what decoding would cost."""
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise LogoProblem("not a readable PNG file (no IHDR header)")
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    if colour not in _CHANNELS or depth not in (1, 2, 4, 8, 16) or not width or not height:
        raise LogoProblem(f"not a readable PNG file (a {width}x{height} image of colour type "
                          f"{colour}, bit depth {depth})")
    decoded = math.ceil(width * _CHANNELS[colour] * depth / 8) * height
    if (width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS
            or decoded > MAX_DECODED_BYTES):
        raise LogoProblem(
            f"the PNG is {width}x{height} pixels ({width * height / 1e6:.1f} MP); a logo may be "
            f"at most {MAX_SIDE}x{MAX_SIDE} and {MAX_PIXELS / 1e6:.0f} MP")
    return width, height


def fitted_png(data: bytes, height_mm: float) -> bytes:
    """`data` (already checked by `png_size`) scaled down to the pixels `height_mm` needs at
    `PRINT_DPI`, as PNG; the original bytes when they are no larger than that already."""
    width, height = png_size(data)
    target = math.ceil(height_mm / 25.4 * PRINT_DPI)
    if height <= target:
        return data
    from PIL import Image, ImageFile  # WeasyPrint's dependency; only a large logo needs it

    # WeasyPrint sets this for the whole process once imported (a worker has); a logo cut short
    # must be refused the same way wherever the brand is loaded.
    truncated, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            scaled: Image.Image = opened
            if scaled.mode not in ("RGB", "RGBA"):  # a copy only for the modes that need one
                scaled = scaled.convert("RGBA" if "A" in scaled.mode or scaled.mode == "P"
                                        else "RGB")
            # In place, by an integer reduction first: no second full-size copy in memory.
            scaled.thumbnail((max(1, round(width * target / height)), target),
                             Image.Resampling.LANCZOS, reducing_gap=3.0)
    except (OSError, ValueError, SyntaxError) as exc:  # Pillow's words for a broken file
        raise LogoProblem(f"not a readable PNG file ({exc})") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    out = io.BytesIO()
    scaled.save(out, format="PNG", optimize=True)
    return out.getvalue()
