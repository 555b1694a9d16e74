"""Write result files all or none: each complete or absent, a command's outputs together or not at all.

:class:`OutputSet` collects every file a command writes (the JSON, the CSV, the plot...), then
:meth:`OutputSet.commit` writes them in two phases:

1. **stage**: every target is checked and every file's bytes go to a temporary file beside
   its target, flushed and fsynced; a full disk (ENOSPC), an I/O error (EIO) or a refused
   permission fails here, the temporaries are removed, and no target has changed;
2. **commit**: each temporary is renamed over its target.  An existing target is first
   hard-linked to a backup, so a rename that fails part-way puts every earlier target back.

What a target may be:

- absent (its folders are created; folders created for a commit that fails are removed), or
  an existing **regular file**, which is replaced;
- never a directory, FIFO, socket or device (``--json /dev/full`` would otherwise have the
  device node replaced by a regular file, or write into a pipe that nobody reads);
- a **symlink is followed**: the file written is the link's final target, which must be a
  regular file, and the link is kept (``results/latest.json -> run7.json`` updates
  ``run7.json``).  A dangling symlink is refused: it would create a file at a place the
  command line does not name.

Every failure is one :class:`HwsimError` line naming the path and the reason.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from hwsim.errors import HwsimError
from hwsim.input_files import file_kind


_NO_HARD_LINKS = frozenset({errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP})


@dataclass
class _Entry:
    path: Path            # as the user named it
    target: Path          # the file that is written (a symlink's final target)
    data: bytes
    only_if_changed: bool
    tmp: Path | None = None
    backup: Path | None = None
    existed: bool = False
    skipped: bool = False
    renamed: bool = False


class OutputSet:
    """The files one command writes, committed all or none (see the module docstring)."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []

    def add(self, path: Path | str, data: bytes | str, *, only_if_changed: bool = False) -> None:
        """Add ``data`` (text is UTF-8 encoded) for ``path``.

        ``only_if_changed`` leaves a target that already holds exactly ``data`` untouched (its
        mtime too: a Verilator build recompiles a file with a new mtime).
        """
        path = Path(path)
        payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        target = resolve_target(path)
        for entry in self._entries:
            if entry.target == target:
                raise HwsimError(f"{path}: named for two outputs of one command")
        self._entries.append(_Entry(path, target, payload, only_if_changed))

    def commit(self) -> list[tuple[Path, bool]]:
        """Write every file or none; returns (path as named, written) per file in order."""
        created_dirs: list[Path] = []
        try:
            for entry in self._entries:
                self._stage(entry, created_dirs)
            for entry in self._entries:
                self._replace(entry)
        except BaseException as exc:
            self._roll_back(created_dirs)
            if isinstance(exc, OSError):
                where = getattr(exc, "hwsim_path", None) or (self._entries[0].path if self._entries else "")
                raise HwsimError(f"{where}: cannot write ({_reason(exc)})") from None
            raise
        for entry in self._entries:
            if entry.backup is not None:
                _unlink_quietly(entry.backup)
        return [(entry.path, not entry.skipped) for entry in self._entries]

    def _stage(self, entry: _Entry, created_dirs: list[Path]) -> None:
        try:
            _make_dirs(entry.target.parent, created_dirs)
            try:
                info = os.stat(entry.target)
            except FileNotFoundError:
                info = None
            if info is not None:
                if not stat.S_ISREG(info.st_mode):  # it changed since add()
                    raise HwsimError(f"{entry.path}: is {file_kind(info.st_mode)}, not a file hwsim may replace")
                entry.existed = True
                if entry.only_if_changed and info.st_size == len(entry.data) and _holds(entry.target, entry.data):
                    entry.skipped = True
                    return
            entry.tmp = entry.target.with_name(f".{entry.target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            # not mkstemp: it creates 0600, and results are ordinary files (0666 less the umask)
            fd = os.open(entry.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            try:
                view = memoryview(entry.data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            exc.hwsim_path = entry.path  # type: ignore[attr-defined]
            raise

    def _replace(self, entry: _Entry) -> None:
        if entry.skipped:
            return
        try:
            if entry.existed:
                backup = entry.target.with_name(f".{entry.target.name}.{os.getpid()}.{secrets.token_hex(4)}.bak")
                try:
                    os.link(entry.target, backup)
                    entry.backup = backup
                except OSError as exc:
                    if exc.errno not in _NO_HARD_LINKS:
                        raise  # else: a file system without hard links; replace without a backup
            os.replace(entry.tmp, entry.target)
            entry.tmp = None
            entry.renamed = True
        except OSError as exc:
            exc.hwsim_path = entry.path  # type: ignore[attr-defined]
            raise

    def _roll_back(self, created_dirs: list[Path]) -> None:
        for entry in reversed(self._entries):
            if entry.tmp is not None:
                _unlink_quietly(entry.tmp)
            if entry.renamed:
                if entry.backup is not None:
                    try:
                        os.replace(entry.backup, entry.target)
                    except OSError:
                        pass
                elif not entry.existed:
                    _unlink_quietly(entry.target)
            elif entry.backup is not None:
                _unlink_quietly(entry.backup)
        for folder in reversed(created_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass


def resolve_target(path: Path) -> Path:
    """The file a write to ``path`` replaces: ``path`` itself, or a symlink's final regular-file target.

    Raises HwsimError for a directory, FIFO, socket or device, and for a dangling symlink.
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path
    except (OSError, ValueError) as exc:
        raise HwsimError(f"{path}: cannot write ({_reason(exc) if isinstance(exc, OSError) else 'not a valid file name'})") from None
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        try:
            info = os.stat(target)
        except FileNotFoundError:
            raise HwsimError(f"{path}: is a symlink to {target}, which does not exist; hwsim follows symlinks to "
                             "existing files only") from None
        except OSError as exc:
            raise HwsimError(f"{path}: cannot write ({_reason(exc)})") from None
        if not stat.S_ISREG(info.st_mode):
            raise HwsimError(f"{path}: is a symlink to {file_kind(info.st_mode)} ({target}), not a file hwsim may replace")
        return target
    if not stat.S_ISREG(info.st_mode):
        raise HwsimError(f"{path}: is {file_kind(info.st_mode)}, not a file hwsim may replace")
    return path


def write_bytes_atomic(path: Path | str, data: bytes | str) -> None:
    """Write one file complete or not at all (see :class:`OutputSet`)."""
    outputs = OutputSet()
    outputs.add(path, data)
    outputs.commit()


def _make_dirs(folder: Path, created: list[Path]) -> None:
    """``mkdir -p folder``, remembering the folders it created (outermost first)."""
    missing = []
    probe = folder
    while not probe.exists():
        if probe.is_symlink():
            raise HwsimError(f"{probe}: is a dangling symlink, not a folder hwsim may write into")
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise HwsimError(f"{probe}: is not a folder, so {folder} cannot be created in it")
    for item in reversed(missing):
        try:
            item.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise HwsimError(f"{item}: cannot create the folder ({_reason(exc)})") from None
        created.append(item)


def _holds(path: Path, data: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
