"""One addition in one column: the sense-amplifier-level view FAT's paper reports.

Latency comes from the micro-op sequence (``ternary_adder.addition_cycles``), energy from the
same micro-op energies the layer engine is priced with, area from the sense amplifier's.
"""

from __future__ import annotations

from dataclasses import dataclass

from hwsim.sim.blocks.ternary_adder import addition_action_counts, addition_cycles, micro_op_energy_pj
from hwsim.spec.imc import ImcSpec
from hwsim.units import cycles_to_seconds, power_w


@dataclass(frozen=True)
class SaAddition:
    """Cost of one ``width_bits`` addition in one column of ``arch``."""

    arch: str
    width_bits: int
    cycles: int
    latency_s: float
    energy_pj: float
    power_w: float
    sa_area_um2: float


def sa_addition(spec: ImcSpec, width_bits: int) -> SaAddition:
    cycles = addition_cycles(spec.sense_amp, width_bits)
    prices = micro_op_energy_pj(spec.sense_amp)
    energy = sum(n * prices[op] for op, n in addition_action_counts(spec.sense_amp, width_bits).items())
    latency = cycles_to_seconds(cycles, spec.clock_mhz)
    return SaAddition(spec.name, width_bits, cycles, latency, energy, power_w(energy, latency), spec.sense_amp.area_um2)


@dataclass(frozen=True)
class SaRatios:
    """``ours`` over ``baseline`` at SA level: speedup, power and area efficiency.

    Power and area efficiency are read as in the FAT paper's abstract: the baseline's SA power
    (area) over ours, at each design's own speed.  Energy per addition then improves by
    ``speedup * power_efficiency``.
    """

    speedup: float
    power_efficiency: float
    area_efficiency: float
    energy_efficiency: float


def sa_ratios(ours: SaAddition, baseline: SaAddition) -> SaRatios:
    return SaRatios(
        speedup=baseline.latency_s / ours.latency_s,
        power_efficiency=baseline.power_w / ours.power_w,
        area_efficiency=baseline.sa_area_um2 / ours.sa_area_um2,
        energy_efficiency=baseline.energy_pj / ours.energy_pj,
    )
