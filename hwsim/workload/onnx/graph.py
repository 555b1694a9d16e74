"""Read an ONNX model and give every tensor its real shape: inputs fixed, constants folded, shapes inferred.

The ONNX ecosystem does the work: local functions are inlined (``onnx.inliner``), shapes come
from ``onnx.shape_inference`` (with data propagation), and constant subgraphs (the
Shape/Gather/Concat/Reshape chains exporters emit, scale factors computed from shapes) are
evaluated by ONNX's reference implementation of each operator.  Folding and inference
alternate until every shape that depends on a folded value is known.  Quantizers are never
folded: their integers are the weights the accelerator stores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.input_files import check_size, open_regular
from hwsim.limits import MAX_DIM, MAX_ONNX_BYTES, MAX_ONNX_CONSTANT, MAX_ONNX_NODES, limit_text
from hwsim.workload.onnx.options import OnnxOptions
from hwsim.extras import require

# Operators whose constant inputs must reach the importer unevaluated: quantizers
# (their integer inputs are the stored weights) and the products whose weights they are.
NEVER_FOLDED = frozenset({"DequantizeLinear", "QuantizeLinear", "Quant", "BipolarQuant", "Trunc", "Conv",
                          "ConvTranspose", "Gemm", "MatMul", "MatMulInteger", "QLinearConv", "QLinearMatMul",
                          "ConvInteger"})
_MAX_ROUNDS = 4
_FOREIGN_QUANTIZERS = frozenset({"Quant", "BipolarQuant", "Trunc", "QuantizeLinear", "DequantizeLinear"})
_SMALL_CONSTANT = 4096  # elements; larger constants are weights, passed to shape inference by shape only


@dataclass(frozen=True)
class InputDims:
    """How a graph input's shape was settled: its dims and, per dim, where the size came from."""

    name: str
    dims: tuple[int, ...]
    sources: tuple[str, ...]


@dataclass
class PreparedGraph:
    """The nodes left after folding, in topological order, with every tensor's shape and constant."""

    path: Path
    nodes: list
    shapes: dict[str, tuple[int, ...] | None]
    consts: dict[str, np.ndarray]
    inputs: tuple[InputDims, ...]
    opset: int

    def shape(self, tensor: str, where: str) -> tuple[int, ...]:
        """The static shape of ``tensor`` or a one-line error that says how to give it."""
        shape = self.shapes.get(tensor)
        if shape is None:
            raise WorkloadError(
                f"{where}: the shape of '{tensor}' is unknown after shape inference (give the input's shape: "
                f"--set workload.input_shape=... or workload.seq_len=...)")
        return shape


def read_model(path: Path):
    """The ModelProto of ``path``, local functions inlined; one-line errors for unreadable files."""
    require("onnx", f"{path}: reading an ONNX model")
    import onnx

    with open_regular(Path(path), "ONNX model", WorkloadError) as handle:
        check_size(path, handle, MAX_ONNX_BYTES, "ONNX model", WorkloadError)
    try:
        model = onnx.load(str(path))
    except FileNotFoundError:
        raise WorkloadError(f"{path}: file not found") from None
    except Exception as exc:  # onnx raises protobuf DecodeError and others
        raise WorkloadError(f"{path}: not a readable ONNX model ({type(exc).__name__})") from None
    if not model.graph.node:
        raise WorkloadError(f"{path}: the graph has no nodes")
    if len(model.graph.node) > MAX_ONNX_NODES:
        raise WorkloadError(f"{path}: {len(model.graph.node):,} nodes, more than the limit of {MAX_ONNX_NODES:,}")
    if model.functions:
        from onnx import inliner

        try:
            model = inliner.inline_local_functions(model)
        except Exception as exc:
            raise WorkloadError(f"{path}: its local functions cannot be inlined ({_first_line(exc)})") from None
    return model


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def _constant(path: Path, tensor) -> np.ndarray:
    """An initializer as an array; its declared size is checked against the bytes it holds first."""
    from onnx import numpy_helper

    try:
        return numpy_helper.to_array(tensor)
    except Exception as exc:  # dims that do not match the data, unknown data types, missing external files
        raise WorkloadError(f"{path}: initializer '{tensor.name}' cannot be read ({_first_line(exc)})") from None


def prepare(path: Path, options: OnnxOptions):
    """Read ``path`` and settle every shape (see the module docstring)."""
    model = read_model(path)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    graph = model.graph
    consts: dict[str, np.ndarray] = {t.name: _constant(path, t) for t in graph.initializer}
    inputs = _settle_inputs(path, graph, consts, options)
    real_inputs = [v for v in graph.input if v.name not in consts]
    nodes = list(graph.node)
    shapes: dict[str, tuple[int, ...] | None] = {}
    for _ in range(_MAX_ROUNDS):
        shapes = _infer(path, _shape_model(model, nodes, real_inputs, consts), consts)
        nodes, folded = _fold(path, nodes, consts, shapes, opset)
        if not folded:
            break
    return PreparedGraph(path, nodes, shapes, consts, inputs, opset)


def _gather_elements(inputs, attrs):
    # onnx's reference GatherElements fails past 64 distinct indices (np.choose); numpy's is exact
    axis = attrs["axis"].i if "axis" in attrs else 0
    data, index = inputs[0], np.asarray(inputs[1]).astype(np.int64)
    index = np.where(index < 0, index + data.shape[axis], index)
    return [np.take_along_axis(data, index, axis=axis)]


def _gather(inputs, attrs):
    axis = attrs["axis"].i if "axis" in attrs else 0
    return [np.take(inputs[0], np.asarray(inputs[1]).astype(np.int64), axis=axis)]


def _concat(inputs, attrs):
    return [np.concatenate([np.atleast_1d(x) for x in inputs if x is not None], axis=attrs["axis"].i)]


def _unsqueeze(inputs, attrs):
    axes = [int(a) for a in (attrs["axes"].ints if "axes" in attrs else np.asarray(inputs[1]).reshape(-1))]
    out = np.asarray(inputs[0])
    rank = out.ndim + len(axes)
    for axis in sorted(a % rank for a in axes):
        out = np.expand_dims(out, axis)
    return [out]


# Folds of the shape arithmetic exporters emit most, in numpy (exact, and much faster than one
# reference evaluator per node); every other operator goes through onnx.reference.
_NUMPY_FOLD = {"GatherElements": _gather_elements, "Gather": _gather, "Concat": _concat, "Unsqueeze": _unsqueeze}


def _shape_model(model, nodes: list, real_inputs: list, consts: dict[str, np.ndarray]):
    """What shape inference needs and no more: the nodes, the inputs, small constants by value
    (shape tensors, axes: data propagation reads them) and large ones by type and shape only, so
    that hundreds of MB of weights are never serialized for it."""
    from onnx import helper, numpy_helper

    small, large = [], []
    for name, array in consts.items():
        if array.size <= _SMALL_CONSTANT:
            small.append(numpy_helper.from_array(np.asarray(array), name))
        else:
            large.append(helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(array.dtype), array.shape))
    graph = helper.make_graph(_shape_preserving(nodes), model.graph.name, list(real_inputs) + large, [], small)
    return helper.make_model(graph, opset_imports=list(model.opset_import), ir_version=model.ir_version)


def _shape_preserving(nodes: list) -> list:
    """The nodes as shape inference should see them: quantizers of other domains (QONNX's, and
    onnxruntime's com.microsoft QuantizeLinear/DequantizeLinear for int4), which ONNX cannot
    infer, stand in as the Identity they are shape-wise."""
    from onnx import helper

    return [helper.make_node("Identity", [n.input[0]], [n.output[0]], name=n.name)
            if n.op_type in _FOREIGN_QUANTIZERS and n.domain not in ("", "ai.onnx") else n for n in nodes]


def _settle_inputs(path: Path, graph, consts: dict[str, np.ndarray], options: OnnxOptions) -> tuple[InputDims, ...]:
    settled = []
    real = [v for v in graph.input if v.name not in consts]
    if not real:
        raise WorkloadError(f"{path}: the graph has no input")
    for index, value in enumerate(real):
        dims_proto = value.type.tensor_type.shape.dim
        given = options.input_shape if index == 0 else None
        if given is not None and len(given) != len(dims_proto):
            raise WorkloadError(f"{path}: workload.input_shape = {','.join(map(str, given))} has {len(given)} dims, "
                                f"input '{value.name}' has {len(dims_proto)}")
        dims, sources = [], []
        for axis, dim in enumerate(dims_proto):
            static = dim.dim_value if dim.HasField("dim_value") and dim.dim_value > 0 else None
            label = dim.dim_param or "?"
            if given is not None:
                if static is not None and static != given[axis]:
                    raise WorkloadError(f"{path}: workload.input_shape dim {axis} = {given[axis]}, but input "
                                        f"'{value.name}' fixes it at {static}")
                size, source = given[axis], "workload.input_shape"
            elif static is not None:
                size, source = static, "graph"
            elif axis == 0:
                size, source = options.batch or 1, f"'{label}' = workload.batch" if options.batch else f"'{label}' = 1 (batch default)"
            elif options.seq_len is not None:
                size, source = options.seq_len, f"'{label}' = workload.seq_len"
            else:
                raise WorkloadError(
                    f"{path}: input '{value.name}' dim {axis} is symbolic ('{label}'): give its size with "
                    f"--set workload.input_shape=... or workload.seq_len=N")
            if size > MAX_DIM:
                raise WorkloadError(f"{path}: input '{value.name}' dim {axis} = {size:,} ({source}) exceeds the limit "
                                    f"of {limit_text(MAX_DIM)}")
            dim.Clear()
            dim.dim_value = size
            dims.append(size)
            sources.append(source)
        settled.append(InputDims(value.name, tuple(dims), tuple(sources)))
    return tuple(settled)


def _infer(path: Path, model, consts: dict[str, np.ndarray]) -> dict[str, tuple[int, ...] | None]:
    from onnx import shape_inference

    try:
        inferred = shape_inference.infer_shapes(model, data_prop=True)
    except Exception as exc:  # onnx reports inconsistent graphs as InferenceError and others
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WorkloadError(f"{path}: ONNX shape inference failed: {first}") from None
    g = inferred.graph
    shapes: dict[str, tuple[int, ...] | None] = {}
    for value in list(g.input) + list(g.value_info) + list(g.output):
        t = value.type.tensor_type
        if not t.HasField("shape"):
            shapes.setdefault(value.name, None)
            continue
        dims = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None for d in t.shape.dim]
        if any(d is None for d in dims):
            # a zero-size or symbolic dim: only a constant can still tell
            shapes.setdefault(value.name, None)
        else:
            shapes[value.name] = tuple(int(d) for d in dims)
    for name, array in consts.items():
        shapes[name] = tuple(int(d) for d in array.shape)
    return shapes


def _fold(path: Path, nodes: list, consts: dict[str, np.ndarray], shapes, opset: int) -> tuple[list, bool]:
    """Evaluate every node whose inputs are all known; returns the nodes left and whether any folded."""
    left, folded = [], False
    for node in nodes:
        value = _evaluate(path, node, consts, shapes, opset)
        if value is None:
            left.append(node)
            continue
        for name, array in zip(node.output, value):
            if name:
                consts[name] = np.asarray(array)
        folded = True
    return left, folded


def _evaluate(path: Path, node, consts, shapes, opset: int):
    op = node.op_type
    if node.domain not in ("", "ai.onnx") or op in NEVER_FOLDED:
        return None
    if op == "Constant":
        from onnx import helper, numpy_helper

        attr = node.attribute[0]
        if attr.name == "value":
            return [numpy_helper.to_array(attr.t)]
        return [np.asarray(helper.get_attribute_value(attr))]
    if op in ("Shape", "Size"):
        shape = shapes.get(node.input[0])
        if shape is None:
            return None
        if op == "Size":
            return [np.int64(np.prod(shape))]
        attrs = {a.name: a.i for a in node.attribute}
        rank = len(shape)
        start, end = attrs.get("start", 0), attrs.get("end", rank)
        return [np.array(shape[slice(start, end)], dtype=np.int64)]
    live = [name for name in node.input if name]
    if not live or any(name not in consts for name in live):
        return None
    _check_fold_size(path, node, consts, shapes)
    if op in _NUMPY_FOLD:
        attrs = {a.name: a for a in node.attribute}
        return _NUMPY_FOLD[op]([consts[name] if name else None for name in node.input], attrs)
    from onnx.reference import ReferenceEvaluator

    feeds = {name: consts[name] for name in live}
    try:
        return ReferenceEvaluator(node, opsets={"": opset}).run(None, feeds)
    except MemoryError:
        raise WorkloadError(f"{path}: node '{node.name or node.output[0]}' ({op}): its constant output does not fit "
                            "in memory") from None
    except Exception as exc:  # the reference implementation names what it cannot evaluate
        where = f"node '{node.name or node.output[0]}' ({op})"
        raise WorkloadError(f"{path}: {where}: cannot evaluate its constant inputs ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''})") from None


def _check_fold_size(path: Path, node, consts: dict[str, np.ndarray], shapes) -> None:
    """Refuse to compute a constant larger than its inputs and than MAX_ONNX_CONSTANT, before computing it.

    A fold may always produce as many elements as its inputs hold (a Transpose of a weight);
    beyond that, MAX_ONNX_CONSTANT.  The size comes from shape inference where it knows the
    output, else from the operator's own rule for the generators whose output size is a value
    (ConstantOfShape, Range, Expand, Tile).
    """
    sizes = [math.prod(shapes[name]) for name in node.output if name and shapes.get(name) is not None]
    try:
        value = [consts[name] if name else None for name in node.input]
        if node.op_type == "ConstantOfShape":
            sizes.append(math.prod(int(d) for d in np.asarray(value[0]).reshape(-1)))
        elif node.op_type == "Range" and len(value) == 3:
            start, limit, delta = (float(np.asarray(v).reshape(-1)[0]) for v in value)
            sizes.append(max(0, math.ceil((limit - start) / delta)) if delta else 0)
        elif node.op_type == "Expand" and len(value) == 2:
            sizes.append(math.prod(max(int(a), int(b)) for a, b in _aligned(np.shape(value[0]), value[1])))
        elif node.op_type == "Tile" and len(value) == 2:
            sizes.append(np.asarray(value[0]).size * math.prod(int(r) for r in np.asarray(value[1]).reshape(-1)))
        held = sum(int(np.asarray(consts[name]).size) for name in node.input if name and name in consts)
    except (TypeError, ValueError, OverflowError, IndexError):
        return  # malformed operands: the evaluator reports them
    largest = max(sizes, default=0)
    if largest > max(MAX_ONNX_CONSTANT, held):
        raise WorkloadError(
            f"{path}: node '{node.name or node.output[0]}' ({node.op_type}): computing its constant output means "
            f"{largest:,} elements, more than the limit of {limit_text(MAX_ONNX_CONSTANT)}")


def _aligned(shape: tuple[int, ...], target) -> list[tuple[int, int]]:
    """``shape`` and the Expand target shape, right-aligned with ones."""
    target = [int(d) for d in np.asarray(target).reshape(-1)]
    rank = max(len(shape), len(target))
    return list(zip([1] * (rank - len(shape)) + list(shape), [1] * (rank - len(target)) + target))
