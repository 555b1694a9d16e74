"""hwsim: co-design of neural-network accelerators.

The flow is describe -> map -> simulate -> price -> report; see ``hwsim.api`` for the
few functions most users need.
"""

__version__ = "0.1.0"
