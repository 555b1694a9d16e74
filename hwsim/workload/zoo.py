"""Load a network by zoo name (models/<name>.yaml) or path, infer shapes, attach weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hwsim.errors import WorkloadError
from hwsim.plugins import load_object, packaged_names, resolve_named_file
from hwsim.spec.loading import read_validated, read_yaml_mapping
from hwsim.workload.layers import Layer, LayerKind, Quant, QuantKind
from hwsim.workload.model_file import LayerEntry, ModelFile, WeightFormat
from hwsim.workload.model_validation import validate_model_file
from hwsim.workload.network import Network
from hwsim.workload.sizes import check_layer_sizes
from hwsim.workload.weights import generate_weights, load_weights


# Model files with another schema than hwsim.model/1: (path, raw mapping, overrides) -> workload.
READER_BY_SCHEMA: dict[str, str] = {
    "hwsim.snn-model/1": "hwsim.workload.snn_file:load_snn_model",
    "hwsim.transformer/1": "hwsim.workload.transformer_file:load_transformer_model",
}

# Model files that are not YAML: (path, overrides) -> workload.
READER_BY_SUFFIX: dict[str, str] = {
    ".csv": "hwsim.workload.topology_csv:load_topology_csv",
    ".onnx": "hwsim.workload.onnx:load_onnx_model",
}


def model_names() -> list[str]:
    """Names of the networks in the model zoo."""
    return packaged_names("hwsim.models", ".yaml")


def resolve_model_path(name_or_path: str) -> Path:
    """A zoo name becomes its packaged YAML; anything else must be an existing file."""
    return resolve_named_file(name_or_path, package="hwsim.models", suffixes=(".yaml",), what="model", error=WorkloadError)


def load_network(name_or_path: str, overrides: dict[str, Any] | None = None) -> Any:
    """Read a model description and build its layers and weights.

    A ``hwsim.model/1`` file or an ONNX model gives a :class:`Network`; other schemas and
    file formats give their family's workload (see ``READER_BY_SCHEMA``, ``READER_BY_SUFFIX``).

    Parameters
    ----------
    name_or_path
        A zoo name (``hwsim list models``) or a path to a model file.
    overrides
        ``workload.<key>`` values (e.g. ``weight_sparsity``, ``seed``, ``weights_file``),
        keys without the ``workload.`` prefix.
    """
    path = resolve_model_path(name_or_path)
    if path.suffix in READER_BY_SUFFIX:
        return _reader(READER_BY_SUFFIX[path.suffix], path)(path, overrides or {})
    if overrides:
        return load_network_mapping(read_yaml_mapping(path, WorkloadError), overrides, path)
    # a hwsim.model/1 file is validated once if it is the zoo's (other schemas have their readers)
    validated = read_validated(path, lambda data: _model_file_or_data(data, path), WorkloadError)
    if isinstance(validated, ModelFile):
        return network_from_model(validated, path)
    return load_network_mapping(validated, None, path)


def _model_file_or_data(data: dict[str, Any], path: Path) -> ModelFile | dict[str, Any]:
    """``data`` validated as a ``hwsim.model/1`` file, or as it is for another schema's reader."""
    if _schema(data, path) in READER_BY_SCHEMA:
        return data
    return validate_model_file(ModelFile, data, {}, str(path))


def _schema(data: dict[str, Any], path: Path) -> str | None:
    schema = data.get("schema")
    if not isinstance(schema, (str, type(None))):  # a list here is unhashable: one line, not a TypeError
        raise WorkloadError(f"{path}: key 'schema' is a {type(schema).__name__}: expected a schema name such as "
                            "'hwsim.model/1'")
    return schema


def load_network_mapping(data: dict[str, Any], overrides: dict[str, Any] | None, path: Path) -> Any:
    """A model given as the mapping a model file holds (``path`` names it in messages and anchors
    its relative file references, e.g. a weights file)."""
    if not isinstance(data, dict):
        raise WorkloadError(f"{path}: a model is a mapping of keys to values, got {type(data).__name__}")
    schema = _schema(data, path)
    if schema in READER_BY_SCHEMA:
        return _reader(READER_BY_SCHEMA[schema], path)(path, data, overrides or {})
    return network_from_model(validate_model_file(ModelFile, data, overrides or {}, str(path)), path)


def network_from_model(model: ModelFile, path: Path) -> Network:
    """The layers and weights of a validated ``hwsim.model/1`` file read from ``path``."""
    origin = str(path)
    layers = build_layers(model, origin)
    check_layer_sizes(layers, origin)
    opts = model.workload
    if opts.weights_file:
        weights_path = Path(opts.weights_file)
        if not weights_path.is_absolute():
            weights_path = path.parent / weights_path
        weights = load_weights(weights_path, layers)
    else:
        weights = generate_weights(layers, opts.weight_sparsity, opts.seed)
    return Network(
        name=model.name,
        layers=layers,
        weights=weights,
        dataset=model.dataset,
        weight_sparsity_requested=None if opts.weights_file else opts.weight_sparsity,
        seed=opts.seed,
    )


def _reader(reference: str, path: Path):
    reader = load_object(reference)
    if reader is None:
        raise WorkloadError(f"{path}: this kind of model file is not supported by this hwsim version")
    return reader


def build_layers(model: ModelFile, origin: str) -> tuple[Layer, ...]:
    """Propagate (C, H, W) through the layer list and return canonical layers."""
    inp = model.input
    act_bits = model.workload.act_bits or model.quant.act_bits
    wq = {
        WeightFormat.TERNARY: Quant.ternary(),
        WeightFormat.BINARY: Quant.binary(),
        WeightFormat.INT: Quant(QuantKind.INT, model.quant.weight_bits or 8),
    }[model.quant.weights]
    shapes: dict[str, tuple[int, int, int]] = {"": (inp.channels, inp.height, inp.width)}
    layers: list[Layer] = []
    previous = ""
    for index, entry in enumerate(model.layers):
        where = f"{origin}: layer '{entry.name}'"
        if entry.name in shapes:
            raise WorkloadError(f"{where}: the name is used twice")
        sources = entry.inputs if entry.inputs is not None else (entry.input if entry.input is not None else previous,)
        for src in sources:
            if src not in shapes:
                raise WorkloadError(f"{where}: input '{src}' is not an earlier layer")
        c, h, w = shapes[sources[0]]
        layer = _make_layer(entry, sources, (c, h, w), shapes, inp.batch, act_bits, wq, where)
        shapes[entry.name] = (layer.K, layer.P, layer.Q)
        layers.append(layer)
        previous = entry.name
    return tuple(layers)


def _make_layer(entry: LayerEntry, sources, chw, shapes, batch, act_bits, wq, where) -> Layer:
    c, h, w = chw
    kind = entry.type
    if kind is LayerKind.ADD:
        if len(sources) < 2:
            raise WorkloadError(f"{where}: an add layer needs 'inputs' with at least two layers")
        for src in sources[1:]:
            if shapes[src] != chw:
                raise WorkloadError(f"{where}: input '{src}' has shape {shapes[src]}, '{sources[0]}' has {chw}")
        return Layer(entry.name, kind, batch, c, c, h, w, 1, 1, 1, 0, tuple(sources), act_bits, None)
    if kind is LayerKind.LINEAR:
        if entry.out is None:
            raise WorkloadError(f"{where}: a linear layer needs 'out'")
        return Layer(entry.name, kind, batch, entry.out, c * h * w, 1, 1, 1, 1, 1, 0, tuple(sources), act_bits, wq)
    if entry.global_:
        r, s, stride, pad = h, w, 1, 0
    else:
        if entry.kernel is None:
            raise WorkloadError(f"{where}: needs 'kernel'")
        r = s = entry.kernel
        stride, pad = entry.stride, entry.pad
    p = (h + 2 * pad - r) // stride + 1
    q = (w + 2 * pad - s) // stride + 1
    if p <= 0 or q <= 0:
        raise WorkloadError(f"{where}: kernel {r} with stride {stride} and pad {pad} does not fit a {h}x{w} input")
    if kind is LayerKind.CONV:
        if entry.out is None:
            raise WorkloadError(f"{where}: a conv layer needs 'out'")
        return Layer(entry.name, kind, batch, entry.out, c, p, q, r, s, stride, pad, tuple(sources), act_bits, wq)
    return Layer(entry.name, kind, batch, c, c, p, q, r, s, stride, pad, tuple(sources), act_bits, None)
