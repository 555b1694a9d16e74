"""Read a SCALE-Sim v3 ``.cfg`` file into a :class:`SystolicSpec`, strictly.

SCALE-Sim reads the same files loosely: a misspelled dataflow runs as output-stationary, an
unknown bandwidth mode is skipped, a missing file exits with status 0.  Here each of those is
a one-line :class:`SpecError` naming the file, the section and key, and the value.  Every
file in SCALE-Sim's own ``configs/`` folder reads as it ships or fails in one line for what
hwsim does not model (``docs/systolic.md`` lists them).

What SCALE-Sim does with the numbers, and therefore what they become here:

* ``ArrayHeight`` x ``ArrayWidth`` is the array, ``Dataflow`` is ``os``, ``ws`` or ``is``.
* ``*SramSzkB`` are the SRAM sizes in KB; SCALE-Sim uses half of each as the active buffer
  and 1-byte words, so the spec is double buffered with ``word_bytes: 1``.
* ``InterfaceBandwidth: CALC`` never stalls.  With ``USER``, SCALE-Sim fills the ifmap and
  filter buffers at ``[layout] IfmapSRAMBankBandwidth`` / ``FilterSRAMBankBandwidth`` words
  per cycle and drains the ofmap at the first ``Bandwidth`` value.  SCALE-Sim 3.0.0 stops
  on a file without a ``[layout]`` section; hwsim then lets the first ``Bandwidth`` value
  serve all three (SCALE-Sim v2's meaning).
* Stalls follow SCALE-Sim's own buffer policy (``buffer_model: scalesim``).
* Read, checked and ignored, because they change nothing SCALE-Sim computes without a custom
  layout or Ramulator: offsets and request-buffer sizes (they only place addresses in traces
  and size Ramulator's queues), ``[layout]`` bank counts and ports (they only time custom
  layouts), ``MemoryBanks``, ``OnChipMemoryBanks``, ``OnChipMemoryBankPorts`` (SCALE-Sim v3
  never reads them), and the ``[sparsity]`` details while ``SparsitySupport`` is false.
* Not modelled, a one-line error when switched on: ``IfmapCustomLayout``,
  ``FilterCustomLayout``, ``SparsitySupport``, ``UseRamulatorTrace``.  A missing
  ``[sparsity]`` section or ``UseRamulatorTrace`` key means off.
* Energy, area and clock are not in a ``.cfg``: they come from the preset named by
  ``--set base=...`` (default ``systolic-32x32-ws``), and any ``--set`` key overrides them.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

from hwsim.errors import SpecError
from hwsim.input_files import read_text
from hwsim.limits import MAX_TEXT_BYTES
from hwsim.spec.enums import Dataflow, Family
from hwsim.spec.loading import apply_override

DEFAULT_BASE_PRESET = "systolic-32x32-ws"

_KNOWN_KEYS: dict[str, frozenset[str]] = {
    "general": frozenset({"run_name"}),
    "architecture_presets": frozenset({
        "arrayheight", "arraywidth", "ifmapsramszkb", "filtersramszkb", "ofmapsramszkb", "ifmapoffset",
        "filteroffset", "ofmapoffset", "bandwidth", "dataflow", "readrequestbuffer", "writerequestbuffer",
        "memorybanks", "onchipmemorybanks", "onchipmemorybankports",
    }),
    "layout": frozenset({
        "ifmapcustomlayout", "ifmapsrambankbandwidth", "ifmapsrambanknum", "ifmapsrambankport",
        "filtercustomlayout", "filtersrambankbandwidth", "filtersrambanknum", "filtersrambankport",
    }),
    "sparsity": frozenset({"sparsitysupport", "sparserep", "optimizedmapping", "blocksize", "randomnumbergeneratorseed",
                           "nonzeroelems"}),
    "run_presets": frozenset({"interfacebandwidth", "useramulatortrace"}),
    "network_presets": frozenset({"topologycsvloc"}),
}

# Keys that change nothing hwsim (or SCALE-Sim without custom layouts and Ramulator)
# computes: checked to be numbers of the right sign where present, then ignored.
_IGNORED_COUNTS: tuple[tuple[str, str], ...] = (
    ("architecture_presets", "ReadRequestBuffer"), ("architecture_presets", "WriteRequestBuffer"),
    ("architecture_presets", "MemoryBanks"), ("architecture_presets", "OnChipMemoryBanks"),
    ("architecture_presets", "OnChipMemoryBankPorts"),
    ("layout", "IfmapSRAMBankNum"), ("layout", "IfmapSRAMBankPort"),
    ("layout", "FilterSRAMBankNum"), ("layout", "FilterSRAMBankPort"),
)
_IGNORED_OFFSETS: tuple[tuple[str, str], ...] = tuple(
    ("architecture_presets", key) for key in ("IfmapOffset", "FilterOffset", "OfmapOffset"))

# Switches for what hwsim does not model; absent means off.
_UNMODELLED: tuple[tuple[str, str, str], ...] = (
    ("run_presets", "UseRamulatorTrace", "Ramulator DRAM traces are"),
    ("layout", "IfmapCustomLayout", "custom SRAM layouts are"),
    ("layout", "FilterCustomLayout", "custom SRAM layouts are"),
    ("sparsity", "SparsitySupport", "sparse filters are"),
)


class _Cfg:
    """Typed lookups in one parsed file, each failing with the file, section and key."""

    def __init__(self, path: Path, parser: configparser.ConfigParser) -> None:
        self.path, self.parser = path, parser

    def text(self, section: str, key: str, default: str | None = None) -> str:
        if not self.parser.has_section(section):
            if default is not None:
                return default
            raise SpecError(f"{self.path}: missing section [{section}]")
        if not self.parser.has_option(section, key):
            if default is not None:
                return default
            raise SpecError(f"{self.path}: [{section}] missing key '{key}'")
        return self.parser.get(section, key).strip()

    def has(self, section: str, key: str) -> bool:
        return self.parser.has_option(section, key)

    def positive_int(self, section: str, key: str, default: str | None = None) -> int:
        raw = self.text(section, key, default)
        if not raw.lstrip("+").isdigit() or int(raw) <= 0:
            raise SpecError(f"{self.path}: [{section}] {key} = {raw!r}: expected a positive integer")
        return int(raw)

    def natural_int(self, section: str, key: str) -> int:
        raw = self.text(section, key)
        if not raw.lstrip("+").isdigit():
            raise SpecError(f"{self.path}: [{section}] {key} = {raw!r}: expected a non-negative integer")
        return int(raw)

    def flag(self, section: str, key: str, default: str) -> bool:
        raw = self.text(section, key, default)
        if raw.lower() not in {"true", "false"}:
            raise SpecError(f"{self.path}: [{section}] {key} = {raw!r}: expected True or False")
        return raw.lower() == "true"


def _parse(path: Path) -> _Cfg:
    parser = configparser.ConfigParser(interpolation=None)
    text = read_text(path, max_bytes=MAX_TEXT_BYTES, what="SCALE-Sim .cfg file", error=SpecError)
    try:
        parser.read_string(text, source=str(path))
    except configparser.MissingSectionHeaderError as exc:
        raise SpecError(f"{path}: line {exc.lineno}: {exc.line.strip()!r} comes before any [section] header") from None
    except configparser.Error as exc:
        raise SpecError(f"{path}: malformed .cfg: {str(exc).splitlines()[0]}") from None
    for section in parser.sections():
        known = _KNOWN_KEYS.get(section)
        if known is None:
            raise SpecError(f"{path}: unknown section [{section}] (expected {', '.join(_KNOWN_KEYS)})")
        for key in parser.options(section):
            if key not in known:
                raise SpecError(f"{path}: [{section}] unknown key '{key}'")
    return _Cfg(path, parser)


def _dataflow(cfg: _Cfg) -> Dataflow:
    raw = cfg.text("architecture_presets", "Dataflow")
    try:
        return Dataflow(raw)
    except ValueError:
        choices = ", ".join(d.value for d in Dataflow)
        raise SpecError(f"{cfg.path}: [architecture_presets] Dataflow = {raw!r}: expected one of {choices}") from None


def _bandwidths(cfg: _Cfg) -> dict[str, Any]:
    mode = cfg.text("run_presets", "InterfaceBandwidth")
    if mode == "CALC":
        return {"ifmap_words_per_cycle": "calc", "filter_words_per_cycle": "calc", "ofmap_words_per_cycle": "calc"}
    if mode != "USER":
        raise SpecError(f"{cfg.path}: [run_presets] InterfaceBandwidth = {mode!r}: expected USER or CALC")
    raw = cfg.text("architecture_presets", "Bandwidth")
    first = raw.split(",")[0].strip()
    if not first.isdigit() or int(first) <= 0:
        raise SpecError(f"{cfg.path}: [architecture_presets] Bandwidth = {raw!r}: expected positive words per cycle")
    ofmap = int(first)
    has_layout = cfg.parser.has_section("layout")
    ifmap = cfg.positive_int("layout", "IfmapSRAMBankBandwidth") if has_layout else ofmap
    filt = cfg.positive_int("layout", "FilterSRAMBankBandwidth") if has_layout else ofmap
    return {"ifmap_words_per_cycle": ifmap, "filter_words_per_cycle": filt, "ofmap_words_per_cycle": ofmap}


def _check_unmodelled_and_ignored(cfg: _Cfg) -> None:
    """Refuse what hwsim does not model; check the keys it ignores are well-formed numbers."""
    for section, key, what in _UNMODELLED:
        if cfg.flag(section, key, "False"):
            raw = cfg.text(section, key)
            raise SpecError(f"{cfg.path}: [{section}] {key} = {raw!r}: {what} not modelled by hwsim")
    for section, key in _IGNORED_COUNTS:
        if cfg.has(section, key):
            cfg.positive_int(section, key)
    for section, key in _IGNORED_OFFSETS:
        if cfg.has(section, key):
            cfg.natural_int(section, key)


def load_scalesim_cfg(path: Path, overrides: dict[str, Any]) -> Any:
    """A :class:`SystolicSpec` from a SCALE-Sim ``.cfg`` file.

    Parameters
    ----------
    path
        The ``.cfg`` file.
    overrides
        Dotted spec keys (``clock_mhz``, ``energy.mac.pj``, ``array.rows``...) applied
        after the file; ``base`` names the preset that supplies energy, area and clock.
    """
    from hwsim.spec.arch import load_arch_spec, validate_arch
    from hwsim.spec.base import spec_data

    cfg = _parse(Path(path))
    overrides = dict(overrides)
    base_name = overrides.pop("base", DEFAULT_BASE_PRESET)
    base = load_arch_spec(str(base_name))
    if base.family is not Family.SYSTOLIC:
        raise SpecError(f"{path}: --set base={base_name}: expected a systolic preset, got family '{base.family.value}'")
    _check_unmodelled_and_ignored(cfg)
    data = spec_data(base)
    data.update(
        name=cfg.text("general", "run_name"),
        description=f"SCALE-Sim configuration {Path(path).name}",
        array={"rows": cfg.positive_int("architecture_presets", "ArrayHeight"),
               "cols": cfg.positive_int("architecture_presets", "ArrayWidth")},
        dataflow=_dataflow(cfg).value,
        word_bytes=1,
        sram={"ifmap_kb": cfg.positive_int("architecture_presets", "IfmapSramSzkB"),
              "filter_kb": cfg.positive_int("architecture_presets", "FilterSramSzkB"),
              "ofmap_kb": cfg.positive_int("architecture_presets", "OfmapSramSzkB"),
              "double_buffered": True},
        dram=_bandwidths(cfg),
        buffer_model="scalesim",
    )
    origin = str(path)
    for key, value in overrides.items():
        data = apply_override(data, key, value, origin)
    return validate_arch(data, origin)
