"""The RTL flow: Verilog generation, cocotb runs on Icarus/Verilator, Yosys area, CLI glue.

Nothing here models hardware; it builds ``rtl/`` components from hwsim specs and runs tools.
"""

from hwsim.errors import HwsimError


class RtlError(HwsimError):
    """A bad RTL request (unknown block, bad ``--param``) or a missing/unsuitable tool."""
