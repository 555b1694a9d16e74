"""Headline metrics of a report, computed by hand."""

from __future__ import annotations

import math

import pytest

from hwsim.dse.metrics import Goal, Metric, headline_metrics, parse_metric


def _report(**total_extra):
    return {"total": {"cycles": 40, "latency_s": 2e-6, "energy_pj": 300.0, "area_mm2": 1.5, "power_w": 0.1,
                      **total_extra},
            "layers": [{"cycles": 10, "utilization": 1.0}, {"cycles": 30, "utilization": 0.2}],
            "workload": {"weight_sparsity_measured": 0.75}}


def test_metrics_by_hand():
    m = headline_metrics(_report())
    assert m[Metric.UTILIZATION] == pytest.approx((10 * 1.0 + 30 * 0.2) / 40)
    assert m[Metric.EDP_PJ_S] == pytest.approx(300.0 * 2e-6)
    assert m[Metric.WEIGHT_DENSITY] == pytest.approx(0.25)
    assert math.isnan(m[Metric.ACCURACY])
    assert headline_metrics(_report(accuracy=0.93))[Metric.ACCURACY] == 0.93
    fpga = headline_metrics(_report(lut_used=2000, dsp_used=64))
    assert (fpga[Metric.LUT_USED], fpga[Metric.DSP_USED]) == (2000.0, 64.0)
    assert math.isnan(m[Metric.LUT_USED])


def test_aliases_and_directions():
    assert parse_metric("accuracy-proxy") is Metric.WEIGHT_DENSITY
    assert parse_metric(" Latency ") is Metric.LATENCY_S
    assert Metric.ACCURACY.better is Goal.MAXIMIZE and Metric.ENERGY_PJ.better is Goal.MINIMIZE
    with pytest.raises(ValueError, match=r"^unknown metric 'speed' \(expected one of latency_s, "):
        parse_metric("speed")
