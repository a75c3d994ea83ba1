"""The baseline: one process that imports once and renders specs one after another, the plain way.

What a first version of briefgen would do: `yaml.safe_load`, five charts with pyplot and its
defaults saved as PNG at 200 dpi with `bbox_inches="tight"`, a Jinja template made afresh for each
note, WeasyPrint from an HTML string. Nothing is reused between notes. The note has the same
sections as briefgen's (about five A4 pages), so the two are timed on the same work.

    python bench/naive_loop.py OUT_DIR SPEC...   # prints one JSON line: seconds, count, per brief
"""

from __future__ import annotations

import base64
import csv
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

START = time.perf_counter()

import jinja2  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import weasyprint  # noqa: E402
import yaml  # noqa: E402

TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ b.title }}</title>
<style>
@page { size: A4; margin: 2cm;
        @bottom-right { content: "Page " counter(page) " of " counter(pages); } }
body { font-family: sans-serif; font-size: 10pt; line-height: 1.4; }
h1 { font-size: 18pt; } h2 { font-size: 13pt; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #ccc; padding: 3px; }
img { width: 100%; } .src { color: #666; font-size: 8pt; }
</style></head><body>
<h1>{{ b.title }}</h1>
<p>{{ c.name }} · {% for l in c.listings %}{{ l.exchange }}: {{ l.ticker }} {% endfor %}
· {{ b.date }} · {{ b.author }}, {{ b.desk }}</p>
<p><strong>{{ b.summary }}</strong></p>
{% for chart in charts %}<img src="data:image/png;base64,{{ chart }}">
<p class="src">Source: company reports</p>{% endfor %}
<h2>Results</h2>
<table><tr><th>Segment</th><th>Revenue</th><th>Growth y/y</th><th>Consensus</th></tr>
{% for s in segments %}<tr><td>{{ s.name }}</td><td>{{ s.revenue.currency }}
{{ s.revenue.value }}{{ s.revenue.unit }}</td><td>{{ s.growth_yoy.value }}%</td>
<td>{{ s.consensus.growth_yoy.value if s.consensus else "" }}</td></tr>{% endfor %}</table>
{% if capex %}<h2>Capital spending</h2><p>Plan: {{ capex.plan_total.value }}bn over
{{ capex.horizon_years }} years; invested {{ capex.invested_trailing_4q.value }}bn.
{{ capex.outlook }}</p>{% endif %}
{% if infra %}<h2>Infrastructure</h2><p>{{ infra.regions.value }} regions,
{{ infra.availability_zones.value }} zones.</p><ul>{% for d in infra.new_data_centres %}
<li>{{ d.place }}, {{ d.country }} ({{ d.region }})</li>{% endfor %}</ul>{% endif %}
<h2>Market reaction</h2><ul>{% for m in moves %}<li>{{ m.listing }} {{ m.move }}% on
{{ m.date }} ({{ m.session }})</li>{% endfor %}</ul>
<h2>Highlights</h2>{% for h in spec.highlights or [] %}<p><b>{{ h.title }}</b> {{ h.text }}</p>
{% endfor %}
<h2>Quotes</h2>{% for q in spec.quotes or [] %}<blockquote>{{ q.text }}<br>— {{ q.speaker }},
{{ q.role }}</blockquote>{% endfor %}
<h2>Analyst views</h2>{% for v in spec.analyst_views or [] %}<p>{{ v.name }} ({{ v.firm }}):
{{ v.text }}</p>{% endfor %}
<h2>Risks</h2>{% for r in spec.risks or [] %}<p><b>{{ r.title }}</b> {{ r.text }}</p>
{% endfor %}
<h2>Sources</h2><ol>{% for s in spec.sources %}<li>{{ s.publisher }}: {{ s.title }},
{{ s.date }}</li>{% endfor %}</ol>
<h2>Disclaimer</h2><p>{{ disclaimer }}</p>
</body></html>"""

DISCLAIMER = ("This note is provided for information only and does not constitute an offer or "
              "solicitation to buy or sell any security. ") * 6


def png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=200, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def charts(spec: dict[str, Any], folder: Path) -> list[str]:
    segment = spec["segments"][0]
    rows = list(csv.DictReader((folder / segment["history"]["csv"]).open()))
    quarters = [r["quarter_end"][:7] for r in rows]
    revenue = [float(r["revenue"]) / 1000 for r in rows]
    growth = [float(r["growth_yoy"]) for r in rows]
    out = []
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar(quarters, revenue)
    ax.twinx().plot(quarters, growth, color="C1", marker="o")
    ax.set_title(f"{segment['name']}: revenue (bn) and growth y/y (%)")
    out.append(png(fig))
    fig, ax = plt.subplots(figsize=(7, 2.6))
    ax.barh(["Actual", "Consensus"], [segment["growth_yoy"]["value"],
                                      segment["consensus"]["growth_yoy"]["value"]])
    ax.set_title("Growth y/y against consensus (%)")
    out.append(png(fig))
    capex = spec["capex"]
    fig, ax = plt.subplots(figsize=(7, 1.8))
    ax.barh(["Plan"], [capex["plan_total"]["value"]], color="lightgray")
    ax.barh(["Plan"], [capex["invested_trailing_4q"]["value"]])
    ax.set_title("Capital spending against plan (bn)")
    out.append(png(fig))
    centres = spec["infrastructure"]["new_data_centres"]
    regions = sorted({c["region"] for c in centres})
    fig, ax = plt.subplots(figsize=(7, 2.2))
    ax.bar(regions, [sum(c["region"] == r for c in centres) for r in regions])
    ax.set_title("New data centres by region")
    out.append(png(fig))
    moves = spec["market_reaction"]
    fig, ax = plt.subplots(figsize=(7, 2.2))
    ax.bar([m["listing"] for m in moves], [m["move"] for m in moves])
    ax.set_title("Share-price move after results (%)")
    out.append(png(fig))
    return out


def render(spec_path: Path, out_dir: Path) -> None:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    html = jinja2.Environment(autoescape=True).from_string(TEMPLATE).render(
        spec=spec, b=spec["brief"], c=spec["company"], segments=spec["segments"],
        capex=spec.get("capex"), infra=spec.get("infrastructure"),
        moves=spec.get("market_reaction", []), charts=charts(spec, spec_path.parent),
        disclaimer=DISCLAIMER,
    )
    target = out_dir / (spec["brief"].get("slug") or spec_path.stem)
    target.mkdir(parents=True, exist_ok=True)
    (target / "brief.html").write_text(html, encoding="utf-8")
    weasyprint.HTML(string=html, base_url=str(spec_path.parent)).write_pdf(target / "brief.pdf")


def main(argv: list[str]) -> None:
    out_dir, specs = Path(argv[0]), [Path(p) for p in argv[1:]]
    imported = time.perf_counter()
    for spec in specs:
        render(spec, out_dir)
    end = time.perf_counter()
    print(json.dumps({"count": len(specs), "seconds": end - START, "imports": imported - START,
                      "per_brief": (end - START) / len(specs),
                      "per_brief_warm": (end - imported) / len(specs)}))


if __name__ == "__main__":
    main(sys.argv[1:])
