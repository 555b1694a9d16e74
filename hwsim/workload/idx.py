"""Read image and label files in the IDX format (the format MNIST is distributed in).

An IDX file is a 4-byte magic number ``0x00 0x00 <type> <dims>``, ``dims`` big-endian uint32
sizes, then the data in row-major order.  hwsim reads unsigned-byte files (type ``0x08``) only:
images with 3 dimensions (count, rows, columns) and labels with 1, plain or gzip-compressed
(``.gz``).  hwsim never downloads them; a model file names local copies (see
:mod:`hwsim.workload.snn_file`, data set ``mnist_idx``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.input_files import read_bytes, read_gzip
from hwsim.limits import MAX_IDX_BYTES

UBYTE = 0x08


def read_idx(path: Path, dims: int) -> np.ndarray:
    """The unsigned-byte array of an IDX file with ``dims`` dimensions.

    Raises
    ------
    WorkloadError
        When the file is missing, is not an unsigned-byte IDX file of ``dims`` dimensions, or is
        shorter than its header says.
    """
    if not path.exists():
        raise WorkloadError(f"{path}: IDX file not found")
    read = read_gzip if path.suffix == ".gz" else read_bytes
    raw = read(path, max_bytes=MAX_IDX_BYTES, what="IDX file", error=WorkloadError)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise WorkloadError(f"{path}: not an IDX file (it does not start with two zero bytes)")
    if raw[2] != UBYTE or raw[3] != dims:
        raise WorkloadError(
            f"{path}: IDX type 0x{raw[2]:02x} with {raw[3]} dimensions; expected unsigned bytes (0x08) with {dims}"
        )
    header = 4 + 4 * dims
    if len(raw) < header:
        raise WorkloadError(f"{path}: the IDX header is cut short")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    size = int(np.prod(shape))
    if len(raw) - header < size:
        raise WorkloadError(f"{path}: the header announces {'x'.join(map(str, shape))} values, the file holds {len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, count=size, offset=header).reshape(shape)


def read_idx_dataset(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    """(inputs (B, rows*cols) int64, labels (B,) int64) from an image file and its label file."""
    x = read_idx(images, 3)
    y = read_idx(labels, 1)
    if len(x) != len(y):
        raise WorkloadError(f"{images}: {len(x)} images, but {labels} holds {len(y)} labels")
    return x.reshape(len(x), -1).astype(np.int64), y.astype(np.int64)
