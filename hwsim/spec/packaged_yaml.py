"""The parsed data of hwsim's own YAML files (presets, zoo models), kept as JSON beside their bytecode.

Importing PyYAML and parsing a preset and a zoo model in pure Python is a tenth of a short
``hwsim simulate``.  A shipped file does not change between runs, so the first run keeps its
data in the package's ``__pycache__`` and later runs read that with the C JSON parser:

- Only files in the folders of ``hwsim.presets`` and ``hwsim.models``; a user's file is parsed
  (and checked by the strict loader) every time.
- An entry holds a SHA-256 of the file's text, hwsim's version and the strict loader's source,
  and is used only for that exact triple: an edited file, another hwsim or another loader
  parses the file again (and replaces the entry).
- An entry is written only after the strict loader accepted the file, and only when JSON holds
  the data exactly (strings, numbers, booleans, null, lists, mappings with string keys).
- The spec a file validates to (a tree of frozen dataclasses, :mod:`hwsim.spec.base`) is kept
  too, pickled, so a later run reads a preset or zoo model without importing pydantic.  Its entry
  also holds a SHA-256 of the source of every module whose classes it contains, and is used only
  while all of them are unchanged.
- Written as Python writes bytecode: not under ``-B`` / ``PYTHONDONTWRITEBYTECODE``, silently not
  where the folder is read-only, by an atomic rename.  Whoever can write that folder can
  replace the bytecode beside it, so an entry is trusted as far as the bytecode is; one that
  cannot be read or is not a mapping is ignored and the file parsed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

PACKAGES = ("hwsim.presets", "hwsim.models")
_MAX_ENTRY_BYTES = 1 << 22


def _entry(path: Path, suffix: str = ".json") -> Path | None:
    """Where the data of ``path`` is kept, or None for a file that is not hwsim's own."""
    from hwsim.plugins import package_dir

    try:
        folder = path.parent.resolve()
    except OSError:
        return None
    if not any(folder == package_dir(package).resolve() for package in PACKAGES):
        return None
    return folder / "__pycache__" / f"{path.name}{suffix}"


def _digest(text: str) -> str:
    """SHA-256 of the text with hwsim's version and the strict loader's source: an entry made by
    another version, or by a loader that reads the same text differently, is never used."""
    from hwsim import __version__

    try:
        loader = Path(__file__).with_name("strict_yaml.py").read_bytes()
    except OSError:
        loader = b"?"
    digest = hashlib.sha256(__version__.encode() + b"\0" + loader + b"\0")
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def cached(path: Path, text: str) -> dict[str, Any] | None:
    """The data of ``path`` (whose text is ``text``) as the strict loader gave it, if kept; else None."""
    entry = _entry(path)
    if entry is None:
        return None
    try:
        if entry.stat().st_size > _MAX_ENTRY_BYTES:
            return None
        kept = json.loads(entry.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(kept, dict) or kept.get("sha256") != _digest(text) or not isinstance(kept.get("data"), dict):
        return None
    return kept["data"]


def keep(path: Path, text: str, data: Any) -> None:
    """Keep ``data``, which the strict loader read from ``path``'s ``text``, for the next run."""
    if sys.dont_write_bytecode or not isinstance(data, dict):
        return
    entry = _entry(path)
    if entry is None:
        return
    try:
        body = json.dumps({"sha256": _digest(text), "data": data}, allow_nan=False)
    except (TypeError, ValueError):  # a date, a non-finite number: not kept
        return
    if not _same(json.loads(body)["data"], data):  # an integer key, say
        return
    _write(entry, body.encode("utf-8"))


def cached_spec(path: Path, text: str) -> Any | None:
    """The spec ``path`` (whose text is ``text``) validated to, if kept and still current; else None."""
    entry = _entry(path, SPEC_SUFFIX)
    if entry is None:
        return None
    try:
        if entry.stat().st_size > _MAX_ENTRY_BYTES:
            return None
        header, _, body = entry.read_bytes().partition(b"\n")
        kept = json.loads(header)
        if (not isinstance(kept, dict) or kept.get("sha256") != _digest(text)
                or not isinstance(kept.get("modules"), dict) or kept["modules"] != _module_digests(kept["modules"])):
            return None
        import pickle

        return pickle.loads(body)
    except Exception:  # an entry that cannot be read, or whose classes moved: the file is validated again
        return None


def keep_spec(path: Path, text: str, spec: Any) -> None:
    """Keep ``spec``, validated from ``path``'s ``text`` with no override, for the next run."""
    if sys.dont_write_bytecode:
        return
    entry = _entry(path, SPEC_SUFFIX)
    modules = _modules_of(spec)
    if entry is None or modules is None:
        return
    import pickle

    header = json.dumps({"sha256": _digest(text), "modules": _module_digests(dict.fromkeys(modules, ""))})
    _write(entry, header.encode("utf-8") + b"\n" + pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL))


SPEC_SUFFIX = ".spec.pickle"


def _modules_of(spec: Any) -> set[str] | None:
    """The modules of every class in a spec tree, or None if it holds anything but hwsim's frozen
    dataclasses, enums, tuples and plain values (such a spec is not kept)."""
    import dataclasses
    from enum import Enum

    modules: set[str] = set()
    todo = [spec]
    while todo:
        item = todo.pop()
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            if not item.__dataclass_params__.frozen:
                return None
            todo.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, Enum):
            pass
        elif isinstance(item, tuple):
            todo.extend(item)
            continue
        elif item is None or type(item) in (bool, int, float, str):
            continue
        else:
            return None
        module = type(item).__module__
        if module != "hwsim" and not module.startswith("hwsim."):
            return None
        modules.add(module)
    return modules


def _module_digests(modules: dict[str, Any]) -> dict[str, str]:
    """SHA-256 of the source file of each of hwsim's ``modules`` ("?" where it cannot be read)."""
    import hwsim

    root = Path(hwsim.__file__).parent
    digests = {}
    for name in modules:
        parts = str(name).split(".")[1:]
        try:
            source = root.joinpath(*parts[:-1], f"{parts[-1]}.py").read_bytes() if parts else b"?"
        except OSError:
            source = b"?"
        digests[str(name)] = hashlib.sha256(source).hexdigest()
    return digests


def _write(entry: Path, body: bytes) -> None:
    """Replace ``entry`` with ``body`` atomically; silently nothing where the folder is read-only."""
    import tempfile  # only a run that writes an entry pays for its import

    temp = None
    try:
        entry.parent.mkdir(exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f"{entry.name}.", suffix=".tmp", dir=entry.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temp, entry)
    except OSError:
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass


def _same(a: Any, b: Any) -> bool:
    """``a`` equals ``b`` with the same types throughout (1 is not True, "1" is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b
