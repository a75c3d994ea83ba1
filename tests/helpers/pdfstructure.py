"""Structural checks of a tagged PDF, read with pypdf: what a screen reader and a PDF/UA checker
look at first. Not a conformance validator (no veraPDF here): it checks the catalog entries
(StructTreeRoot, MarkInfo, Lang, the title shown), the XMP `pdfuaid:part`, that every painting
operator of every page sits in a marked-content sequence (tagged, with an MCID) or an artifact,
that every Figure has Alt text, that table header cells carry a Scope, and gives the text of
the structure elements in reading order."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject

# Operators that put marks on the page (text, paths, images, shadings).
PAINTING = {b"Tj", b"TJ", b"'", b'"', b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*",
            b"Do", b"sh", b"INLINE IMAGE"}


@dataclass
class Element:
    role: str
    attributes: dict[str, Any]
    alt: str | None
    mcids: list[tuple[int, int]]  # (page index, MCID) of its own content
    children: list[Element] = field(default_factory=list)

    def walk(self) -> list[Element]:
        found = [self]
        for child in self.children:
            found += child.walk()
        return found


@dataclass
class Structure:
    catalog: dict[str, Any]
    xmp: str
    root: Element | None
    unmarked: list[str]  # "page N: operator" painted outside marked content or an artifact
    page_text: list[dict[int, str]]  # per page: MCID -> text shown inside it
    content_mcids: set[tuple[int, int]]  # (page index, MCID) of every tagged sequence drawn

    def orphans(self) -> list[str]:
        """Tagged content that no element of the structure tree owns (a reader never gets
        to it), as "page N: text"."""
        owned = {m for e in self.root.walk() for m in e.mcids} if self.root else set()
        return [f"page {page + 1}: {self.page_text[page].get(mcid, '')!r}"
                for page, mcid in sorted(self.content_mcids - owned)]

    def roles(self) -> Counter[str]:
        return Counter(e.role for e in self.root.walk()) if self.root else Counter()

    def text_of(self, element: Element) -> str:
        """The text of an element and its descendants, in structure (reading) order."""
        parts = [self.page_text[page].get(mcid, "") for page, mcid in element.mcids]
        parts += [self.text_of(child) for child in element.children]
        return " ".join(p for p in parts if p).strip()


def _page_index(reader: PdfReader) -> dict[int, int]:
    return {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)
            if page.indirect_reference is not None}


def _element(node: Any, pages: dict[int, int], page: int | None) -> Element | None:
    node = node.get_object()
    if not isinstance(node, DictionaryObject) or "/S" not in node:
        return None
    if "/Pg" in node:
        page = pages.get(node.raw_get("/Pg").idnum, page)
    attributes: dict[str, Any] = {}
    for owner in _as_list(node.get("/A")):
        owner = owner.get_object()
        if isinstance(owner, DictionaryObject):
            attributes.update({k: v for k, v in owner.items() if k != "/O"})
    alt = node.get("/Alt")
    element = Element(str(node["/S"]), attributes, str(alt) if alt is not None else None, [])
    for kid in _as_list(node.get("/K")):
        if isinstance(kid, int):
            if page is not None:
                element.mcids.append((page, int(kid)))
            continue
        kid_obj = kid.get_object()
        if isinstance(kid_obj, DictionaryObject) and kid_obj.get("/Type") == "/MCR":
            kid_page = pages.get(kid_obj.raw_get("/Pg").idnum, page) if "/Pg" in kid_obj else page
            if kid_page is not None:
                element.mcids.append((kid_page, int(kid_obj["/MCID"])))
            continue
        child = _element(kid, pages, page)
        if child is not None:
            element.children.append(child)
    return element


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    value_obj = value.get_object() if hasattr(value, "get_object") else value
    return list(value_obj) if isinstance(value_obj, ArrayObject) else [value]


def _text_operand(operator: bytes, operands: list[Any]) -> str:
    if operator == b"TJ":
        return "".join(str(o) for o in operands[0] if isinstance(o, str))
    return str(operands[-1]) if operands else ""


def read_structure(path: Any) -> Structure:
    reader = PdfReader(path)
    catalog = reader.trailer["/Root"].get_object()
    metadata = catalog.get("/Metadata")
    xmp = metadata.get_object().get_data().decode("utf-8", "replace") if metadata else ""
    pages = _page_index(reader)
    root = None
    if "/StructTreeRoot" in catalog:
        tree = catalog["/StructTreeRoot"].get_object()
        root = Element("StructTreeRoot", {}, None, [])
        for kid in _as_list(tree.get("/K")):
            child = _element(kid, pages, None)
            if child is not None:
                root.children.append(child)
    unmarked: list[str] = []
    content_mcids: set[tuple[int, int]] = set()
    page_text: list[dict[int, str]] = []
    for number, page in enumerate(reader.pages, start=1):
        # The open marked-content sequences: the MCID of a tagged one, -1 for an artifact,
        # None for one that is neither (a BMC of another kind).
        stack: list[int | None] = []
        content = page.get_contents()
        if content is None:
            page_text.append({})
            continue
        stream = ContentStream(content, reader)
        for operands, operator in stream.operations:
            if operator in (b"BDC", b"BMC"):
                tag = str(operands[0])
                props = operands[1] if operator == b"BDC" and len(operands) > 1 else None
                if tag == "/Artifact":
                    stack.append(-1)
                elif isinstance(props, DictionaryObject) and "/MCID" in props:
                    stack.append(int(props["/MCID"]))
                    content_mcids.add((number - 1, int(props["/MCID"])))
                else:
                    stack.append(stack[-1] if stack else None)
            elif operator == b"EMC":
                if stack:
                    stack.pop()
            elif operator in PAINTING and (not stack or stack[-1] is None):
                unmarked.append(f"page {number}: {operator.decode()}")
        page_text.append(_text_by_mcid(page))
    return Structure(dict(catalog), xmp, root, unmarked, page_text, content_mcids)


def _text_by_mcid(page: Any) -> dict[int, str]:
    """The text of each marked-content sequence of a page, as pypdf extracts it."""
    texts: dict[int, list[str]] = {}
    current: list[int] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if current and current[-1] >= 0 and text:
            texts.setdefault(current[-1], []).append(text)

    def before(operator: bytes, operands: list[Any], cm: Any, tm: Any) -> None:
        if operator in (b"BDC", b"BMC"):
            props = operands[1] if operator == b"BDC" and len(operands) > 1 else None
            if str(operands[0]) == "/Artifact":
                current.append(-1)
            elif isinstance(props, dict) and "/MCID" in props:
                current.append(int(props["/MCID"]))
            else:
                current.append(current[-1] if current else -1)
        elif operator == b"EMC" and current:
            current.pop()

    page.extract_text(visitor_text=visit, visitor_operand_before=before)
    return {mcid: re.sub(r"\s+", " ", "".join(parts)).strip() for mcid, parts in texts.items()}
