"""A results store as a table: one row per design point, its parameters and headline metrics."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from hwsim.dse.metrics import Metric
from hwsim.dse.store import ResultStore, StoredPoint
from hwsim.report.atomic import write_bytes_atomic
from hwsim.extras import require
from hwsim.report.files import write_text_atomic

FIXED_COLUMNS = ("key", "model", "design", "arch", "status", "feasible")
TRAILING_COLUMNS = ("error", "hwsim_version", "arch_sha256", "model_sha256", "elapsed_s")


def table_columns(points: list[StoredPoint]) -> tuple[list[str], dict[str, str]]:
    """Column names and, for each parameter key, its column (prefixed if it clashes)."""
    reserved = set(FIXED_COLUMNS) | set(TRAILING_COLUMNS) | {m.value for m in Metric}
    keys = sorted({k for p in points for k in p.parameters})
    param_column = {k: (f"param.{k}" if k in reserved else k) for k in keys}
    return [*FIXED_COLUMNS, *param_column.values(), *(m.value for m in Metric), *TRAILING_COLUMNS], param_column


def table_rows(store: ResultStore) -> tuple[list[str], list[dict[str, Any]]]:
    """The store as (columns, rows); a missing parameter or metric is None."""
    points = list(store.points())
    columns, param_column = table_columns(points)
    rows = []
    for p in points:
        row: dict[str, Any] = {"key": p.key, "model": p.model, "design": p.design, "arch": p.arch,
                               "status": p.status.value, "feasible": p.feasible}
        row.update({col: p.parameters.get(k) for k, col in param_column.items()})
        row.update({m.value: None if math.isnan(v) else v for m, v in p.metrics.items()})
        row.update({"error": p.error, "hwsim_version": p.hwsim_version, "arch_sha256": p.arch_sha256,
                    "model_sha256": p.model_sha256, "elapsed_s": p.elapsed_s})
        rows.append(row)
    return columns, rows


def csv_text(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """The table as CSV text (floats in full precision, empty cells for None)."""
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def parquet_bytes(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    """The table as a Parquet file with typed columns; a parameter of mixed types becomes text."""
    require("pyarrow", "a Parquet export")
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for col in columns:
        values = [row[col] for row in rows]
        try:
            arrays[col] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[col] = pa.array([None if v is None else str(v) for v in values], type=pa.string())
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(arrays), sink)
    return sink.getvalue().to_pybytes()


def export_csv(store: ResultStore, path: Path) -> int:
    """Write the CSV; returns the row count."""
    columns, rows = table_rows(store)
    write_text_atomic(path, csv_text(columns, rows))
    return len(rows)


def export_parquet(store: ResultStore, path: Path) -> int:
    """Write the Parquet file; returns the row count."""
    columns, rows = table_rows(store)
    write_bytes_atomic(path, parquet_bytes(columns, rows))
    return len(rows)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return repr(value)
    return value
