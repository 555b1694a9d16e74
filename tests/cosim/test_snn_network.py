"""The trained snn-digits-mt network end to end on the RTL (Icarus): its hidden layer's core, whose
emitted spikes feed the integrating readout's core; every spike, membrane and step cycle count
checked against hwsim, and the predictions equal to the functional model's."""

from __future__ import annotations

import numpy as np

from hwsim.func.lif import run_network
from hwsim.workload.zoo import load_network
from hwsim.testbench.tb_snn_network import run_network_rtl

SAMPLES = 4
"""4 samples x T = 2 steps: about 1,100 fc1 cycles and 300 readout cycles, two short cocotb runs."""


def test_digits_mt_network_on_rtl_predicts_like_the_functional_model(build_root):
    run = run_network_rtl("snn-digits-mt", "icarus", samples=SAMPLES, build_root=build_root)
    net = load_network("snn-digits-mt")
    reference = run_network(net, net.test_inputs[:SAMPLES])
    assert run.passed and run.mismatches == 0
    assert [r.transactions for r in run.layers] == [SAMPLES * 2, SAMPLES * 2]
    assert np.array_equal(run.final_membranes, reference.final_membrane)
    assert np.array_equal(run.predictions, reference.predictions)
    assert len(set(run.predictions.tolist())) > 1  # different samples, different classes
