"""What an engine runs of a workload: its layer network, or its Transformer encoder stack.

A ``hwsim.transformer/1`` file is a Transformer; an imported ONNX graph is a layer network
that may carry a recognised encoder stack (:mod:`hwsim.workload.onnx.transformer_view`).
The Transformer engines (attention, roofline) take the stack and report the network's
other layers as not priced, by name.
"""

from __future__ import annotations

from typing import Any

from hwsim.errors import SimulationError
from hwsim.workload.layers import Layer
from hwsim.workload.network import Network
from hwsim.workload.transformer import TransformerWorkload


def transformer_of(workload: Any, arch_name: str, family: str) -> tuple[TransformerWorkload, tuple[Layer, ...]]:
    """The Transformer to run and the layers outside its encoder stack.

    Raises SimulationError, naming why, when ``workload`` has no encoder stack.
    """
    if isinstance(workload, TransformerWorkload):
        return workload, ()
    view = getattr(workload, "transformer", None)
    if isinstance(workload, Network) and view is not None:
        outside = set(view.outside)
        return view.workload, tuple(layer for layer in workload.layers if layer.name in outside)
    reason = ""
    if isinstance(workload, Network) and "transformer" in workload.notes:
        reason = f" (its encoder stack: {workload.notes['transformer']})"
    raise SimulationError(
        f"model '{getattr(workload, 'name', workload)}' is not a Transformer{reason}; arch '{arch_name}' ({family}) "
        "runs hwsim.transformer/1 models and ONNX encoders")
