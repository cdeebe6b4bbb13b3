"""Inline SVG charts for report.html, drawn as plain strings (no plotting library).

Each chart is `<svg class="chart" id=... role="img" aria-label=...>`; the data marks (bars,
lines, error bars) carry class "mark" so the report's self-check can count what was drawn.
Every text that reaches the SVG goes through `esc`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

FONT_WIDTH = 6.6  # rough width of a 12px sans-serif character, for laying out legends


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def num(value: float | None, digits: int = 4) -> str:
    """A number for people: 0.8312, 12.35, 1,235; None is a dash. Safe in HTML."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return esc(value)
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return "∞" if value > 0 else "−∞" if value < 0 else "NaN"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:.{digits}g}"
    return text if "e" not in text else f"{value:.{digits}f}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi], about `count` of them."""
    if hi < lo:
        lo, hi = hi, lo
    if hi - lo < 1e-12:
        pad = abs(hi) * 0.5 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    n = round((last - first) / step)
    return [round(first + i * step, 10) for i in range(n + 1)]


def _tick(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else num(value, 3)


def _open(chart_id: str, width: float, height: float, label: str) -> str:
    return (
        f'<svg class="chart" id="{esc(chart_id)}" role="img" aria-label="{esc(label)}" '
        f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{esc(label)}</title>'
    )


def _legend(items: Sequence[tuple[str, str]], x: float, y: float, line: bool = False) -> list[str]:
    """Swatches with labels in a row starting at (x, y): items are (label, colour)."""
    out = []
    for text, colour in items:
        if line:
            out.append(f'<line x1="{x:g}" y1="{y:g}" x2="{x + 18:g}" y2="{y:g}" stroke="{colour}" stroke-width="3"/>')
        else:
            out.append(f'<rect x="{x:g}" y="{y - 6:g}" width="12" height="12" rx="2" fill="{colour}"/>')
        offset = 24 if line else 17
        out.append(f'<text x="{x + offset:g}" y="{y + 4:g}">{esc(text)}</text>')
        x += offset + len(text) * FONT_WIDTH + 18
    return out


def bar_chart(chart_id: str, groups: Sequence[str], series: Sequence[tuple[str, str, str]],
              values: dict[tuple[str, str], float | None], *, label: str) -> str:
    """Grouped bars on a 0..1 scale: one group per name in `groups`, one bar per series
    (key, legend label, colour); values[(group, key)] is the bar's height, None a gap."""
    bar, gap, pad, plot_h = 30, 5, 30, 220
    left, top, bottom = 46, 44, 46
    group_w = max(len(series) * (bar + gap) - gap + pad, max((len(g) for g in groups), default=0) * FONT_WIDTH + 12)
    width = max(left + len(groups) * group_w + 12, 420)
    height = top + plot_h + bottom
    out = [_open(chart_id, width, height, label)]
    out += _legend([(name, colour) for _key, name, colour in series], left, 16)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_h * (1 - tick)
        out.append(f'<line class="grid" x1="{left:g}" y1="{y:g}" x2="{width - 8:g}" y2="{y:g}"/>')
        out.append(f'<text class="tick" x="{left - 6:g}" y="{y + 4:g}" text-anchor="end">{_tick(tick)}</text>')
    for g, group in enumerate(groups):
        x0 = left + g * group_w + (group_w - (len(series) * (bar + gap) - gap)) / 2
        for s, (key, name, colour) in enumerate(series):
            x = x0 + s * (bar + gap)
            value = values.get((group, key))
            if value is None:
                out.append(f'<text class="na" x="{x + bar / 2:g}" y="{top + plot_h - 4:g}" '
                           f'text-anchor="middle">n/a</text>')
                continue
            h = plot_h * min(max(value, 0.0), 1.0)
            y = top + plot_h - h
            out.append(
                f'<rect class="mark bar" data-group="{esc(group)}" data-series="{esc(key)}" data-value="{esc(value)}" '
                f'x="{x:g}" y="{y:.2f}" width="{bar}" height="{h:.2f}" fill="{colour}">'
                f"<title>{esc(name)} {esc(group)}: {num(value)}</title></rect>"
            )
            out.append(f'<text class="value" x="{x + bar / 2:g}" y="{y - 5:.2f}" text-anchor="middle">'
                       f"{value:.2f}</text>")
        cx = left + g * group_w + group_w / 2
        out.append(f'<text class="group" x="{cx:g}" y="{top + plot_h + 22:g}" text-anchor="middle">{esc(group)}</text>')
    out.append(f'<line class="axis" x1="{left:g}" y1="{top + plot_h:g}" x2="{width - 8:g}" y2="{top + plot_h:g}"/>')
    out.append("</svg>")
    return "".join(out)


def line_chart(chart_id: str, series: Sequence[tuple[str, str, Sequence[tuple[float, float]]]], *,
               label: str, x_label: str, y_label: str, marker: tuple[float, str] | None = None) -> str:
    """Lines of (x, y) points, one per (legend label, colour, points); `marker` draws a
    dashed vertical line at x with a caption (the best checkpoint)."""
    width, height = 760, 320
    left, right, top, bottom = 62, 18, 40, 48
    xs = [x for _, _, pts in series for x, _ in pts] + ([marker[0]] if marker else [])
    ys = [y for _, _, pts in series for _, y in pts]
    x_ticks = nice_ticks(min(0.0, min(xs)), max(xs), 6)
    y_ticks = nice_ticks(min(ys), max(ys), 5)
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + plot_w * (x - x_ticks[0]) / (x_ticks[-1] - x_ticks[0])

    def py(y: float) -> float:
        return top + plot_h * (1 - (y - y_ticks[0]) / (y_ticks[-1] - y_ticks[0]))

    out = [_open(chart_id, width, height, label)]
    out += _legend([(name, colour) for name, colour, _ in series], left, 16, line=True)
    for t in y_ticks:
        out.append(f'<line class="grid" x1="{left:g}" y1="{py(t):.2f}" x2="{width - right:g}" y2="{py(t):.2f}"/>')
        out.append(f'<text class="tick" x="{left - 6:g}" y="{py(t) + 4:.2f}" text-anchor="end">{_tick(t)}</text>')
    base = top + plot_h
    for t in x_ticks:
        out.append(f'<line class="axis" x1="{px(t):.2f}" y1="{base:g}" x2="{px(t):.2f}" y2="{base + 4:g}"/>')
        out.append(f'<text class="tick" x="{px(t):.2f}" y="{base + 17:g}" text-anchor="middle">{_tick(t)}</text>')
    out.append(f'<line class="axis" x1="{left:g}" y1="{top + plot_h:g}" x2="{width - right:g}" y2="{top + plot_h:g}"/>')
    out.append(f'<line class="axis" x1="{left:g}" y1="{top:g}" x2="{left:g}" y2="{top + plot_h:g}"/>')
    out.append(f'<text class="axis-label" x="{left + plot_w / 2:g}" y="{height - 8:g}" text-anchor="middle">'
               f"{esc(x_label)}</text>")
    out.append(f'<text class="axis-label" transform="translate(14 {top + plot_h / 2:g}) rotate(-90)" '
               f'text-anchor="middle">{esc(y_label)}</text>')
    if marker:
        x = px(marker[0])
        out.append(f'<line class="marker" x1="{x:.2f}" y1="{top:g}" x2="{x:.2f}" y2="{top + plot_h:g}"/>')
        out.append(f'<text class="marker-label" x="{x - 4:.2f}" y="{top + 12:g}" text-anchor="end">'
                   f"{esc(marker[1])}</text>")
    for name, colour, pts in series:
        title = f"<title>{esc(name)}</title>"
        if len(pts) == 1:
            (x, y), = pts
            out.append(f'<circle class="mark" data-series="{esc(name)}" cx="{px(x):.2f}" cy="{py(y):.2f}" r="4" '
                       f'fill="{colour}">{title}</circle>')
            continue
        coords = " ".join(f"{px(x):.2f},{py(y):.2f}" for x, y in pts)
        out.append(f'<polyline class="mark line" data-series="{esc(name)}" points="{coords}" fill="none" '
                   f'stroke="{colour}" stroke-width="2.2" stroke-linejoin="round">{title}</polyline>')
        if len(pts) <= 40:
            out += [f'<circle cx="{px(x):.2f}" cy="{py(y):.2f}" r="2.6" fill="{colour}"/>' for x, y in pts]
    out.append("</svg>")
    return "".join(out)


def interval_bar(chart_id: str, value: float, low: float, high: float, *, label: str, colour: str,
                 caption: str) -> str:
    """A horizontal 0..1 bar for `value` with an error bar from `low` to `high` and a
    dashed line at 0.5 (parity)."""
    width, height = 640, 96
    left, right, top, bar_h = 20, 20, 30, 26
    plot_w = width - left - right

    def px(x: float) -> float:
        return left + plot_w * min(max(x, 0.0), 1.0)

    out = [_open(chart_id, width, height, label)]
    mid = top + bar_h / 2
    out.append(f'<rect class="track" x="{left}" y="{top}" width="{plot_w}" height="{bar_h}" rx="3"/>')
    out.append(f'<rect class="mark bar" data-value="{esc(value)}" x="{left}" y="{top}" width="{px(value) - left:.2f}" '
               f'height="{bar_h}" rx="3" fill="{colour}"><title>{esc(caption)}</title></rect>')
    out.append(f'<line class="marker" x1="{px(0.5):.2f}" y1="{top - 6}" x2="{px(0.5):.2f}" y2="{top + bar_h + 6}"/>')
    if abs(value - 0.5) > 0.1:  # the value's label would cover it
        out.append(f'<text class="marker-label" x="{px(0.5):.2f}" y="{top - 10}" text-anchor="middle">parity</text>')
    out.append(f'<text class="value" x="{px(value):.2f}" y="{top - 9}" text-anchor="middle">{value:.2f}</text>')
    lo, hi = px(low), px(high)
    out.append(f'<path class="mark errorbar" data-low="{esc(low)}" data-high="{esc(high)}" '
               f'd="M{lo:.2f},{mid:g}H{hi:.2f}M{lo:.2f},{mid - 8:g}V{mid + 8:g}M{hi:.2f},{mid - 8:g}V{mid + 8:g}">'
               f"<title>95% CI {num(low, 3)} to {num(high, 3)}</title></path>")
    for t in (0, 0.25, 0.5, 0.75, 1):
        out.append(f'<text class="tick" x="{px(t):.2f}" y="{top + bar_h + 22}" text-anchor="middle">{_tick(t)}</text>')
    out.append("</svg>")
    return "".join(out)
