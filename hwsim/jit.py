"""Compiled kernels when numba is installed (the ``fast`` extra), plain Python when it is not.

The kernels are written in the subset of Python that numba compiles, so the same function runs
either way and gives the same numbers; without numba it is one to three orders of magnitude
slower. The core install leaves numba out because it brings llvmlite (about 210 MB).
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

HAVE_NUMBA = importlib.util.find_spec("numba") is not None


class SlowKernelWarning(UserWarning):
    """Kernels run as plain Python because numba is not installed."""


def njit(*, cache: bool = True) -> Callable[[F], F]:
    """``numba.njit(cache=cache)`` when numba is installed; otherwise the function itself.

    Without numba, defining a kernel warns; the warning comes from one line of this module, so
    Python's default filter shows it once per process, when the first feature that has kernels
    is loaded.
    """
    if HAVE_NUMBA:
        from numba import njit as numba_njit

        return numba_njit(cache=cache)
    warnings.warn("numba is not installed, so hwsim's kernels run as plain Python (slow): "
                  "pip install 'hwsim[fast]'", SlowKernelWarning, stacklevel=1)
    return lambda function: function
