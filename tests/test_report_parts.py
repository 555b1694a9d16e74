"""Reports people read: totals are the sum of the rows shown (every family), action counts and the
energy breakdown in JSON and CSV, SI units in tables (raw units in files), ratios in words."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re

import pytest

from hwsim import api
from hwsim.report import files
from hwsim.report.compare import compare
from hwsim.report.si import ratio_words, si
from hwsim.report.tables import comparison_summary, comparison_table, report_table, totals_table
from hwsim.report.text_table import render

# One run per family: (model, arch, family).
FAMILIES = [("mlp", "fat", "imc"), ("mlp", "systolic-32x32-ws", "systolic"), ("snn-digits", "snn-fpga", "snn"),
            ("tiny-encoder", "sparse-attn-fpga", "attention"), ("tiny-encoder", "gpu-v100", "roofline")]
REL = 1e-9


@pytest.fixture(scope="module", params=FAMILIES, ids=[f[2] for f in FAMILIES])
def report(request):
    model, arch, family = request.param
    result = api.simulate(model, arch)
    assert result.family == family
    return result


def _text(*tables) -> str:
    return "\n".join(render(table, width_chars=200) for table in tables)


def _parts(report):
    return [*report.layers, *([report.total.other] if report.total.other is not None else [])]


def test_totals_are_the_sum_of_the_rows(report):
    t, parts = report.total, _parts(report)
    assert t.cycles == sum(p.cycles for p in parts)
    assert t.latency_s == pytest.approx(sum(p.latency_s for p in parts), rel=REL)
    assert t.energy_pj == pytest.approx(sum(p.energy_pj for p in parts), rel=REL)
    assert t.energy_pj == pytest.approx(sum(t.energy_breakdown_pj.values()), rel=REL)
    assert t.macs == sum(layer.macs for layer in report.layers)
    for name in ("energy_breakdown_pj", "action_counts"):
        summed = {}
        for part in parts:
            for key, value in getattr(part, name).items():
                summed[key] = summed.get(key, 0) + value
        assert getattr(t, name).keys() == summed.keys(), name
        for key, value in summed.items():
            assert getattr(t, name)[key] == pytest.approx(value, rel=REL), (name, key)


def test_what_no_layer_owns_is_shown_with_its_reason(report):
    other = report.total.other
    if report.family in ("snn", "attention"):  # static power (and an SNN's host I/O) belong to no layer
        assert other is not None and other.reason and other.energy_pj > 0
        assert "(other)" in _text(report_table(report))
        assert report.to_dict()["total"]["other"]["reason"] == other.reason
    else:
        assert other is None and report.to_dict()["total"]["other"] is None


def test_action_counts_price_to_the_energy_breakdown(report):
    prices: dict[str, float] = {}
    for part in _parts(report):
        assert part.action_counts.keys() == part.energy_breakdown_pj.keys(), getattr(part, "name", "(other)")
        for key, count in part.action_counts.items():
            price = part.energy_breakdown_pj[key] / count
            assert price == pytest.approx(prices.setdefault(key, price), rel=REL), key  # one price per action
    layer = report.to_dict()["layers"][0]
    assert layer["action_counts"] and set(layer["action_counts"]) == set(layer["energy_breakdown_pj"])


def test_csv_rows_add_up_to_the_json_totals(report):
    rows = list(csv.DictReader(io.StringIO(files.report_csv(report))))
    total = report.to_dict()["total"]
    assert [r["layer"] for r in rows] == [layer.name for layer in report.layers] + (
        ["(other)"] if report.total.other is not None else [])
    assert sum(int(r["cycles"]) for r in rows) == total["cycles"]
    for column, expected in [("latency_s", total["latency_s"]), ("energy_pj", total["energy_pj"]),
                             *((f"energy_pj.{k}", v) for k, v in total["energy_breakdown_pj"].items()),
                             *((f"count.{k}", v) for k, v in total["action_counts"].items())]:
        assert sum(float(r[column] or 0) for r in rows) == pytest.approx(expected, rel=REL), column


def test_tables_use_si_units_and_files_raw_units(report):
    text = _text(report_table(report), totals_table(report))
    assert re.search(r"\d (p|n|u|m|k|M|)J\b", text) and re.search(r"\d (n|u|m|)s\b", text)
    assert not re.search(r"\d{5,}\.\d", text)  # no 42367199.506: scaled numbers have at most 3 digits before the point
    payload = report.to_dict()
    assert payload["total"]["energy_pj"] == report.total.energy_pj and payload["total"]["latency_s"] == report.total.latency_s
    assert "energy_pj" in files.report_csv(report).splitlines()[0].split(",")


@pytest.mark.parametrize("value, unit, text", [
    (42.367199506, "J", "42.4 J"), (0.0031, "s", "3.1 ms"), (42367199.506e-12, "J", "42.4 uJ"), (999.96, "s", "1 ks"),
    (0.0, "J", "0 J"), (1.5e-13, "J", "150 fJ"), (-0.002, "W", "-2 mW"), (123456.0, "W", "123 kW"),
])
def test_si_prefixes(value, unit, text):
    assert si(value, unit) == text


def test_a_large_energy_reads_in_joules():
    report = api.simulate("mlp", "fat")
    big = dataclasses.replace(report, total=dataclasses.replace(report.total, energy_pj=42.367199506e12,
                                                                 latency_s=0.0031))
    text = _text(totals_table(big))
    assert "42.4 J" in text and "3.1 ms" in text


@pytest.mark.parametrize("ratio, text", [(3.1, "3.1x less power"), (1 / 0.32, "3.12x less power"),
                                         (0.32, "3.12x more power"), (1.001, "same"), (math.inf, "n/a")])
def test_ratios_are_worded_the_right_way_round(ratio, text):
    assert ratio_words(ratio, "less power", "more power") == text


def test_comparison_never_says_a_fraction_x():
    worse, better = api.simulate("mlp", "parapim"), api.simulate("mlp", "fat")
    for ours, baseline in ((worse, better), (better, worse)):
        text = _text(comparison_table(compare(ours, baseline)), comparison_summary(compare(ours, baseline)))
        assert not re.search(r"\b0\.\d+x", text), text
        assert ("x slower" in text) == (ours is worse) and ("x faster" in text) == (ours is better)
        assert "lower power" not in text and "energy eff." not in text


def test_html_report_and_notebook_view_use_si_units_and_show_the_other_part(report):
    from hwsim.report.html import report_html

    page, view = report_html(report.to_dict()), report._repr_html_()
    for text in (page, view):
        assert re.search(r"\d (p|n|u|m|k|M|)J<", text) and "µJ" not in text
        assert ("(other)" in text) == (report.total.other is not None)
