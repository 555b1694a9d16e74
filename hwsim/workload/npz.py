"""Read arrays from a ``.npz`` file without pickles and without trusting its headers.

``numpy.load`` on an ``.npz`` builds each array from the shape its header announces, so a
few kilobytes of compressed zeros can announce terabytes; a pickled (object) array needs
``allow_pickle``; an empty or truncated file raises whatever zipfile raises.  Here every
member hwsim wants is checked first from its ``.npy`` header alone (dtype kind, shape against
what the model expects) and only then read, with ``allow_pickle=False``; members nobody asked
for are never read.  Every failure is one :class:`WorkloadError` naming the file and the array.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.input_files import check_size, open_regular
from hwsim.limits import MAX_NPZ_BYTES

_KIND_WORDS = {"i": "integers", "u": "unsigned integers", "f": "floats", "b": "booleans"}


@dataclass(frozen=True)
class Wanted:
    """What one array must be.

    Parameters
    ----------
    kinds
        Allowed ``numpy.dtype.kind`` letters ("iu" integers, "iuf" numbers).
    shapes
        Allowed shapes; ``None`` to check ``size`` instead.
    size
        Required element count when ``shapes`` is None (any shape with that many elements);
        ``None`` allows any count up to ``max_size``.
    max_size
        Largest element count accepted when neither ``shapes`` nor ``size`` is given.
    label
        The array in messages, plural ("layer 'c1' weights"); default "array '<name>' values".
    missing
        The message when the array is absent; default "no array '<name>'".
    """

    kinds: str
    shapes: tuple[tuple[int, ...], ...] | None = None
    size: int | None = None
    max_size: int = 1 << 20
    label: str = ""
    missing: str = ""

    def problem(self, shape: tuple[int, ...]) -> str | None:
        """Why an array of ``shape`` is not what is wanted, or None when it is."""
        count = math.prod(shape)
        if self.shapes is not None:
            if shape not in self.shapes:
                need = " or ".join(str(s) for s in self.shapes)
                return f"have shape {shape}, the layer needs {need}"
        elif self.size is not None:
            if count != self.size:
                return f"have shape {shape} ({count:,} values), the layer needs {self.size:,}"
        elif count > self.max_size:
            return f"have shape {shape} ({count:,} values), more than the {self.max_size:,} allowed"
        return None


def npz_members(path: Path) -> list[str]:
    """Names of the arrays in ``path`` (without reading any of them)."""
    with _archive(path) as (archive, _):
        return sorted(_members(archive))


def read_npz(path: Path, wanted: Mapping[str, Wanted], *, optional: frozenset[str] = frozenset()) -> dict[str, np.ndarray]:
    """The arrays named in ``wanted``, each checked from its header before it is read.

    Parameters
    ----------
    path
        The ``.npz`` file (a regular file of at most ``MAX_NPZ_BYTES``).
    wanted
        Array name -> what it must be.
    optional
        Names that may be absent (the others must be present).

    Raises
    ------
    WorkloadError
        The file is not a readable ``.npz``, a wanted array is missing, pickled, of the wrong
        kind or shape, or shorter than its header says.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise WorkloadError(f"{path}: weight file not found")
    out: dict[str, np.ndarray] = {}
    with _archive(path) as (archive, _):
        members = _members(archive)
        for name, want in wanted.items():
            info = members.get(name)
            if info is None:
                if name in optional:
                    continue
                raise WorkloadError(f"{path}: {want.missing or f'no array {name!r}'}")
            out[name] = _read_member(path, archive, info, name, want)
    return out


class _archive:
    """``with _archive(path) as (zipfile, handle)``: the regular file opened as a zip archive."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __enter__(self):
        self.handle = open_regular(self.path, "weights .npz file", WorkloadError)
        try:
            size = check_size(self.path, self.handle, MAX_NPZ_BYTES, "weights .npz file", WorkloadError)
            if size == 0:
                raise WorkloadError(f"{self.path}: not a readable .npz file (it is empty)")
            self.archive = zipfile.ZipFile(self.handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
            self.handle.close()
            raise WorkloadError(f"{self.path}: not a readable .npz file ({_first_line(exc)})") from None
        except BaseException:
            self.handle.close()
            raise
        return self.archive, self.handle

    def __exit__(self, *exc: object) -> None:
        self.archive.close()
        self.handle.close()


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    return {info.filename[:-4]: info for info in archive.infolist() if info.filename.endswith(".npy")}


def _read_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, want: Wanted) -> np.ndarray:
    where = f"{path}: {want.label or f'array {name!r} values'}"
    fmt = np.lib.format
    try:
        with archive.open(info) as member:
            version = fmt.read_magic(member)
            if version == (1, 0):
                shape, _, dtype = fmt.read_array_header_1_0(member)
            elif version == (2, 0):
                shape, _, dtype = fmt.read_array_header_2_0(member)
            else:
                raise WorkloadError(f"{where}: .npy format version {version[0]}.{version[1]} is not read by hwsim")
        if dtype.hasobject:
            raise WorkloadError(f"{where} are Python objects (a pickle), which hwsim never loads; save numbers")
        if dtype.kind not in want.kinds:
            words = " or ".join(_KIND_WORDS.get(k, k) for k in want.kinds)
            raise WorkloadError(f"{where} are {dtype}, expected {words}")
        problem = want.problem(tuple(int(d) for d in shape))
        if problem is not None:
            raise WorkloadError(f"{where} {problem}")
        with archive.open(info) as member:
            array = fmt.read_array(member, allow_pickle=False)
    except WorkloadError:
        raise
    except (ValueError, OSError, EOFError, RuntimeError, zipfile.BadZipFile, NotImplementedError) as exc:
        raise WorkloadError(f"{where}: cannot be read ({_first_line(exc)})") from None
    return array


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
