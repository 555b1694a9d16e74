"""Read input files safely: regular files only, bounded in size, text strictly UTF-8.

Every file hwsim reads (YAML, CSV, ``.cfg``, JSON, ``.npz``, ONNX, IDX) goes through
:func:`read_bytes` or :func:`read_text`, so each failure is one sentence naming the file:

- a directory, FIFO, socket or device is refused before it is read (a FIFO or ``/dev/zero``
  would otherwise block or never end);
- a file larger than its kind's limit (:mod:`hwsim.limits`) is refused without reading it all;
- text that is not UTF-8 is refused naming the byte offset and line of the first bad byte (a
  UTF-8 byte-order mark is accepted and dropped).
"""

from __future__ import annotations

import errno
import io
import os
import stat
import zlib
from pathlib import Path

from hwsim.errors import HwsimError
from hwsim.limits import MAX_TEXT_BYTES

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("a directory", "a FIFO", ...)."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def sha256_of_file(path: Path | str, *, what: str = "file", error: type[HwsimError] = HwsimError) -> str:
    """The SHA-256 (hex) of the regular file ``path``, read in blocks whatever its size."""
    import hashlib

    path = Path(path)
    digest = hashlib.sha256()
    with open_regular(path, what, error) as handle:
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        except OSError as exc:
            raise error(f"{path}: cannot be read ({_reason(exc)})") from None
    return digest.hexdigest()


def open_regular(path: Path, what: str, error: type[HwsimError]):
    """``path`` opened for binary reading, refused unless it is a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except ValueError:  # an embedded NUL byte in the path
        raise error(f"{str(path)!r}: not a valid file name") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({_reason(exc)})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"{path}: is {file_kind(mode)}, not a {what}")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def check_size(path: Path | str, handle, max_bytes: int, what: str, error: type[HwsimError]) -> int:
    """The size of the open regular file ``handle``, refused (naming ``path``) above ``max_bytes``."""
    size = os.fstat(handle.fileno()).st_size
    if size > max_bytes:
        raise error(f"{path}: {_size(size)} is more than the {_size(max_bytes)} limit of {_a(what)}")
    return size


def read_bytes(path: Path | str, *, max_bytes: int, what: str = "file",
               error: type[HwsimError] = HwsimError) -> bytes:
    """The contents of the regular file ``path``, at most ``max_bytes`` long.

    Parameters
    ----------
    path
        The file; a symlink is followed.
    max_bytes
        The size limit of this kind of file.
    what
        The kind of file, for messages ("YAML document", "ONNX model").
    error
        The exception raised (one line naming ``path``).
    """
    path = Path(path)
    with open_regular(path, what, error) as handle:
        try:
            check_size(path, handle, max_bytes, what, error)
            chunks, total = [], 0
            while total <= max_bytes:
                chunk = handle.read(min(1 << 24, max_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            data = b"".join(chunks)
        except OSError as exc:
            raise error(f"{path}: cannot be read ({_reason(exc)})") from None
    if len(data) > max_bytes:  # the file grew while being read, or reports no size (/proc)
        raise error(f"{path}: more than the {_size(max_bytes)} limit of {_a(what)}")
    return data


def read_gzip(path: Path | str, *, max_bytes: int, what: str = "file",
              error: type[HwsimError] = HwsimError) -> bytes:
    """The inflated contents of the gzip file ``path``: at most ``max_bytes`` read and inflated
    (a small .gz can inflate without end)."""
    import gzip  # only gzip inputs pay for its import

    raw = read_bytes(path, max_bytes=max_bytes, what=what, error=error)
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as handle:
            data = handle.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise error(f"{path}: cannot be read as gzip ({exc})") from None
    if len(data) > max_bytes:
        raise error(f"{path}: inflates to more than the {_size(max_bytes)} limit of {_a(what)}")
    return data


def read_text(path: Path | str, *, max_bytes: int = MAX_TEXT_BYTES, what: str = "text file",
              error: type[HwsimError] = HwsimError) -> str:
    """The UTF-8 text of ``path`` (see :func:`read_bytes`); a byte-order mark is dropped."""
    data = read_bytes(path, max_bytes=max_bytes, what=what, error=error)
    return decode_utf8(data, path, error)


def decode_utf8(data: bytes, origin: Path | str, error: type[HwsimError] = HwsimError) -> str:
    """``data`` as text, or an error naming ``origin``, the first bad byte, its offset and line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"{origin}: not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line}); "
                    "save the file as UTF-8") from None


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EISDIR:
        return "it is a directory"
    return exc.strerror or type(exc).__name__


def _size(n: int) -> str:
    return f"{n / (1 << 20):.3g} MiB" if n >= 1 << 20 else f"{n:,} bytes"
