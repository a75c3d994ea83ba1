"""The naive way to make the note, for comparison: one file, no reuse, library defaults.

YAML -> five matplotlib charts through pyplot with default settings, saved with
bbox_inches="tight" -> one Jinja template -> WeasyPrint. Writes brief.html and brief.pdf like
`briefgen render` does, with the same fonts (Inter by file URL) and a similar page.

    python bench/naive_pipeline.py specs/baba.yaml --out /tmp/naive [--charts svg|png]
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
from collections import Counter
from pathlib import Path

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import weasyprint
import yaml

FONTS = Path(__file__).resolve().parent.parent / "briefgen" / "fonts"

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ s.brief.title }}</title>
<meta name="author" content="{{ s.brief.author }}">
<style>
@font-face { font-family: Inter; src: url("{{ fonts }}/Inter-Regular.otf"); }
@font-face { font-family: Inter; font-weight: 700; src: url("{{ fonts }}/Inter-Bold.otf"); }
@font-face { font-family: Inter; font-weight: 600; src: url("{{ fonts }}/Inter-SemiBold.otf"); }
@font-face { font-family: Inter; font-style: italic; src: url("{{ fonts }}/Inter-Italic.otf"); }
@page { size: A4; margin: 20mm 15mm;
  @top-left { content: "{{ s.company.name }}"; font-size: 7pt; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 7pt; } }
body { font-family: Inter, sans-serif; font-size: 8.6pt; line-height: 1.42; color: #1b1f24; }
h1 { font-size: 19pt; color: #1f3a5f; } h2 { font-size: 10.5pt; color: #1f3a5f;
  border-top: 2px solid #1f3a5f; padding-top: 3pt; }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #ddd;
  padding: 2pt 4pt; text-align: left; } thead th { background: #f2f5f8; }
img { width: 100%; } .source { font-size: 7pt; color: #5b6675; }
.box { float: right; width: 60mm; background: #f2f5f8; padding: 6pt; margin-left: 6mm; }
</style></head><body>
<p>{{ s.company.name }} ·
{% for l in s.company.listings %}{{ l.exchange }}: {{ l.ticker }} {% endfor %}
· {{ s.brief.date }}</p>
<h1>{{ s.brief.title }}</h1>
<div class="box"><h2>Key data</h2><table>
<tr><th>Period</th><td>{{ s.period.fiscal_label }}</td></tr>
{% for seg in s.segments %}<tr><th>{{ seg.name }}</th>
<td>{{ seg.revenue.value }}{{ seg.revenue.unit }}</td></tr>{% endfor %}</table></div>
<p>{{ s.brief.summary }}</p>
<h2>Key points</h2><ul>{% for h in s.highlights %}<li>{{ h.title }}: {{ h.text }}</li>{% endfor %}
{% for r in s.risks %}<li>{{ r.title }}</li>{% endfor %}</ul>
{% for c in charts %}<h2>{{ c.title }}</h2><img src="{{ c.src }}" alt="{{ c.title }}">
<p class="source">Source: {{ s.sources[0].publisher }}</p>{% endfor %}
<h2>Results</h2><table><thead><tr><th>Segment</th><th>Revenue</th><th>y/y</th><th>Consensus</th>
</tr></thead><tbody>{% for seg in s.segments %}<tr><td>{{ seg.name }}</td>
<td>{{ seg.revenue.currency }} {{ seg.revenue.value }}{{ seg.revenue.unit }}</td>
<td>{{ seg.growth_yoy.value if seg.growth_yoy else "" }}%</td>
<td>{{ seg.consensus.growth_yoy.value if seg.consensus and seg.consensus.growth_yoy else "" }}</td>
</tr>{% endfor %}</tbody></table>
{% if s.infrastructure %}<h2>Infrastructure</h2><table><thead><tr><th>Site</th><th>Country</th>
<th>Region</th></tr></thead><tbody>{% for d in s.infrastructure.new_data_centres %}<tr>
<td>{{ d.place }}</td><td>{{ d.country }}</td><td>{{ d.region }}</td></tr>{% endfor %}
</tbody></table>{% endif %}
{% if s.market_reaction %}<h2>Market reaction</h2><table><tbody>{% for m in s.market_reaction %}
<tr><td>{{ m.listing }}</td><td>{{ m.date }}</td><td>{{ m.session }}</td><td>{{ m.move }}%</td></tr>
{% endfor %}</tbody></table>{% endif %}
{% for q in s.quotes %}<h2>Quote</h2><blockquote>{{ q.text }}</blockquote><p>{{ q.speaker }},
{{ q.role }}</p>{% endfor %}
{% for v in s.analyst_views %}<h2>Analyst view</h2><p>{{ v.text }} ({{ v.name }}, {{ v.firm }})</p>
{% endfor %}
<h2>Sources</h2><ol>{% for src in s.sources %}<li>{{ src.publisher }}, {{ src.title }},
{{ src.date }}</li>{% endfor %}</ol>
<h2>Disclaimer</h2><p>For information only. Not an offer to buy or sell securities.</p>
</body></html>"""


def chart(title: str, draw, kind: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    fig, ax = plt.subplots(figsize=(6.3, 2.8))
    draw(ax)
    ax.set_title(title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=kind, bbox_inches="tight")
    plt.close(fig)
    mime = "image/svg+xml" if kind == "svg" else "image/png"
    return {"title": title,
            "src": f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode()}"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--charts", choices=["svg", "png"], default="svg")
    args = parser.parse_args()
    spec = yaml.safe_load(args.spec.read_text())
    folder = args.spec.parent
    head = spec["segments"][0]
    history = head.get("history", {})
    if "csv" in history:
        with open(folder / history["csv"]) as handle:
            rows = list(csv.DictReader(handle))
    else:
        rows = [{k: str(v) for k, v in q.items()} for q in history.get("quarters", [])]
    labels = [r["quarter_end"][:7] for r in rows]

    def revenue(ax) -> None:  # type: ignore[no-untyped-def]
        ax.bar(labels, [float(r["revenue"]) for r in rows])
        ax.twinx().plot(labels, [float(r["growth_yoy"] or 0) for r in rows], marker="o",
                        color="orange")

    def consensus(ax) -> None:  # type: ignore[no-untyped-def]
        actual = head["growth_yoy"]["value"]
        expected = (head.get("consensus") or {}).get("growth_yoy", {}).get("value", 0)
        ax.barh(["actual", "consensus"], [actual, expected])

    def capex(ax) -> None:  # type: ignore[no-untyped-def]
        plan = spec.get("capex") or {}
        ax.barh(["plan", "invested"], [plan.get("plan_total", {}).get("value", 0),
                                       plan.get("invested_trailing_4q", {}).get("value", 0)])

    def infrastructure(ax) -> None:  # type: ignore[no-untyped-def]
        sites = Counter(d["region"] for d in (spec.get("infrastructure") or {}).get(
            "new_data_centres", []))
        ax.barh(list(sites), list(sites.values()))

    def market(ax) -> None:  # type: ignore[no-untyped-def]
        moves = spec.get("market_reaction", [])
        ax.barh([str(m["listing"]) for m in moves], [m["move"] for m in moves])

    charts = [chart(title, draw, args.charts) for title, draw in [
        ("Cloud revenue by quarter", revenue), ("Growth against consensus", consensus),
        ("Capex against plan", capex), ("New data centres by region", infrastructure),
        ("Share price reaction", market)]]
    html = jinja2.Environment(autoescape=True).from_string(TEMPLATE).render(
        s=spec, charts=charts, fonts=FONTS.as_uri())
    target = args.out / "naive"
    target.mkdir(parents=True, exist_ok=True)
    (target / "brief.html").write_text(html)
    weasyprint.HTML(string=html, base_url=str(folder)).write_pdf(target / "brief.pdf")


if __name__ == "__main__":
    main()
