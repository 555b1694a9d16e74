"""Prices for IMC action counts and the area of an IMC accelerator, read from its spec."""

from __future__ import annotations

from hwsim.sim.blocks.ternary_adder import micro_op_energy_pj
from hwsim.spec.enums import MICRO_OP_ACTION
from hwsim.spec.imc import ImcSpec


def energy_table_pj(spec: ImcSpec) -> dict[str, float]:
    """pJ per counted action: micro-ops per column-bit, cells, bits, weights."""
    table = {MICRO_OP_ACTION[op]: e for op, e in micro_op_energy_pj(spec.sense_amp).items()}
    table["subarray.row_write"] = spec.subarray.cell.write_energy_pj
    table["subarray.row_read"] = spec.subarray.cell.read_energy_pj
    table["interconnect.transfer"] = spec.interconnect.energy_pj_per_bit
    table["weight_buffer.read"] = spec.weight_buffer.read_energy_pj_per_bit
    table["skip_unit.scan"] = spec.skip_unit.scan_energy_pj_per_weight
    if spec.vector_unit is not None:  # only a design with a vector unit pays its import
        from hwsim.cost.vector import vector_energy_table_pj

        table.update(vector_energy_table_pj(spec.vector_unit))
    return table


def area_breakdown_um2(spec: ImcSpec) -> dict[str, float]:
    """Area by component for the whole accelerator."""
    sub = spec.subarray
    n = spec.subarrays
    return {
        "cells": n * sub.rows * sub.cols * sub.cell.area_um2,
        "sense_amps": n * sub.cols * spec.sense_amp.area_um2,
        "subarray_periphery": n * sub.peripheral_area_um2,
        "skip_units": n * spec.skip_unit.area_um2,
    }
