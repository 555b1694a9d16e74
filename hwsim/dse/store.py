"""The results store: one SQLite file, one row per design point, safe against kill -9.

Why it survives a crash: the database runs in WAL mode and every result is written in its
own transaction, so a committed row is on disk before the next point is written and a
killed process leaves either the whole row or nothing.  ``key`` is the primary key and rows
are inserted with ``INSERT OR IGNORE``, so a point can never be stored twice, even when a
resumed sweep races a result that was written just before the kill.  Only the coordinating
process writes; workers return results to it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from hwsim.dse.evaluate import PointResult, Status
from hwsim.dse.metrics import Metric, headline_metrics
from hwsim.dse.points import DesignPoint
from hwsim.dse.sweep_spec import ConstraintSpec
from hwsim.errors import HwsimError

STORE_SCHEMA = "hwsim.results/1"
METRIC_COLUMNS = tuple(m.value for m in Metric)
_POINT_COLUMNS = ("key", "model", "design", "arch", "parameters_json", "status", "error", "feasible",
                  *METRIC_COLUMNS, "report_json", "hwsim_version", "arch_sha256", "model_sha256",
                  "sweep_sha256", "elapsed_s", "worker", "finished_unix_s")
_CREATE = f"""
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (
    key TEXT PRIMARY KEY NOT NULL,
    model TEXT NOT NULL, design TEXT NOT NULL, arch TEXT NOT NULL, parameters_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')), error TEXT, feasible INTEGER,
    {", ".join(f"{c} REAL" for c in METRIC_COLUMNS)},
    report_json TEXT, hwsim_version TEXT NOT NULL, arch_sha256 TEXT NOT NULL, model_sha256 TEXT NOT NULL,
    sweep_sha256 TEXT NOT NULL, elapsed_s REAL NOT NULL, worker TEXT NOT NULL, finished_unix_s REAL NOT NULL
);
"""


class StoreError(HwsimError):
    """The results file cannot be opened, is not a hwsim results store, or is corrupt."""


@dataclass(frozen=True)
class StoredPoint:
    """One row of the store, as read back (metrics are NaN for failed points)."""

    key: str
    model: str
    design: str
    arch: str
    parameters: dict[str, Any]
    status: Status
    error: str | None
    feasible: bool | None
    metrics: dict[Metric, float]
    hwsim_version: str
    arch_sha256: str
    model_sha256: str
    elapsed_s: float


class ResultStore:
    """A results file opened for reading and writing; use as a context manager.

    Parameters
    ----------
    path
        The SQLite file; created (with its folder) if absent.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are explicit (BEGIN ... COMMIT) below.
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives the death of this process (kill -9); only a
            # power cut can lose the last commits, never corrupt the file.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_CREATE)
            self._check_schema()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a hwsim results store ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open ({exc.strerror})") from None

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _check_schema(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if row is None:
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (STORE_SCHEMA,))
        elif row[0] != STORE_SCHEMA:
            raise StoreError(f"{self.path}: store schema {row[0]!r}, this hwsim reads {STORE_SCHEMA!r}")
        # A metric added to hwsim after the store was made gets its column, empty for old rows.
        present = {info[1] for info in self._db.execute("PRAGMA table_info(points)")}
        for column in METRIC_COLUMNS:
            if column not in present:
                self._db.execute(f"ALTER TABLE points ADD COLUMN {column} REAL")

    def set_meta(self, values: dict[str, str]) -> None:
        """Record sweep-level provenance (sweep name, file hash, hwsim version)."""
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT name, value FROM meta").fetchall())

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM points").fetchone()[0])

    def status_counts(self) -> dict[str, int]:
        """Stored points by outcome: ``ok``, ``error`` and, of the ok ones, ``feasible``."""
        ok, error, feasible = self._db.execute(
            "SELECT COALESCE(SUM(status = 'ok'), 0), COALESCE(SUM(status = 'error'), 0),"
            " COALESCE(SUM(feasible = 1), 0) FROM points").fetchone()
        return {"ok": int(ok), "error": int(error), "feasible": int(feasible)}

    def apply_constraints(self, constraints: Sequence[ConstraintSpec]) -> None:
        """Recompute ``feasible`` of every successful point for ``constraints``.

        A resumed sweep may have changed its constraints; the stored metrics decide anew.
        A metric that was not measured (NULL) never satisfies a constraint.
        """
        terms = [f"COALESCE({c.metric.value} {c.op} ?, 0)" for c in constraints]
        condition = " AND ".join(terms) if terms else "1"
        with self._transaction():
            self._db.execute(f"UPDATE points SET feasible = ({condition}) WHERE status = 'ok'",
                             [c.value for c in constraints])

    def provenance(self) -> dict[str, tuple[str, str]]:
        """key -> (arch_sha256, model_sha256) of every stored point."""
        return {k: (a, m) for k, a, m in self._db.execute("SELECT key, arch_sha256, model_sha256 FROM points")}

    def delete_errors(self) -> int:
        """Forget failed points so that a resumed sweep runs them again; returns how many."""
        with self._transaction():
            return self._db.execute("DELETE FROM points WHERE status = 'error'").rowcount

    def write(self, results: Iterable[tuple[DesignPoint, PointResult]], *, version: str, sweep_sha256: str,
              constraints: Sequence[ConstraintSpec] = ()) -> int:
        """Insert results in one transaction; returns how many were new (duplicates are ignored).

        ``version`` is recorded for results that do not carry their worker's hwsim version.
        """
        rows = [_row(point, result, version, sweep_sha256, constraints) for point, result in results]
        placeholders = ", ".join("?" for _ in _POINT_COLUMNS)
        with self._transaction():
            before = self._db.total_changes
            self._db.executemany(f"INSERT OR IGNORE INTO points ({', '.join(_POINT_COLUMNS)}) VALUES ({placeholders})",
                                 rows)
            return self._db.total_changes - before

    def points(self, *, model: str | None = None, ok_only: bool = False, key: str | None = None) -> Iterator[StoredPoint]:
        """Stored rows in key order (optionally one model's, only successful ones, or one key)."""
        where, args = [], []
        if key is not None:
            where.append("key = ?")
            args.append(key)
        if model is not None:
            where.append("model = ?")
            args.append(model)
        if ok_only:
            where.append("status = 'ok'")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        cols = ("key", "model", "design", "arch", "parameters_json", "status", "error", "feasible",
                *METRIC_COLUMNS, "hwsim_version", "arch_sha256", "model_sha256", "elapsed_s")
        for row in self._db.execute(f"SELECT {', '.join(cols)} FROM points{clause} ORDER BY key", args):
            values = dict(zip(cols, row))
            yield StoredPoint(
                key=values["key"], model=values["model"], design=values["design"], arch=values["arch"],
                parameters=json.loads(values["parameters_json"]), status=Status(values["status"]),
                error=values["error"], feasible=None if values["feasible"] is None else bool(values["feasible"]),
                metrics={m: _nan(values[m.value]) for m in Metric},
                hwsim_version=values["hwsim_version"], arch_sha256=values["arch_sha256"],
                model_sha256=values["model_sha256"], elapsed_s=values["elapsed_s"],
            )

    def report_json(self, key: str) -> str | None:
        """The full report JSON of one point (a key or a unique key prefix); None if absent."""
        found = self.find(key)
        return None if found is None else found[1]

    def find(self, key: str) -> tuple[StoredPoint, str | None] | None:
        """The point whose key is ``key`` or starts with it (if only one does), and its report JSON."""
        rows = self._db.execute("SELECT key, report_json FROM points WHERE key LIKE ? || '%' LIMIT 2",
                                (key,)).fetchall()
        if len(rows) != 1:
            return None
        full, text = rows[0]
        point = next(self.points(key=full))
        return point, text

    def models(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT DISTINCT model FROM points ORDER BY model")]

    def _transaction(self):
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (including KeyboardInterrupt)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _row(point: DesignPoint, result: PointResult, version: str, sweep_sha256: str,
         constraints: Sequence[ConstraintSpec]) -> tuple[Any, ...]:
    if point.key != result.key:
        raise ValueError(f"result {result.key} does not belong to point {point.key}")
    metrics: dict[Metric, float | None] = {m: None for m in Metric}
    feasible: int | None = None
    if result.status is Status.OK and result.report_json is not None:
        known = {m.value: m for m in Metric}
        measured = ({known[name]: value for name, value in result.metrics if name in known}
                    if result.metrics else headline_metrics(json.loads(result.report_json)))
        measured = {m: measured.get(m, float("nan")) for m in Metric}
        metrics.update({m: (None if v != v else v) for m, v in measured.items()})
        feasible = int(all(c.holds(measured[c.metric]) for c in constraints))
    values = {
        "key": point.key, "model": point.model, "design": point.design, "arch": point.arch,
        "parameters_json": json.dumps(dict(point.parameters), sort_keys=True),
        "status": result.status.value, "error": result.error, "feasible": feasible,
        **{m.value: v for m, v in metrics.items()},
        "report_json": result.report_json, "hwsim_version": result.hwsim_version or version, "arch_sha256": point.arch_sha256,
        "model_sha256": point.model_sha256, "sweep_sha256": sweep_sha256, "elapsed_s": result.elapsed_s,
        "worker": result.worker, "finished_unix_s": time.time(),
    }
    return tuple(values[c] for c in _POINT_COLUMNS)


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def check_store_path(path: Path) -> None:
    """Refuse a store path that is not a regular file or a place to create one, before anything is created."""
    import os
    import stat

    from hwsim.input_files import file_kind

    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot open ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        raise StoreError(f"{path}: is {file_kind(mode)}, not a results store")


def open_existing(path: Path) -> ResultStore:
    """Open a store that must already exist (export, pareto)."""
    if not Path(path).is_file():
        raise StoreError(f"{path}: results store not found")
    return ResultStore(path)
