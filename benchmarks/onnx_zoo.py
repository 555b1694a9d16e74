"""Import every network of the ONNX zoo with hwsim, simulate it and check its MAC count.

The zoo (real PyTorch exports, both exporters, QDQ quantizations) and its reference MAC
counts are made outside hwsim by ``scripts/export_zoo.py`` in the ``.venv-zoo``
environment; this script only reads ``build/zoo/manifest.json``, the ``.onnx`` files and
the reference counts, so it runs in hwsim's own ``.venv``::

    .venv-zoo/bin/python scripts/export_zoo.py                 # once: writes build/zoo/
    .venv/bin/python benchmarks/onnx_zoo.py [--models resnet18 vit_b_16] [--json out.json]

Each file is loaded with :func:`import_options` and simulated on ``fat`` (ternarized
explicitly) and ``systolic-32x32-ws`` (Transformers also on ``sparse-attn-fpga``).  Columns:
hwsim's imported MACs, the PyTorch reference (FlopCounterMode) and the ONNX-side count (shape
inference); ``exact`` compares hwsim per layer with the ONNX-side count where the layer names
are the ONNX node names (else the total) and hwsim's total with PyTorch's; ``executed MACs`` is
what the accelerator ran where it differs (top-k attention skips score and value work by
design).  An hwsim error is printed as its one-line message in the row, and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from hwsim import api
from hwsim.errors import HwsimError

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ZOO = REPO / "build" / "zoo"
ARCHS = {"cnn": ["fat", "systolic-32x32-ws"], "transformer": ["fat", "systolic-32x32-ws", "sparse-attn-fpga"]}


ATTENTION_ARCHS = {"sparse-attn-fpga": 32}  # arch -> keys kept per query (top_k, as models/bert-base.yaml)


def import_options(entry: dict[str, Any] | None = None, arch: str | None = None) -> dict[str, Any]:
    """The workload options of one file on one arch: the one place to change them.

    ``fat`` stores ternary weights: every file is ternarized explicitly (a QDQ file's
    dequantized values too).  The int8 systolic array and the attention accelerator get int8
    weights and activations for float files; a QDQ file keeps its own precision there.  Files
    with symbolic dims get their example input shape; the sparse-attention accelerator its top_k.
    """
    qdq = bool(entry) and "qdq" in entry["path"]
    options: dict[str, Any] = {}
    if arch == "fat":
        options["quantize"] = "ternary"
    elif not qdq:
        options.update(quantize="int8", act_bits=8)
    if entry and entry.get("symbolic_inputs"):
        first = next(iter(entry["inputs"].values()))
        options["input_shape"] = ",".join(str(d) for d in first)
    if arch in ATTENTION_ARCHS:
        options["top_k"] = ATTENTION_ARCHS[arch]
    return options


def one_line(exc: BaseException, path: Path) -> str:
    """An exception as one line without the file's path; anything but an HwsimError is named as unexpected."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text.replace(f"{path}: ", "")
    return text if isinstance(exc, HwsimError) else f"unexpected {type(exc).__name__}: {text}"


def onnx_nodes(zoo: Path, file: str) -> dict[str, int | None]:
    """The ONNX-side MACs of every counted node of ``file``, by node name."""
    path = zoo / f"{Path(file).stem}.onnxmacs.json"
    if not path.exists():
        return {}
    return {n["name"]: n["macs"] for n in json.loads(path.read_text())["nodes"]}


def exactness(net: Any, nodes: dict[str, int | None], torch_macs: int | None) -> str:
    """``yes``/``no`` with what was compared: per layer by ONNX node name, and the total with PyTorch's."""
    layers = [(layer.name, layer.macs) for layer in net.layers if layer.macs]
    total = sum(macs for _, macs in layers)
    total_ok = total == torch_macs
    if layers and all(name in nodes for name, _ in layers):
        wrong = [name for name, macs in layers if nodes[name] != macs]
        missed = len([n for n in nodes if n not in dict(layers) and nodes[n]])
        ok = not wrong and not missed and total_ok
        detail = f"{len(layers) - len(wrong)}/{len(layers)} layers" + (f", {missed} nodes missing" if missed else "")
        return f"{'yes' if ok else 'no'} (per layer: {detail})"
    if torch_macs is None:
        return "n/a"
    delta = (total - torch_macs) / torch_macs * 100 if torch_macs else 0.0
    return "yes (total)" if total_ok else f"no (total {delta:+.1f} %)"


def run_file(zoo: Path, entry: dict[str, Any], archs: list[str]) -> list[dict[str, Any]]:
    """The rows of one manifest entry: one per arch, or one row saying why there are none."""
    base = {"file": entry["path"], "model": entry["model"], "exporter": entry["path"].split(".", 1)[1][:-5],
            "torch_macs": entry.get("torch_macs"), "onnx_macs": entry.get("onnx_macs")}
    if not entry["ok"]:
        return [{**base, "arch": "-", "error": f"export failed: {entry['error'].splitlines()[0]}"}]
    path = zoo / entry["path"]
    nodes = onnx_nodes(zoo, entry["path"])
    loaded: dict[str, tuple[Any, float, str | None]] = {}  # options -> (network, seconds, error)
    rows = []
    for arch in archs:
        options = import_options(entry, arch)
        key = json.dumps(options, sort_keys=True)
        if key not in loaded:
            start = time.perf_counter()
            try:
                loaded[key] = (api.load_network(str(path), **options), time.perf_counter() - start, None)
            except Exception as exc:  # HwsimError expected today; anything else is an importer bug
                loaded[key] = (None, time.perf_counter() - start, one_line(exc, path))
        net, import_s, error = loaded[key]
        row = {**base, "arch": arch, "options": options}
        if error:
            rows.append({**row, "error": error, "seconds": import_s})
            continue
        row["layers"] = len(getattr(net, "layers", ()) or ())
        start = time.perf_counter()
        try:
            report = api.simulate(net, api.load_arch(arch))
        except Exception as exc:
            rows.append({**row, "error": one_line(exc, path), "seconds": import_s + time.perf_counter() - start})
            continue
        exact = exactness(net, nodes, base["torch_macs"])
        rows.append({**row, "hwsim_macs": net.macs, "executed_macs": report.total.macs, "exact": exact,
                     "latency_ms": report.total.latency_s * 1e3, "energy_uj": report.total.energy_pj * 1e-6,
                     "seconds": import_s + time.perf_counter() - start, "error": None})
    return rows


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec) if spec else str(value)


def markdown(rows: list[dict[str, Any]]) -> str:
    """The rows as a markdown table (errors shortened to 120 characters; the JSON has them whole)."""
    head = ["model", "exporter", "arch", "layers", "hwsim MACs", "torch MACs", "ONNX MACs", "exact",
            "executed MACs", "latency ms", "energy uJ", "s", "error"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        error = (r.get("error") or "").replace("|", "/")
        cells = [r["model"], r["exporter"], r["arch"], _fmt(r.get("layers")), _fmt(r.get("hwsim_macs"), ","),
                 _fmt(r.get("torch_macs"), ","), _fmt(r.get("onnx_macs"), ","), _fmt(r.get("exact")),
                 "=" if r.get("executed_macs") == r.get("hwsim_macs") else _fmt(r.get("executed_macs"), ","),
                 _fmt(r.get("latency_ms"), ".3f"), _fmt(r.get("energy_uj"), ".1f"), _fmt(r.get("seconds"), ".1f"),
                 error[:120] + ("..." if len(error) > 120 else "")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def compact(rows: list[dict[str, Any]]) -> str:
    """One row per file: MACs and exactness once, then latency / energy per arch, and the slowest time."""
    archs = list(dict.fromkeys(r["arch"] for r in rows if r["arch"] != "-"))
    head = ["model", "exporter", "layers", "hwsim MACs", "= torch = ONNX-side", *[f"{a} ms / uJ" for a in archs],
            "import+simulate s (max)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for file in dict.fromkeys(r["file"] for r in rows):
        mine = [r for r in rows if r["file"] == file]
        ok = [r for r in mine if r.get("error") is None]
        first = ok[0] if ok else mine[0]
        cells = [first["model"], first["exporter"], _fmt(first.get("layers")), _fmt(first.get("hwsim_macs"), ","),
                 _fmt(first.get("exact")) if ok else (first.get("error") or "")[:60]]
        for arch in archs:
            r = next((r for r in mine if r["arch"] == arch), None)
            cells.append("" if r is None else (f"{r['latency_ms']:.3f} / {r['energy_uj']:,.0f}" if r.get("error") is None
                                               else "error"))
        cells.append(_fmt(max((r["seconds"] for r in ok), default=None), ".2f"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zoo-dir", type=Path, default=DEFAULT_ZOO, help="folder of manifest.json (build/zoo)")
    parser.add_argument("--models", nargs="+", help="only these models (manifest 'model' names)")
    parser.add_argument("--archs", nargs="+", help="these archs for every file instead of the defaults")
    parser.add_argument("--json", type=Path, help="write the rows here as JSON")
    parser.add_argument("--compact", action="store_true", help="one row per file instead of one per (file, arch)")
    args = parser.parse_args(argv)
    manifest_path = args.zoo_dir / "manifest.json"
    if not manifest_path.exists():
        print(f"{manifest_path} not found: make the zoo first with the zoo environment, e.g.\n"
              "  python3 -m venv .venv-zoo && .venv-zoo/bin/pip install <the 'zoo' extra's pins in pyproject.toml>\n"
              "  .venv-zoo/bin/python scripts/export_zoo.py", file=sys.stderr)
        return 2
    entries = json.loads(manifest_path.read_text())
    if args.models:
        unknown = set(args.models) - {e["model"] for e in entries}
        if unknown:
            print(f"not in {manifest_path}: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        entries = [e for e in entries if e["model"] in args.models]
    rows = []
    for entry in entries:
        archs = args.archs or ARCHS[entry.get("kind", "cnn")]
        rows.extend(run_file(args.zoo_dir, entry, archs))
        print(f"[onnx_zoo] {entry['path']}: {rows[-1].get('error') or 'ok'}", file=sys.stderr, flush=True)
    print(compact(rows) if args.compact else markdown(rows))
    simulated = sum(1 for r in rows if r.get("error") is None)
    slowest = max((r for r in rows if r.get("error") is None), key=lambda r: r["seconds"], default=None)
    print(f"\n{simulated}/{len(rows)} (file, arch) rows simulated; options per arch: see import_options(); "
          f"slowest import+simulate: {slowest['model']} {slowest['exporter']} on {slowest['arch']}, "
          f"{slowest['seconds']:.2f} s" if slowest else "")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
