"""Write a file, or fill a folder, so that it is whole or absent: never half-written where a reader looks.

A file is written to a uniquely named temporary file in its own folder, flushed to disk, and then
renamed over the target (`os.replace`): a reader sees the old content or all of the new; a symlink in
the target's place is replaced, not followed; the temporary file is removed on any failure. A folder
is filled as a hidden staging folder beside the target, then swapped into place: the old one is moved
aside, the new one renamed into its place, and only then is the old one deleted. A failure (or an
interrupt) at any point of the swap puts the old folder back; a process killed between the two renames
leaves the old folder in `.<name>.old.<random>/<name>`, which `checkpoints.recover` puts back.
`locked()` makes processes that change the same files take turns.

New files and folders get the ordinary permissions the user's umask gives (0666 and 0777 minus the
umask), as `open()` and `mkdir()` give them: the OS applies the umask, which is never read or changed.
The folder that holds the target must exist.
"""

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

#: Random names tried before giving up (as `tempfile` does): all taken means a folder full of leftovers.
_ATTEMPTS = 100

_Created = TypeVar("_Created")


class FolderNotWritable(OSError):
    """The temporary file or folder cannot be created: no permission, read-only, full, or no such folder."""


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` whole or not at all; return the path."""
    return write_bytes(path, text.encode(encoding))


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all; return the path."""
    with replacing_file(path) as file:
        file.write(data)
    return Path(path)


@contextlib.contextmanager
def replacing_file(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[BinaryIO]:
    """A new binary file, open for writing, that replaces `path` when the `with` block ends without an exception.

    Its `name` is its temporary path, `.<name>.<random><suffix>` beside `path`, for a caller that checks
    what it wrote before it is committed. On an exception the temporary file is removed and `path` is
    left as it was. FolderNotWritable when the folder cannot take the temporary file.
    """
    path = Path(path)

    def open_new(name):
        return open(name, "xb", opener=_open_new_file)  # noqa: SIM115 (closed below, by `with file`)

    file = _create_unique(path.parent, lambda token: f".{path.name}.{token}{suffix}", open_new)
    try:
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(file.name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(file.name)
        raise


@contextlib.contextmanager
def replacing_folder(path: str | os.PathLike) -> Iterator[Path]:
    """A new empty folder to fill, which replaces `path` when the `with` block ends without an exception.

    The staging folder is `.<name>.new.<random>` beside `path`. What was at `path` (a folder, or a symlink,
    which is not followed) is moved aside and deleted: `path` is absent only between two renames. On an
    exception the new folder is deleted and `path` is left as it was. FolderNotWritable as for files.
    """
    path = Path(path)
    staging = new_folder_beside(path)
    try:
        yield staging
        retired = swap_folder(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    discard(retired)


def new_folder_beside(path: str | os.PathLike) -> Path:
    """A new, empty, hidden folder `.<name>.new.<random>` beside `path`, to fill and then `swap_folder` into
    place. FolderNotWritable when it cannot be made."""
    path = Path(path)
    return _create_unique(path.parent, lambda token: f".{path.name}.new.{token}", _make_new_folder)


def swap_folder(staging: Path, path: str | os.PathLike) -> Path | None:
    """Put the folder `staging` in `path`'s place. What was there (a folder, or a symlink, which is not
    followed) is moved into a hidden folder `.<name>.old.<random>/` beside it, which is returned, to be
    deleted (`discard`) or put back (`put_back`); None when nothing was there.

    On any failure or interrupt the old one is back in place and `staging` is where it was, whatever
    step the swap had reached: what is on disk decides what to undo, not what the code believes it did.
    """
    path = Path(path)
    if not (path.exists() or path.is_symlink()):
        staging.rename(path)
        return None
    retired = _create_unique(path.parent, lambda token: f".{path.name}.old.{token}", _make_new_folder)
    try:
        path.rename(retired / path.name)
        staging.rename(path)
    except BaseException:
        put_back(retired, path, staging)
        raise
    return retired


def put_back(retired: Path | None, path: str | os.PathLike, staging: Path | None = None) -> None:
    """Undo `swap_folder`: the folder it moved into `retired` goes back to `path`; what stands at `path`
    instead goes back to `staging` (or is deleted when `staging` is None). Safe at any step of the swap."""
    path = Path(path)
    if retired is None:  # nothing was there before: only take the new one away
        if staging is not None and not staging.exists() and path.exists():
            path.rename(staging)
        elif staging is None and path.exists():
            shutil.rmtree(path)
        return
    old = retired / path.name
    if old.exists() or old.is_symlink():
        if path.exists() or path.is_symlink():  # the new one went in: take it out again
            if staging is not None and not staging.exists():
                path.rename(staging)
            elif path.is_symlink() or not path.is_dir():
                path.unlink()
            else:
                shutil.rmtree(path)
        old.rename(path)
    with contextlib.suppress(OSError):
        retired.rmdir()


def discard(retired: Path | None) -> None:
    """Delete the folder `swap_folder` moved aside (nothing for None)."""
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def staged_file(path: str | os.PathLike, data: bytes, suffix: str = ".tmp") -> Path:
    """Write `data` to a new temporary file `.<name>.<random><suffix>` beside `path`, flushed to disk, and
    return its path, for the caller to `os.replace` over `path` (or remove). Nothing is left on a failure.
    FolderNotWritable when the folder cannot take it."""
    path = Path(path)

    def open_new(name):
        return open(name, "xb", opener=_open_new_file)  # noqa: SIM115 (closed below, by `with file`)

    file = _create_unique(path.parent, lambda token: f".{path.name}.{token}{suffix}", open_new)
    try:
        with file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(file.name)
        raise
    return Path(file.name)


@contextlib.contextmanager
def locked(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (made if missing; it stays, empty) for the `with` block:
    another process (or thread) that asks for the same lock waits until this one is released. The lock
    is the operating system's (`flock`), so a process that dies releases it. FolderNotWritable when the
    lock file can be neither opened nor made."""
    path = Path(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError as error:
        raise FolderNotWritable(error.errno, error.strerror, str(path)) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # which releases the lock


def _open_new_file(name, flags):
    return os.open(name, flags, 0o666)  # the OS takes the umask off, as for any new file


def _make_new_folder(name):
    os.mkdir(name, 0o777)  # the OS takes the umask off, as for any new folder
    return name


def _create_unique(folder: Path, name_for: Callable[[str], str], create: Callable[[Path], _Created]) -> _Created:
    """`create(folder / name_for(token))` with the first random token whose name is free."""
    for _ in range(_ATTEMPTS):
        name = folder / name_for(secrets.token_hex(6))
        try:
            return create(name)
        except FileExistsError:
            continue
        except OSError as error:
            raise FolderNotWritable(error.errno, error.strerror, str(name)) from None
    raise FolderNotWritable(
        errno.EEXIST,
        f"{_ATTEMPTS} random temporary names were all taken: delete the leftover hidden files there",
        str(folder),
    )
