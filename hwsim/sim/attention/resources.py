"""FPGA resources a workload needs on an attention accelerator, checked against the device.

DSPs and LUTs are fixed by the spec (checked when it is loaded); block RAM depends on the
workload: the activations of every sequence of a batch stay on chip between layers, and each
stage keeps ``memory.buffered_copies`` working buffers of its widest tensor.  The top-k
units' registers must hold the widest approximate score for the model's head size.
"""

from __future__ import annotations

from hwsim.errors import SimulationError
from hwsim.sim.attention.topk_unit import score_bits_needed
from hwsim.spec.attention import AttentionSpec, PadTo, Scheduling
from hwsim.workload.transformer import TransformerWorkload


def check_resources(workload: TransformerWorkload, arch: AttentionSpec) -> dict[str, float]:
    """Resource use and utilisation; raises SimulationError when the FPGA is too small."""
    if arch.topk_unit is not None:
        needed = score_bits_needed(workload.head_dim, workload.qk_bits)
        if arch.topk_unit.score_bits < needed:
            raise SimulationError(
                f"topk_unit.score_bits = {arch.topk_unit.score_bits} of arch '{arch.name}' cannot hold the scores of "
                f"D = {workload.head_dim} with {workload.qk_bits}-bit Q and K (needs {needed} bits)"
            )
    sched = arch.scheduling
    longest = workload.max_len if (sched.mode is Scheduling.PADDED and sched.pad_to is PadTo.MODEL_MAX) \
        else int(workload.lengths.max())
    act_bytes = workload.act_bits / 8
    in_flight = min(sched.batch_sequences, workload.batch) * longest * workload.d_model
    working = arch.memory.buffered_copies * longest * max(3 * workload.d_model, workload.d_ff)
    bram = int(-(-(in_flight + working) * act_bytes // arch.memory.activation_bytes_per_bram36))
    if bram > arch.fpga.bram36:
        raise SimulationError(
            f"scheduling.batch_sequences = {sched.batch_sequences} of arch '{arch.name}': sequences of up to {longest} "
            f"tokens need {bram} BRAM36 for activations, {arch.fpga.part} has {arch.fpga.bram36}"
        )
    return {
        "dsp_used": arch.dsp_pool.dsp,
        "lut_used": arch.luts_used,
        "bram36_used": bram,
        "dsp_utilization": arch.dsp_pool.dsp / arch.fpga.dsp,
        "lut_utilization": arch.luts_used / arch.fpga.lut,
        "bram_utilization": bram / arch.fpga.bram36,
    }
