"""Pareto-front plots: a PNG (matplotlib) and an interactive HTML page (plotly).

Both take a :class:`ParetoData`, plain columns of numbers and labels, so they know nothing
about stores or sweeps.  Every point is drawn, coloured by design; the non-dominated ones are
drawn larger with a black edge and, for two objectives, joined by the staircase of the front.
With a third objective the colour shows it and the design is shown by the marker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from hwsim.report.atomic import OutputSet, write_bytes_atomic
from hwsim.report.plots import pyplot, save_figure
from hwsim.extras import require

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_PLOTLY_SYMBOLS = ("circle", "square", "triangle-up", "diamond", "triangle-down", "cross", "x", "star")
# Scatter3d knows fewer marker symbols.
_PLOTLY_SYMBOLS_3D = ("circle", "square", "diamond", "cross", "x", "circle-open", "square-open", "diamond-open")


@dataclass(frozen=True)
class ParetoData:
    """The points of a Pareto plot; every tuple has one entry per design point."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    z: tuple[float, ...] | None
    design: tuple[str, ...]
    key: tuple[str, ...]
    parameters: tuple[str, ...]
    on_front: tuple[bool, ...]
    x_label: str
    y_label: str
    z_label: str | None
    title: str
    x_maximized: bool = False

    def designs(self) -> list[str]:
        return list(dict.fromkeys(self.design))


def _wide(values: tuple[float, ...]) -> bool:
    """Log axes when the positive data spans more than a factor of 20."""
    positive = [v for v in values if v > 0]
    return bool(positive) and len(positive) == len(values) and max(positive) / min(positive) > 20


def write_pareto_png(data: ParetoData, path: Path, outputs: OutputSet | None = None) -> None:
    """Scatter of all points with the front highlighted, saved as a PNG."""
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(8.5, 6), constrained_layout=True)
    designs = data.designs()
    scalar = None
    for index, name in enumerate(designs):
        rows = [i for i, d in enumerate(data.design) if d == name]
        for front in (False, True):
            sel = [i for i in rows if data.on_front[i] == front]
            if not sel:
                continue
            style = dict(s=60 if front else 18, edgecolors="black" if front else "none", linewidths=0.9,
                         alpha=1.0 if front else 0.45, marker=_MARKERS[index % len(_MARKERS)] if data.z else "o",
                         zorder=3 if front else 2)
            xs, ys = [data.x[i] for i in sel], [data.y[i] for i in sel]
            if data.z is not None:
                scalar = ax.scatter(xs, ys, c=[data.z[i] for i in sel], cmap="viridis",
                                    vmin=min(data.z), vmax=max(data.z), label=None if front else name, **style)
            else:
                ax.scatter(xs, ys, color=f"C{index % 10}", label=name if not front else f"{name} (front)", **style)
    if data.z is None:
        stairs = sorted((data.x[i], data.y[i]) for i, f in enumerate(data.on_front) if f)
        if stairs:
            # The edge of the dominated region: flat then vertical when x is minimized.
            ax.step([p[0] for p in stairs], [p[1] for p in stairs], where="pre" if data.x_maximized else "post", color="black", lw=1,
                     zorder=1, label="Pareto front")
    elif scalar is not None:
        fig.colorbar(scalar, ax=ax, label=data.z_label)
    for axis, values in (("x", data.x), ("y", data.y)):
        if _wide(values):
            getattr(ax, f"set_{axis}scale")("log")
    ax.set_xlabel(data.x_label)
    ax.set_ylabel(data.y_label)
    front_n = sum(data.on_front)
    ax.set_title(f"{data.title}: {front_n} of {len(data.x)} points non-dominated")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8, loc="best")
    save_figure(fig, plt, path, outputs=outputs)


def write_pareto_html(data: ParetoData, path: Path, outputs: OutputSet | None = None) -> None:
    """An interactive plotly page (plotly.js embedded, so it opens offline).

    Hovering a point shows its design, key and parameters; the front is a separate trace
    that can be toggled in the legend.
    """
    require("plotly", "an interactive HTML plot")
    import plotly.graph_objects as go

    fig = go.Figure()
    three = data.z is not None
    for index, name in enumerate(data.designs()):
        for front in (False, True):
            sel = [i for i, d in enumerate(data.design) if d == name and data.on_front[i] == front]
            if not sel:
                continue
            # Plain lists, not numpy arrays: plotly would encode arrays as base64 blobs, and the
            # page should carry the numbers readably.
            custom = [[data.design[i], data.key[i], data.parameters[i]] for i in sel]
            symbols = _PLOTLY_SYMBOLS_3D if three else _PLOTLY_SYMBOLS
            marker = dict(size=9 if front else 5, symbol=symbols[index % len(symbols)],
                          line=dict(width=1.2 if front else 0, color="black"), opacity=1.0 if front else 0.5)
            common = dict(x=[data.x[i] for i in sel], y=[data.y[i] for i in sel], mode="markers",
                          name=f"{name} (front)" if front else name, customdata=custom, marker=marker,
                          hovertemplate=_hover(data, three))
            if three:
                fig.add_trace(go.Scatter3d(z=[data.z[i] for i in sel], **common))
            else:
                fig.add_trace(go.Scatter(**common))
    if three:
        fig.update_layout(scene=dict(xaxis_title=data.x_label, yaxis_title=data.y_label, zaxis_title=data.z_label))
    else:
        fig.update_layout(xaxis_title=data.x_label, yaxis_title=data.y_label)
        for axis, values in (("x", data.x), ("y", data.y)):
            if _wide(values):
                fig.update_layout(**{f"{axis}axis_type": "log"})
    fig.update_layout(title=f"{data.title}: {sum(data.on_front)} of {len(data.x)} points non-dominated",
                      template="plotly_white", height=650)
    html = fig.to_html(include_plotlyjs=True, full_html=True, div_id="hwsim-pareto")
    # A machine-readable copy of the points for scripts and tests that read the page.
    table = json.dumps([{"key": k, "design": d, "x": x, "y": y, **({"z": data.z[i]} if three else {}),
                         "front": f} for i, (k, d, x, y, f) in
                        enumerate(zip(data.key, data.design, data.x, data.y, data.on_front))])
    html = html.replace("</body>", f'<script type="application/json" id="hwsim-points">{table}</script>\n</body>')
    if outputs is not None:
        outputs.add(path, html)
    else:
        write_bytes_atomic(path, html)


def _hover(data: ParetoData, three: bool) -> str:
    lines = ["<b>%{customdata[0]}</b>", "key %{customdata[1]}", "%{customdata[2]}",
             f"{data.x_label}: %{{x:.4g}}", f"{data.y_label}: %{{y:.4g}}"]
    if three:
        lines.append(f"{data.z_label}: %{{z:.4g}}")
    return "<br>".join(lines) + "<extra></extra>"

