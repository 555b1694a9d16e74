"""The exceptions hwsim raises for bad input.

Every message is one sentence that quotes the bad value and names its place (file, key
path, layer).  The CLI prints ``str(error)`` on one line and exits with status 2.
"""


class HwsimError(Exception):
    """Base class of every user-facing hwsim error."""


class SpecError(HwsimError):
    """An accelerator spec (YAML file or ``--set`` override) is invalid."""


class WorkloadError(HwsimError):
    """A network description, weight file or workload option is invalid."""


class MappingError(HwsimError):
    """A layer cannot be mapped onto the accelerator."""


class SimulationError(HwsimError):
    """The simulator was asked for something it cannot model."""
