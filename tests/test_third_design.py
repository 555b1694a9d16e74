"""A third IMC design described only in YAML runs through the same engine."""

from pathlib import Path

from hwsim import api
from hwsim.spec.enums import DataMapping

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sram-bitserial-imc.yaml"


def test_example_design_loads_and_simulates():
    arch = api.load_arch(str(EXAMPLE))
    assert arch.name == "sram-bitserial"
    assert arch.data_mapping is DataMapping.INPUT_STATIONARY
    net = api.load_network("mlp", weight_sparsity=0.5)
    report = api.simulate(net, arch)
    assert report.arch == "sram-bitserial"
    assert report.total.cycles > 0 and report.total.energy_pj > 0
    assert all("input_stationary" in layer.mapping for layer in report.layers)


def test_every_data_mapping_runs_and_skipping_pays_off():
    net = api.load_network("mlp", weight_sparsity=0.8)
    for mapping in DataMapping:
        arch = api.load_arch(str(EXAMPLE), overrides={"data_mapping": mapping.value})
        skip = api.simulate(net, arch).total.cycles
        dense = api.simulate(net, api.load_arch(str(EXAMPLE), overrides={
            "data_mapping": mapping.value, "skip_unit.zero_skip": False})).total.cycles
        assert skip < dense, mapping
