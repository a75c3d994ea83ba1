"""A PDF's streams are compressed once as it is written, and the file is the same bytes.

pydyf hashes a PDF for its /ID by serializing every object again after writing it; a stream's
serialization compresses it (`briefgen.pdf.streams`)."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydyf
import pytest

from briefgen.build.pipeline import RenderOptions, allowed_roots
from briefgen.pdf import streams, weasy
from tests.helpers.golden import SAMPLES
from tests.pdf.test_lean_input import handed  # noqa: F401  (a fixture: the sample's PDF input)


@pytest.fixture
def compressions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The size of every stream pydyf compresses."""
    sizes: list[int] = []
    compressobj = zlib.compressobj  # pydyf.zlib is the zlib module: patched for all

    class Counting:
        def __init__(self, **options: Any) -> None:
            self._inner = compressobj(**options)

        def compress(self, data: bytes) -> bytes:
            sizes.append(len(data))
            return self._inner.compress(data)

        def flush(self) -> bytes:
            return self._inner.flush()

    monkeypatch.setattr(pydyf.zlib, "compressobj", Counting)
    yield sizes


def _print(handed: dict[str, Any]) -> bytes:  # noqa: F811
    pdf, _ = weasy.html_to_pdf(handed["html"], charts=handed["charts"],
                               base_dir=SAMPLES["baba"].parent,
                               allowed_roots=allowed_roots(RenderOptions()),
                               variant=handed["options"]["variant"])
    return pdf


def test_each_stream_is_compressed_once(handed: dict[str, Any],  # noqa: F811
                                        compressions: list[int],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    once = _print(handed)
    compressed_once = list(compressions)
    compressions.clear()
    monkeypatch.setattr(streams, "serialized_once", contextlib.nullcontext)
    twice = _print(handed)
    assert once == twice  # the same file
    assert once.startswith(b"%PDF-") and b"/ID" in once
    assert len(compressed_once) > 20
    # pydyf alone compresses each stream twice but the last, the cross-reference stream that
    # follows the hash.
    assert len(compressions) == 2 * len(compressed_once) - 1
    assert set(compressions) == set(compressed_once)


def test_outside_a_write_a_stream_is_serialized_afresh() -> None:
    streams.install()
    stream = pydyf.Stream([b"0 0 m"], compress=False)
    first = stream.data
    stream.stream.append(b"1 1 l")
    assert stream.data != first
    with streams.serialized_once():
        kept = stream.data
        stream.stream.append(b"2 2 l")
        assert stream.data == kept
    assert stream.data != kept


def test_written_against_this_pydyf() -> None:
    streams.install()
    assert streams.installed(), "pydyf.Stream.data is no longer a property: see pdf/streams.py"
    assert Path(pydyf.__file__).exists()

