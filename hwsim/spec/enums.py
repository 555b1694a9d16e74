"""Closed sets used by specs, converted from YAML strings (lower_snake_case values)."""

from enum import Enum


class Family(str, Enum):
    """Accelerator families; each has its own spec, mapper and engine."""

    IMC = "imc"
    SNN = "snn"
    ATTENTION = "attention"
    SYSTOLIC = "systolic"
    ROOFLINE = "roofline"


class AdditionScheme(str, Enum):
    """How an in-memory bit-serial adder handles the carry between bit positions.

    ``SA_LATCHED_CARRY`` keeps the carry in a latch inside the sense amplifier (FAT);
    ``CARRY_WRITE_BACK`` writes it into a reserved memory row and senses it again with the
    next bit (ParaPIM).
    """

    SA_LATCHED_CARRY = "sa_latched_carry"
    CARRY_WRITE_BACK = "carry_write_back"


class MicroOp(str, Enum):
    """Per-bit micro-operations of an in-memory addition."""

    SENSE = "sense"
    LATCH_CARRY = "latch_carry"
    WRITE_SUM = "write_sum"
    WRITE_CARRY = "write_carry"


# The one table of which component's action a micro-op is: the IMC engine counts under these
# names and cost/imc.py prices them.
MICRO_OP_ACTION: dict[MicroOp, str] = {
    MicroOp.SENSE: "sense_amp.sense",
    MicroOp.LATCH_CARRY: "sense_amp.latch_carry",
    MicroOp.WRITE_SUM: "subarray.write_sum",
    MicroOp.WRITE_CARRY: "subarray.write_carry",
}


class DataMapping(str, Enum):
    """Which operand stays in a subarray while the others move.

    Weight-stationary pins a (output channel, reduction chunk) to a subarray and streams the
    activations through it; input-stationary pins an activation tile and iterates all output
    channels on it; output-stationary pins an accumulator and streams both operands;
    combined-stationary pins an activation tile *and* a group of output channels, with the
    group size chosen so that every subarray has work.
    """

    WEIGHT_STATIONARY = "weight_stationary"
    INPUT_STATIONARY = "input_stationary"
    OUTPUT_STATIONARY = "output_stationary"
    COMBINED_STATIONARY = "combined_stationary"


class Objective(str, Enum):
    """What a mapper minimises."""

    LATENCY = "latency"
    ENERGY = "energy"
    EDP = "edp"

    def cost(self, latency, energy):
        """What is minimised, from latency and energy (numbers or arrays alike)."""
        if self is Objective.LATENCY:
            return latency
        return energy if self is Objective.ENERGY else latency * energy


class Dataflow(str, Enum):
    """Which operand of a systolic array's matrix product stays in the processing elements.

    With the layer as the product ``ofmap[M, N] = ifmap[M, K] @ filter[K, N]`` (M output
    pixels, N filters, K = R*S*C window), output-stationary keeps ofmap elements (rows carry
    M, columns N, K streams in time), weight-stationary keeps filter elements (rows K, columns
    N, M in time), input-stationary keeps ifmap elements (rows K, columns M, N in time).
    """

    OUTPUT_STATIONARY = "os"
    WEIGHT_STATIONARY = "ws"
    INPUT_STATIONARY = "is"
