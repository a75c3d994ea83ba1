"""`briefgen preview`: one note, rendered again whenever what it is made of changes.

A `Preview` knows the spec, the brand file and the template folders, renders the HTML note (never
the PDF: with matplotlib and Jinja loaded already, that takes about a tenth of a cold `briefgen
render`) and keeps the latest result as a `Snapshot`, or a page naming every problem with its
file:line:column when the spec or the brand has any. It also knows which files that render read
(`WatchSet`), so `briefgen.preview.server` can watch them and serve the page. The reload script is
added to the page a browser gets (`page_for_browser`), never to the note itself.
"""

from __future__ import annotations

import html
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from briefgen.errors import BriefgenError, FileError
from briefgen.words import count

if TYPE_CHECKING:
    from briefgen.brand.model import Brand


# A render whose files changed while it read them is done again, at most this often, rather than
# published: readers would see a page for a state of the files that never existed.
RENDER_ATTEMPTS = 3
SETTLE_SECONDS = 0.15


@dataclass(frozen=True)
class Snapshot:
    """The latest render: the note, or the error page that replaced it."""

    version: int
    ok: bool
    body: bytes  # the note's HTML file exactly as `briefgen render` writes it, or the error page
    summary: str  # one line for the terminal
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class WatchSet:
    """What a render read: the files themselves, and template folders (any file in them)."""

    files: frozenset[Path] = frozenset()
    folders: frozenset[Path] = frozenset()

    def directories(self) -> list[Path]:
        """Folders to watch, not recursively: an editor that saves by renaming a temporary file
        over the original replaces the file watched, never its folder."""
        found = {path.parent for path in self.files}
        for folder in self.folders:
            found.add(folder)
            found.update(p for p in folder.rglob("*") if p.is_dir() and not p.name.startswith("."))
        return sorted(p for p in found if p.is_dir())

    def covers(self, path: Path) -> bool:
        return path in self.files or any(path.is_relative_to(f) for f in self.folders)

    def covers_folder(self, path: Path) -> bool:
        return any(path.is_relative_to(f) for f in self.folders)

    def signature(self) -> frozenset[tuple[str, int, int, int]]:
        """Each file's inode, size and mtime: a change that no event reported shows here."""
        found = set(self.files)
        for folder in self.folders:
            found.update(p for p in folder.rglob("*") if p.is_file())
        stats = set()
        for path in found:
            try:
                stat = path.stat()
            except OSError:
                continue  # missing: its absence is part of the signature
            stats.add((str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns))
        return frozenset(stats)


class Preview:
    """The spec being previewed and its latest render; `refresh` renders, readers wait on it."""

    def __init__(self, spec: Path, *, brand_file: Path | None = None,
                 template_dirs: Iterable[Path] = (), paper: Literal["a4", "letter"] = "a4",
                 log: Callable[[str], None] = lambda line: None) -> None:
        self.spec = Path(spec)
        self.brand_file = Path(brand_file) if brand_file else None
        self.template_dirs = tuple(Path(d) for d in template_dirs)
        self.paper = paper
        self.log = log
        self.watching = WatchSet(frozenset({_absolute(self.spec)}))
        self._read_as: frozenset[tuple[str, int, int, int]] = frozenset()
        self._snapshot = Snapshot(0, False, b"", "not rendered yet")
        self._changed = threading.Condition()
        self._closed = False

    @property
    def snapshot(self) -> Snapshot:
        with self._changed:
            return self._snapshot

    def refresh(self) -> Snapshot:
        """Render again; publish a new version when the page differs from the last one."""
        started = time.perf_counter()
        for attempt in range(1, RENDER_ATTEMPTS + 1):
            before = self.watching.signature()
            ok, body, summary, warnings, read = self._render()
            if not ok and attempt < RENDER_ATTEMPTS:
                # Many editors (and `Path.write_text`) truncate a file, then write it: a render
                # that failed may have read half a save. Give the rest a moment to land.
                time.sleep(SETTLE_SECONDS)
            if self.watching.signature() == before:
                break  # nothing it read changed meanwhile: this page is what the files say
        if ok:
            summary = f"rendered in {time.perf_counter() - started:.2f} s"
        with self._changed:
            # A failed render cannot say which data files the spec would read: keep the old ones.
            self.watching = read if ok else WatchSet(self.watching.files | read.files,
                                                     self.watching.folders | read.folders)
            self._read_as = self.watching.signature()
            old = self._snapshot
            if body != old.body or ok != old.ok:
                self._snapshot = Snapshot(old.version + 1, ok, body, summary, tuple(warnings))
                self._changed.notify_all()
            snapshot = self._snapshot
        self.log(summary + "".join(f"\n  warning: {w}" for w in warnings))
        return snapshot

    def stale(self) -> bool:
        """Whether a file read by the last render has changed since (events can be missed: the
        watcher is armed after the first render, and some filesystems send none)."""
        with self._changed:
            watching, read_as = self.watching, self._read_as
        return watching.signature() != read_as

    def wait_for_change(self, since: int, timeout: float) -> Snapshot:
        """The snapshot once its version differs from `since`, or after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._snapshot.version == since and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return self._snapshot

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _render(self) -> tuple[bool, bytes, str, list[str], WatchSet]:
        from briefgen.build.pipeline import RenderOptions, render_loaded, spec_fonts
        from briefgen.spec.load import load_spec

        files = {_absolute(self.spec)}
        folders = {_absolute(d) for d in self.template_dirs}
        try:
            brand, brand_dirs = self._brand(files, folders)
            options = RenderOptions(formats=("html",), paper=self.paper, brand=brand,
                                    template_dirs=(*self.template_dirs, *brand_dirs))
            loaded = load_spec(self.spec, fonts=spec_fonts(options))
            files.update(_absolute(p) for p in loaded.data_files)
            result = render_loaded(loaded, options)
            return (True, result.files["brief.html"], "", result.warnings,
                    WatchSet(frozenset(files), frozenset(folders)))
        except FileError as exc:
            lines = [str(p) for p in exc.problems]
            summary = f"{count(len(lines), 'problem')}:\n  " + "\n  ".join(lines)
            named = sorted({p.file for p in exc.problems})  # the spec, a CSV, the brand file
            body = error_page(", ".join(named), "has problems" if len(named) == 1
                              else "have problems", lines)
        except BriefgenError as exc:
            summary = str(exc)
            body = error_page(self.spec, "could not be rendered", str(exc).splitlines())
        except Exception as exc:  # a preview shows a bug rather than dying of it
            summary = f"internal error: {exc!r}"
            body = error_page(self.spec, "hit an internal error in briefgen",
                              traceback.format_exception(exc), preformatted=True)
        return False, body, summary, [], WatchSet(frozenset(files), frozenset(folders))

    def _brand(self, files: set[Path], folders: set[Path]) -> tuple[Brand | None, tuple[Path, ...]]:
        if self.brand_file is None:
            return None, ()
        from briefgen.brand.load import load_brand

        files.add(_absolute(self.brand_file))
        loaded = load_brand(self.brand_file)
        files.update(_absolute(p) for p in loaded.files)
        folders.update(_absolute(d) for d in loaded.template_dirs)
        return loaded.brand, loaded.template_dirs


def _absolute(path: Path) -> Path:
    return Path(path).resolve()


def error_page(where: Path | str, what: str, lines: Iterable[str], *,
               preformatted: bool = False) -> bytes:
    """A page naming every problem, escaped: a problem quotes the user's text."""
    title = f"{where} {what}"
    if preformatted:
        items = f"<pre>{html.escape(''.join(lines))}</pre>"
    else:
        items = "<ol>" + "".join(f"<li><code>{html.escape(line)}</code></li>"
                                 for line in lines) + "</ol>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;"
        "padding:0 1rem;color:#1b1f24}h1{font-size:1.2rem;color:#b3261e}"
        "code,pre{font:13px/1.5 ui-monospace,monospace;white-space:pre-wrap}"
        "li{margin:.4rem 0}.hint{color:#5b6675}</style></head><body>"
        f'<h1 class="preview-error">{html.escape(title)}</h1>{items}'
        '<p class="hint">Fix the file and save: this page reloads by itself.</p>'
        "</body></html>\n"
    ).encode()


_RELOAD_SCRIPT = """<script nonce="{nonce}">(function () {{
  var version = {version};
  function poll() {{
    fetch("/__version?since=" + version, {{cache: "no-store"}})
      .then(function (r) {{ return r.json(); }})
      .then(function (d) {{ if (d.version !== version) location.reload(); else poll(); }})
      .catch(function () {{ setTimeout(poll, 1000); }});
  }}
  poll();
}})();</script>
"""
_WARNINGS_BANNER = (
    '<aside style="position:fixed;bottom:0;left:0;right:0;margin:0;padding:.4rem 1rem;'
    'background:#fff4ce;color:#1b1f24;font:13px/1.4 ui-monospace,monospace;z-index:9;'
    'border-top:1px solid #c9a227" aria-label="Preview warnings">{items}</aside>'
)


def page_for_browser(snapshot: Snapshot, nonce: str) -> bytes:
    """The snapshot with the reload script (and any warnings) before `</body>`."""
    extra = _RELOAD_SCRIPT.format(nonce=nonce, version=snapshot.version)
    if snapshot.warnings:
        extra = _WARNINGS_BANNER.format(items="<br>".join(
            "warning: " + html.escape(w) for w in snapshot.warnings)) + extra
    body = snapshot.body
    at = body.rfind(b"</body>")
    at = len(body) if at < 0 else at
    return body[:at] + extra.encode("utf-8") + body[at:]
