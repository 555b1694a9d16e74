"""The registry of RTL blocks: block name -> ``"module:attribute"`` of its :class:`RtlBlock`.

A block registers itself with ONE line in :data:`RTL_BLOCKS`; everything else (Verilog
export, cocotb runs, area, CLI) finds it there.  Modules are imported only when used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from hwsim.plugins import load_object
from hwsim.rtlflow import RtlError
from hwsim.spec.enums import Family

RTL_BLOCKS: dict[str, str] = {
    "ternary_adder": "hwsim.rtl.ternary_adder:BLOCK",
    "topk_unit": "hwsim.rtl.topk_unit:BLOCK",
    "lut_score_unit": "hwsim.rtl.lut_score_unit:BLOCK",
    "sparse_skip": "hwsim.rtl.sparse_skip:BLOCK",
    "ternary_dot_engine": "hwsim.rtl.ternary_dot_engine:BLOCK",
    "lif_neuron": "hwsim.rtl.lif_neuron:BLOCK",
    "snn_core": "hwsim.rtl.snn_core:BLOCK",
    "systolic_array": "hwsim.rtl.systolic_array:BLOCK",
    "attention_engine": "hwsim.rtl.attention_engine:BLOCK",
}


@dataclass(frozen=True)
class RtlBlock:
    """How the RTL flow builds, tests and sizes one block.

    Attributes
    ----------
    name
        The block's stem: ``rtl/<name>.py``, ``testbench/tb_<name>.py``, Verilog module name.
    build
        ``(arch_spec or None, params) -> amaranth.lib.wiring.Component``; ``params`` has every
        key of ``default_params`` (values already checked by the component's constructor).
    default_params
        ``(arch_spec or None) -> dict`` of every parameter the block accepts, with defaults.
        Include ``"fault": None`` to let tests build deliberately broken variants.
    testbench
        The cocotb module in ``testbench/`` (``"tb_<name>"``).
    estimate
        ``(arch_spec or None, params) -> hwsim.cost.fpga_resources.FpgaResources``: hwsim's
        FPGA-resource estimate, compared with Yosys by ``hwsim rtl area``.
    family
        The arch family the block is built from, or None for a block that needs no arch.
    default_arch
        Preset used when ``--arch`` is not given (None when ``family`` is None).
    faults
        Values of ``params["fault"]`` that build a deliberately broken variant.
    drop_zero_memory_init
        The block never reads a memory word before writing it, so its Verilog leaves out the
        all-zero memory initializers Amaranth writes (one line per word).
    """

    name: str
    build: Callable[[Any, Mapping[str, Any]], Any]
    default_params: Callable[[Any], dict[str, Any]]
    testbench: str
    estimate: Callable[[Any, Mapping[str, Any]], Any]
    family: Family | None = Family.IMC
    default_arch: str | None = "fat"
    faults: tuple[str, ...] = ()
    drop_zero_memory_init: bool = False


def block_names() -> list[str]:
    return sorted(RTL_BLOCKS)


def get_block(name: str) -> RtlBlock:
    """The registered block ``name``; an unknown or not-installed block is an :class:`RtlError`."""
    ref = RTL_BLOCKS.get(name)
    if ref is None:
        raise RtlError(f"unknown RTL block '{name}'; known: {', '.join(block_names())}")
    block = load_object(ref)
    if block is None:
        raise RtlError(f"RTL block '{name}' is registered as '{ref}' but that module is not installed")
    return block
