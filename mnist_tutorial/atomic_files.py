"""Write a file, or fill a folder, so that it is whole or absent: never half-written where a reader looks.

A file is written to a uniquely named temporary file in its own folder, flushed to disk, and then
renamed over the target (`os.replace`): a reader sees the old content or all of the new; a symlink in
the target's place is replaced, not followed; the temporary file is removed on any failure. A folder
is filled as a hidden staging folder beside the target, then renamed into place.

New files and folders get the ordinary permissions the user's umask gives (0666 and 0777 minus the
umask), as `open()` and `mkdir()` give them: the OS applies the umask, which is never read or changed.
The folder that holds the target must exist.
"""

import contextlib
import errno
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
    staging = _create_unique(path.parent, lambda token: f".{path.name}.new.{token}", _make_new_folder)
    try:
        yield staging
        if not (path.exists() or path.is_symlink()):
            staging.rename(path)
            return
        retired = _create_unique(path.parent, lambda token: f".{path.name}.old.{token}", _make_new_folder)
        try:
            path.rename(retired / path.name)
        except BaseException:
            retired.rmdir()
            raise
        try:
            staging.rename(path)
        except BaseException:
            (retired / path.name).rename(path)  # put the old one back
            retired.rmdir()
            raise
        shutil.rmtree(retired)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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
