"""spiker-event is at least as fast as spiker on every image of spiker-mnist's test split (real MNIST)
and on the all-quiet and all-bright inputs, under both LFSR readings, on the same spike trains."""

from __future__ import annotations

import numpy as np
import pytest

from hwsim import api
from hwsim.func.lif import run_network
from hwsim.sim.snn.cycles import sample_cycles

STEPS, INPUTS, NEURONS = 3500, 784, 400
HOST = INPUTS + NEURONS        # one pixel written and one counter read per cycle


@pytest.fixture(scope="module")
def arches():
    return api.load_arch("spiker"), api.load_arch("spiker-event")


@pytest.mark.parametrize("reseed", [False, True])
def test_every_test_image_and_both_extremes(arches, reseed):
    net = api.load_network("spiker-mnist", overrides={"encoding.reseed_per_sample": reseed})
    assert len(net.test_inputs) == 1000
    quiet = np.zeros((1, *net.test_inputs.shape[1:]), net.test_inputs.dtype)
    bright = np.full_like(quiet, 255)
    inputs = np.concatenate([net.test_inputs, quiet, bright])
    run = run_network(net, inputs)
    base, event = (sample_cycles(net, arch, run) for arch in arches)
    assert (event <= base).all(), np.flatnonzero(event > base)
    # quiet: 3500 empty steps of one cycle each on both cores, plus setup and the host
    assert base[-2] == event[-2] == 1 + STEPS + HOST
    # real digits: the event-driven core skips the silent inputs of every active step
    assert (base[:-2] > event[:-2]).all()
