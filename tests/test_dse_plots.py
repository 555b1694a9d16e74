"""Pareto and run-report plots are written, non-trivial, and carry the data they show."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from hwsim.cli import main
from hwsim.dse.metrics import Metric
from hwsim.dse.store import ResultStore

from test_dse_support import MLP_SWEEP_POINTS, write_sweep


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plots")
    db = folder / "r.db"
    assert main(["sweep", str(write_sweep(folder)), "--out", str(db), "--workers", "1", "--no-progress"]) == 0
    return db


def _png_pixels(path):
    import matplotlib.image as mpimg

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return mpimg.imread(path)


def _page_points(path):
    match = re.search(r'<script type="application/json" id="hwsim-points">(.*?)</script>', path.read_text())
    return json.loads(match.group(1))


def test_pareto_prints_the_front_and_plots_every_point(store, capsys):
    png, page = store.parent / "front.png", store.parent / "front.html"
    assert main(["pareto", str(store), "--x", "latency", "--y", "energy", "--png", str(png), "--html", str(page)]) == 0
    out = capsys.readouterr().out
    with ResultStore(store) as s:
        feasible = [p for p in s.points(ok_only=True) if p.feasible]
    assert 0 < len(feasible) < MLP_SWEEP_POINTS
    points = _page_points(page)
    assert {p["key"] for p in points} == {p.key for p in feasible}
    by_key = {p.key: p for p in feasible}
    for p in points:
        assert p["x"] == by_key[p["key"]].metrics[Metric.LATENCY_S]
        assert p["y"] == by_key[p["key"]].metrics[Metric.ENERGY_PJ]
    front = [p for p in points if p["front"]]
    for p in front:  # every front point is printed with its key prefix
        assert p["key"][:12] in out
    assert re.search(rf"mlp: {len(front)} non-dominated of {len(points)} points", out)
    # plotly's figure data holds the x values as plain numbers, not base64 blobs
    figure = page.read_text().split("Plotly.newPlot(")[1].split('id="hwsim-points"')[0]
    assert '"bdata"' not in figure
    assert all(repr(p["x"]) in figure and repr(p["y"]) in figure for p in points)
    pixels = _png_pixels(png)
    assert pixels.shape[0] > 400 and pixels.shape[1] > 600
    assert np.std(pixels[..., :3]) > 0.05  # not a blank canvas
    assert out.rstrip().endswith(f"wrote {page}")


def test_three_objectives_and_defaults_from_the_sweep(store, capsys):
    assert main(["pareto", str(store), "--x", "latency", "--y", "energy", "--z", "area"]) == 0
    assert (store.parent / "r-pareto.png").stat().st_size > 10_000
    points = _page_points(store.parent / "r-pareto.html")
    assert all("z" in p for p in points)
    assert main(["pareto", str(store)]) == 0  # --x/--y from the sweep's objectives
    assert "latency (s) ↓" in capsys.readouterr().out


def test_unknown_metric_is_one_line(store, capsys):
    assert main(["pareto", str(store), "--x", "speed", "--y", "energy"]) == 2
    assert re.fullmatch(r"hwsim: error: pareto: unknown metric 'speed' \(expected one of .*\)\n",
                        capsys.readouterr().err)


def test_report_of_a_stored_point_and_of_a_json_file(store, tmp_path, capsys):
    with ResultStore(store) as s:
        key = next(s.points(ok_only=True)).key
        report = json.loads(s.report_json(key))
    page, png = tmp_path / "run.html", tmp_path / "run.png"
    assert main(["report", str(store), "--point", key[:10], "--html", str(page), "--png", str(png)]) == 0
    text = page.read_text()
    assert f"<td class=text>{key}</td>" in text  # the stored point's key and parameters head the page
    for layer in report["layers"]:
        assert f"<td>{layer['name']}</td>" in text
        assert layer["mapping"] in text
    for component in report["total"]["energy_breakdown_pj"]:
        assert component in text
    assert _png_pixels(png).shape[0] > 800
    (tmp_path / "r.json").write_text(json.dumps(report))
    for name in ("a.html", "b.html"):
        assert main(["report", str(tmp_path / "r.json"), "--html", str(tmp_path / name)]) == 0
    again = (tmp_path / "a.html").read_text()
    assert again == (tmp_path / "b.html").read_text()  # the same report gives the same page
    head = text.index("<table>")
    assert again == text[:head] + text[text.index("</table>", head) + len("</table>"):]


def test_report_refuses_other_json(tmp_path, capsys):
    path = tmp_path / "x.json"
    path.write_text('{"schema": "hwsim.compare/1"}')
    assert main(["report", str(path), "--html", str(tmp_path / "x.html")]) == 2
    assert capsys.readouterr().err == (f"hwsim: error: {path}: expected a 'hwsim.report/1' report (hwsim simulate "
                                       "--json), got schema 'hwsim.compare/1'\n")
