"""The loop-nest search's defaults, in a module that imports nothing (the mapper itself loads numba).

One budget everywhere (``hwsim map``, ``hwsim simulate``'s default nests, the API), so that a
plain ``hwsim map`` and a plain ``hwsim simulate`` run the same nests; 20,000 candidates per
distinct layer shape reach the 200,000-candidate latency on ResNet-18 (docs/systolic.md).
"""

DEFAULT_BUDGET = 20_000
