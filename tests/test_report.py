"""Count, then price: energy tables, priced layer reports, totals and the JSON/CSV forms."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from helpers import linear_layer, ternary, tiny_imc
from hwsim import api
from hwsim.cost.imc import area_breakdown_um2, energy_table_pj
from hwsim.cost.pricing import price_counts
from hwsim.cost.report import build_report
from hwsim.errors import HwsimError, SimulationError
from hwsim.report import atomic, files
from hwsim.report.model import SCHEMA
from hwsim.sim.imc.engine import simulate_layer


@pytest.fixture(scope="module")
def mlp_fat():
    net = api.load_network("mlp")
    return net, api.simulate(net, api.load_arch("fat"))


# --- pricing ---------------------------------------------------------------------------------


def test_price_counts_multiplies_counts_by_prices():
    got = price_counts({"a.x": 3, "b.y": 10, "c.z": 0}, {"a.x": 0.5, "b.y": 0.25, "c.z": 7.0, "d.w": 1.0})
    assert got == {"a.x": 1.5, "b.y": 2.5}  # zero counts and uncounted prices leave no entry


def test_price_counts_rejects_an_unpriced_action():
    with pytest.raises(SimulationError, match=r"^energy table has no price for action 'sense_amp\.sense'$"):
        price_counts({"sense_amp.sense": 4, "subarray.row_write": 1}, {"subarray.row_write": 0.1})


def test_unpriced_zero_count_is_still_an_error():
    with pytest.raises(SimulationError, match=r"'x\.y'"):
        price_counts({"x.y": 0}, {})


def test_fat_energy_table_comes_from_the_spec():
    table = energy_table_pj(api.load_arch("fat"))
    assert table == pytest.approx({
        "sense_amp.sense": 0.16, "sense_amp.latch_carry": 0.01, "subarray.write_sum": 0.15,
        "subarray.row_write": 0.15, "subarray.row_read": 0.08, "interconnect.transfer": 0.05,
        "weight_buffer.read": 0.156, "skip_unit.scan": 0.01,
    })


def test_parapim_energy_table_has_write_carry_and_no_latch():
    table = energy_table_pj(api.load_arch("parapim"))
    assert table["subarray.write_carry"] == pytest.approx(0.15)
    assert table["sense_amp.sense"] == pytest.approx(0.24)
    assert "sense_amp.latch_carry" not in table


def test_every_counted_action_has_a_price():
    for arch in ("fat", "parapim"):
        spec = tiny_imc(arch)
        st = simulate_layer(linear_layer(c=4, k=2), ternary([[1, 0, -1, 1], [0, 1, 0, 0]]), spec)
        assert set(st.counts) <= set(energy_table_pj(spec))


def test_fat_area_by_hand():
    area = area_breakdown_um2(api.load_arch("fat"))
    subarrays = 8 * 64
    assert area["cells"] == pytest.approx(subarrays * 512 * 256 * 0.0729)
    assert area["sense_amps"] == pytest.approx(subarrays * 256 * 5.4)
    assert area["subarray_periphery"] == pytest.approx(subarrays * 2000.0)
    assert area["skip_units"] == pytest.approx(subarrays * 300.0)


# --- a priced layer, by hand -----------------------------------------------------------------


def test_layer_energy_is_counts_times_prices():
    spec = tiny_imc("fat", data_mapping="weight_stationary")
    st = simulate_layer(linear_layer(c=4, k=2), ternary([[1, 0, -1, 1], [0, 1, 0, 0]]), spec)
    report = build_report(model="m", arch="fat", family="imc", clock_mhz=500.0, stats=[st],
                          energy_table_pj=energy_table_pj(spec), area_um2={"x": 2e6}, workload={})
    layer = report.layers[0]
    # counts from test_counting.test_skips_zero_weights: 60 bit positions, 64 cells loaded, 40 read
    assert layer.energy_breakdown_pj == pytest.approx({
        "sense_amp.sense": 60 * 0.16, "sense_amp.latch_carry": 60 * 0.01, "subarray.write_sum": 60 * 0.15,
        "subarray.row_write": 64 * 0.15, "subarray.row_read": 40 * 0.08, "interconnect.transfer": 104 * 0.05,
        "weight_buffer.read": 16 * 0.156, "skip_unit.scan": 8 * 0.01,
    })
    assert layer.energy_pj == pytest.approx(sum(layer.energy_breakdown_pj.values()))
    assert layer.cycles == 56
    assert layer.latency_s == pytest.approx(56 / 500e6)
    assert report.total.area_mm2 == pytest.approx(2.0)
    assert report.total.power_w == pytest.approx(layer.energy_pj * 1e-12 / layer.latency_s)


# --- the report of a network -----------------------------------------------------------------


def test_report_dict_has_the_documented_schema(mlp_fat):
    _, report = mlp_fat
    d = report.to_dict()
    assert d["schema"] == SCHEMA == "hwsim.report/1"
    assert d["model"] == "mlp" and d["arch"] == "fat"
    assert d["clock_mhz"] == 500.0
    assert {"cycles", "latency_s", "energy_pj", "energy_breakdown_pj", "area_mm2"} <= set(d["total"])
    assert [layer["name"] for layer in d["layers"]] == ["fc1", "fc2", "fc3"]
    for layer in d["layers"]:
        assert {"name", "cycles", "energy_pj", "utilization", "macs", "nonzero_weight_fraction"} <= set(layer)
        assert 0.0 < layer["utilization"] <= 1.0
    assert [layer["macs"] for layer in d["layers"]] == [784 * 256, 256 * 128, 128 * 10]
    assert json.loads(json.dumps(d)) == d  # plain JSON types only


def test_total_energy_is_the_sum_of_breakdown_and_of_layers(mlp_fat):
    _, report = mlp_fat
    t = report.total
    assert t.energy_pj > 0
    assert t.energy_pj == pytest.approx(sum(t.energy_breakdown_pj.values()), rel=1e-12)
    assert t.energy_pj == pytest.approx(sum(layer.energy_pj for layer in report.layers), rel=1e-12)
    for key, value in t.energy_breakdown_pj.items():
        assert value == pytest.approx(sum(layer.energy_breakdown_pj.get(key, 0.0) for layer in report.layers))


def test_latency_is_cycles_over_clock(mlp_fat):
    _, report = mlp_fat
    t = report.total
    assert t.cycles == sum(layer.cycles for layer in report.layers)
    assert t.latency_s == pytest.approx(t.cycles / (500.0 * 1e6), rel=1e-12)
    for layer in report.layers:
        assert layer.latency_s == pytest.approx(layer.cycles / 500e6, rel=1e-12)
        assert layer.cycles == layer.compute_cycles + layer.stall_cycles


def test_latency_follows_the_clock():
    net = api.load_network("mlp")
    slow = api.simulate(net, api.load_arch("fat", overrides={"clock_mhz": 250.0}))
    fast = api.simulate(net, api.load_arch("fat"))
    assert slow.total.cycles == fast.total.cycles
    assert slow.total.latency_s == pytest.approx(2 * fast.total.latency_s)
    assert slow.total.energy_pj == pytest.approx(fast.total.energy_pj)


def test_area_total_is_the_sum_of_its_breakdown(mlp_fat):
    _, report = mlp_fat
    t = report.total
    assert t.area_mm2 == pytest.approx(sum(t.area_breakdown_mm2.values()))
    assert t.area_mm2 == pytest.approx(sum(area_breakdown_um2(api.load_arch("fat")).values()) / 1e6)


def test_nonzero_fraction_is_measured_from_the_weights(mlp_fat):
    net, report = mlp_fat
    for layer in report.layers:
        w = net.weights[layer.name]
        assert layer.nonzero_weight_fraction == (w != 0).sum() / w.size
    assert report.workload["weight_sparsity_measured"] == net.weight_sparsity()
    assert report.workload["weight_sparsity_requested"] == 0.8


def test_sparser_weights_cost_less_on_fat_only():
    dense = api.load_network("mlp", weight_sparsity=0.0)
    sparse = api.load_network("mlp", weight_sparsity=0.8)
    fat, para = api.load_arch("fat"), api.load_arch("parapim")
    assert api.simulate(sparse, fat).total.energy_pj < api.simulate(dense, fat).total.energy_pj
    p_dense, p_sparse = api.simulate(dense, para), api.simulate(sparse, para)
    assert p_sparse.total.cycles == p_dense.total.cycles  # ParaPIM executes every weight


def test_comparison_ratios_are_baseline_over_ours(mlp_fat):
    net, ours = mlp_fat
    base = api.simulate(net, api.load_arch("parapim"))
    cmp = api.compare(ours, base)
    assert cmp.speedup == pytest.approx(base.total.latency_s / ours.total.latency_s)
    assert cmp.energy_efficiency == pytest.approx(base.total.energy_pj / ours.total.energy_pj)
    d = cmp.to_dict()
    assert d["schema"] == "hwsim.compare/1"
    assert set(d["reports"]) == {"fat", "parapim"}
    assert d["reports"]["parapim"]["schema"] == "hwsim.report/1"


def test_fpga_comparison_has_no_area_ratio_and_strict_json():
    # FPGA designs report LUT/DSP, not mm2: no ratio of two zero areas, no Infinity in the JSON
    net = api.load_network("tiny-encoder")
    cmp = api.compare(api.simulate(net, api.load_arch("sparse-attn-fpga")),
                      api.simulate(net, api.load_arch("dense-attn-fpga")))
    assert cmp.area_ratio is None and cmp.speedup > 1
    json.loads(json.dumps(cmp.to_dict(), allow_nan=False))


def test_comparing_different_networks_rejected(mlp_fat):
    _, ours = mlp_fat
    other = api.simulate(api.load_network("vgg16"), api.load_arch("parapim", overrides={"banks": 1}))
    with pytest.raises(HwsimError, match=r"^cannot compare reports of different networks \('mlp' vs 'vgg16'\)$"):
        api.compare(ours, other)


# --- files -----------------------------------------------------------------------------------


def test_csv_has_one_row_per_layer(mlp_fat):
    _, report = mlp_fat
    rows = list(csv.DictReader(io.StringIO(files.report_csv(report))))
    assert [r["layer"] for r in rows] == ["fc1", "fc2", "fc3"]
    assert [int(r["cycles"]) for r in rows] == [layer.cycles for layer in report.layers]
    assert all(r["arch"] == "fat" and r["model"] == "mlp" for r in rows)


def test_write_json_round_trips(tmp_path, mlp_fat):
    _, report = mlp_fat
    path = tmp_path / "sub" / "r.json"
    files.write_json(path, report.to_dict())
    assert json.loads(path.read_text()) == report.to_dict()
    assert sorted(p.name for p in path.parent.iterdir()) == ["r.json"]  # no temporary left behind
    umask = os.umask(0o022)
    try:
        files.write_json(tmp_path / "m.json", {})
    finally:
        os.umask(umask)
    assert (tmp_path / "m.json").stat().st_mode & 0o777 == 0o644  # an ordinary file, not 0600


def test_failed_atomic_write_leaves_no_temporary(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    target = tmp_path / "r.json"
    with pytest.raises(HwsimError, match=rf"^{tmp_path}/r\.json: cannot write \(Permission denied\)$"):
        files.write_json(target, {"a": 1})
    assert list(tmp_path.iterdir()) == []


def test_failed_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "r.json"
    target.write_text('{"old": true}\n')

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(HwsimError):
        files.write_json(target, {"new": True})
    assert json.loads(target.read_text()) == {"old": True}


def test_snn_totals_table_shows_accuracy_and_fpga_resources():
    from hwsim.report.tables import totals_table
    from hwsim.report.text_table import render

    report = api.simulate(api.load_network("snn-digits-mt"), api.load_arch("snn-fpga"))
    text = render(totals_table(report), width_chars=120)
    acc = report.total.extra["accuracy"]
    assert f"{100 * acc:.2f} % of {report.total.extra['samples']} samples" in text
    assert "FPGA LUT" in text and f"{report.total.extra['fpga_resources']['lut']:,}" in text
    assert "mm2" not in text  # an FPGA design has no silicon area
