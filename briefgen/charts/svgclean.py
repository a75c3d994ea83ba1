"""matplotlib's SVG made small: the same picture in fewer elements.

matplotlib wraps every artist in one or two `<g>` groups (many of them empty), writes a no-op
`rotate(-0 …)` on every label and styles every element through a `*` rule in a `<style>` sheet.
A browser does not mind; WeasyPrint parses, cascades and paints each element in Python, so the
charts of a note cost it about a fifth of the PDF step. Dropping what draws nothing halves the
elements of a chart (the bytes of the HTML shrink too), and the PDF looks the same: the style
sheet's two properties move to the root, where every element inherits them.

Each element's `style="fill: #1b1f24; font-size: 7.5px"` becomes presentation attributes
(`fill="#1b1f24" font-size="7.5px"`): WeasyPrint runs its CSS tokenizer over every style
attribute of every element of every chart, and reads attributes as they are. With no style sheet
left in the SVG, an element's own attribute is all that sets the property, so the picture is the
same (measured on the sample note: the charts' share of WeasyPrint's time -15 to -20%, 1.5-2% of
the PDF step).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_NO_ROTATION = re.compile(r"rotate\(-?0(?:\.0*)? [-\d.e]+ [-\d.e]+\)")
# What matplotlib's `<style>` sheet says, as inherited presentation attributes on the root.
_SHEET = re.compile(r"\*\s*\{\s*stroke-linejoin:\s*(\w+);\s*stroke-linecap:\s*(\w+)\s*\}")
# Properties that SVG also takes as presentation attributes (SVG 1.1, section 6.4): the ones
# matplotlib writes, and a few more it might.
PRESENTATION = frozenset((
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
    "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit",
    "stroke-opacity", "opacity", "font-family", "font-size", "font-style", "font-weight",
    "text-anchor", "dominant-baseline", "alignment-baseline", "letter-spacing", "clip-path",
    "color", "display", "visibility",
))
# One declaration as matplotlib writes it: a plain value, or one quoted font name.
_DECLARATION = re.compile(r"\s*([a-z-]+)\s*:\s*((?:[^;:'\"!]|'[^';:\"!]*')*?)\s*")


def clean_svg(svg: str, label: str) -> str:
    """A standalone, inlinable SVG document: no prolog or doctype, no fixed size (the viewBox
    stays, so CSS `width: 100%` scales it), no matplotlib ids on groups (they would repeat across
    the charts of one page), no element that draws nothing, and a role and label for screen
    readers when inlined."""
    root = ET.fromstring(svg.encode("utf-8"))  # bytes: the text declares its own encoding
    _plain_names(root)
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    _inline_style_sheet(root)
    _simplify(root)
    if not any(element.tag == "style" for element in root.iter()):
        _presentation_attributes(root)
    attributes = {"xmlns": SVG_NS, "role": "img", "aria-label": label, **root.attrib}
    if any(name.startswith("xlink:") for element in root.iter() for name in element.attrib):
        attributes["xmlns:xlink"] = XLINK_NS
    root.attrib.clear()
    root.attrib.update(attributes)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _plain_names(root: ET.Element) -> None:
    """Tags and attributes as written, not in ElementTree's {namespace} form: serialising those
    would depend on ElementTree's process-wide prefix table, which other libraries change
    (WeasyPrint registers its own prefixes when it writes PDF metadata)."""
    svg, xlink = f"{{{SVG_NS}}}", f"{{{XLINK_NS}}}"
    for element in root.iter():
        element.tag = element.tag.removeprefix(svg)
        if any(name.startswith(xlink) for name in element.attrib):
            names = {name: name.replace(xlink, "xlink:", 1) for name in element.attrib}
            values = {names[name]: value for name, value in element.attrib.items()}
            element.attrib.clear()
            element.attrib.update(values)


def _inline_style_sheet(root: ET.Element) -> None:
    for defs in root.findall("defs"):
        for sheet in defs.findall("style"):
            found = _SHEET.fullmatch((sheet.text or "").strip())
            if found is None:  # a sheet this module does not know: leave it to the renderer
                continue
            root.set("stroke-linejoin", found.group(1))
            root.set("stroke-linecap", found.group(2))
            defs.remove(sheet)
        if len(defs) == 0:
            root.remove(defs)


def _presentation_attributes(root: ET.Element) -> None:
    """Each element's style attribute as presentation attributes, when every declaration in it
    is a plain one (no !important, no escapes) of a property that has an attribute form; the
    style wins over an attribute of the same name, so it replaces it."""
    for element in root.iter():
        style = element.get("style")
        if style is None:
            continue
        declarations = [part for part in style.split(";") if part.strip()]
        found = [_DECLARATION.fullmatch(part) for part in declarations]
        if not all(match and match.group(1) in PRESENTATION for match in found):
            continue  # something this module does not know: the renderer reads the style
        del element.attrib["style"]
        for match in found:
            assert match is not None
            element.set(match.group(1), match.group(2))


def _simplify(parent: ET.Element) -> None:
    """Drop empty groups and lift the children of groups that carry nothing but an id."""
    children: list[ET.Element] = []
    if parent.text is not None and not parent.text.strip():
        parent.text = None  # indentation: a chart's text is in <text>, which keeps its own
    for child in parent:
        if child.tag != "text":
            _simplify(child)
        if child.tail is not None and not child.tail.strip():
            child.tail = None
        transform = child.get("transform")
        if transform is not None and _NO_ROTATION.fullmatch(transform):
            del child.attrib["transform"]
        if child.tag == "g":
            child.attrib.pop("id", None)
            if len(child) == 0:
                continue
            if not child.attrib:
                children.extend(child)
                continue
        children.append(child)
    parent[:] = children
