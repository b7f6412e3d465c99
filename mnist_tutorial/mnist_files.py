"""The four MNIST files: find them, check them, download the missing ones, and parse them.

Every file is checked before use: its IDX magic number, its shape, its length and the
SHA-256 of its uncompressed content. A bad file stops the load with an error that names
the file and says how to fix it; it is never replaced or overwritten.
"""

import hashlib
import os
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from . import atomic_files

#: Public mirrors of the original files, tried in order (the ones TensorFlow and torchvision use).
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)

#: Seconds one file's download may take in all, and one read may wait for data. A mirror that
#: trickles bytes is given up at the deadline rather than holding the notebook for ever.
DOWNLOAD_DEADLINE = 300
READ_TIMEOUT = 30

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801


class MnistFileError(Exception):
    """A MNIST file is missing, unreadable, or not the file it should be."""


@dataclass(frozen=True)
class MnistFile:
    """One of the four files: its name, and what its content must be."""

    name: str  # the gzip file's name
    magic: int
    count: int
    content_sha256: str  # of the uncompressed IDX content

    @property
    def is_images(self) -> bool:
        return self.magic == IMAGES_MAGIC

    @property
    def header_size(self) -> int:
        return 16 if self.is_images else 8

    @property
    def content_size(self) -> int:
        return self.header_size + self.count * (28 * 28 if self.is_images else 1)

    @property
    def max_file_size(self) -> int:
        """The most bytes a good copy can take on disk: the uncompressed content, plus room for a
        gzip header (compressing MNIST only ever makes it smaller)."""
        return self.content_size + (1 << 16)


TRAIN_IMAGES = MnistFile(
    "train-images-idx3-ubyte.gz",
    IMAGES_MAGIC,
    60000,
    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
)
TRAIN_LABELS = MnistFile(
    "train-labels-idx1-ubyte.gz",
    LABELS_MAGIC,
    60000,
    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
)
TEST_IMAGES = MnistFile(
    "t10k-images-idx3-ubyte.gz", IMAGES_MAGIC, 10000, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
)
TEST_LABELS = MnistFile(
    "t10k-labels-idx1-ubyte.gz", LABELS_MAGIC, 10000, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
)
ALL_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

_FIX = (
    "Restore a good copy (in this repo: `git checkout -- mnist_data/`), or move the bad file "
    "away so that the next load downloads a fresh one."
)


def locate(directory: str | os.PathLike, spec: MnistFile) -> Path | None:
    """The path of `spec` in `directory`: the .gz file, or else an uncompressed copy; None if neither.

    MnistFileError for what stands in the way of both finding and downloading it: a folder in its place, a
    symbolic link to nothing, or a folder this process may not look into."""
    directory = Path(directory)
    for candidate in (directory / spec.name, directory / spec.name[: -len(".gz")]):
        try:
            if candidate.is_file():
                return candidate
            if candidate.is_symlink() and not candidate.exists():
                raise MnistFileError(
                    f"{candidate} is a symbolic link to {os.readlink(candidate)}, which does not exist: point it "
                    f"at the MNIST file, or remove the link so that the next load downloads a fresh copy."
                )
            if candidate.exists():
                raise MnistFileError(
                    f"{candidate} is a folder (or other non-file) where the MNIST file {candidate.name} "
                    f"belongs: move it away, then load again."
                )
        except OSError as error:
            raise MnistFileError(
                f"{directory} cannot be searched for the MNIST file {candidate.name} ({error.strerror}): give this "
                f"process permission to read the folder (chmod u+rx {directory}), or give read_data_sets a "
                f"folder it can read."
            ) from None
    return None


def read_content(path: str | os.PathLike, spec: MnistFile, label: str | None = None, fix: str = _FIX) -> bytes:
    """The checked, uncompressed IDX content of `path`, which should hold `spec`.

    `label` names the file in error messages (default: its path) and `fix` says what to do.
    Neither a huge file nor a gzip that inflates without end is read further than a good copy.
    """
    path = Path(path)
    label = label or str(path)
    try:
        size = path.stat().st_size
        if size > spec.max_file_size:
            raise MnistFileError(
                f"{label} is {size:,} bytes, more than the MNIST file it should be "
                f"(at most {spec.max_file_size:,}): it is another file. {fix}".rstrip()
            )
        raw = path.read_bytes()
    except OSError as error:
        raise MnistFileError(
            f"{label} cannot be read ({error.strerror}): give this process permission to read it "
            f"(chmod u+r {path}). {fix}".rstrip()
        ) from None
    if raw[:2] == b"\x1f\x8b":
        content = _gunzip(raw, spec, label, fix)
    elif path.suffix == ".gz":
        raise MnistFileError(f"{label} is not a gzip file although its name ends in .gz. {fix}".rstrip())
    else:
        content = raw
    check_content(content, label, spec, fix)
    return content


def _gunzip(raw, spec, label, fix):
    """Decompress one gzip member, stopping one byte past the size a good copy has."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        content = inflater.decompress(raw, spec.content_size + 1)
    except zlib.error as exc:
        raise MnistFileError(f"{label} is a damaged gzip file ({exc}). {fix}".rstrip()) from None
    if len(content) > spec.content_size:
        raise MnistFileError(
            f"{label} decompresses to more than the {spec.content_size:,} bytes of the "
            f"MNIST file: it is another file. {fix}".rstrip()
        )
    if not inflater.eof:
        raise MnistFileError(
            f"{label} is a damaged gzip file (it ends before its compressed data "
            f"does): it was probably cut short while being copied or downloaded. "
            f"{fix}".rstrip()
        )
    return content


def check_content(content: bytes, label: str, spec: MnistFile, fix: str = _FIX) -> None:
    """Raise MnistFileError unless `content` is exactly the original IDX content of `spec`."""
    kind = "images" if spec.is_images else "labels"
    magic = int.from_bytes(content[:4], "big") if len(content) >= 4 else None
    if magic != spec.magic:
        found = "no header at all" if magic is None else f"magic number 0x{magic:08x}"
        raise MnistFileError(
            f"{label} is not an MNIST {kind} file: it has {found} where 0x{spec.magic:08x} belongs. "
            f"Is another file stored under this name? {fix}".rstrip()
        )
    if len(content) < spec.header_size:
        raise MnistFileError(f"{label} ends inside its header: the file is truncated. {fix}".rstrip())
    dims = np.frombuffer(content, ">u4", count=spec.header_size // 4)[1:].tolist()
    expected = [spec.count, 28, 28] if spec.is_images else [spec.count]
    if dims != expected:
        raise MnistFileError(
            f"{label} has the header of a {' x '.join(map(str, dims))} {kind} file; the MNIST one "
            f"is {' x '.join(map(str, expected))}. {fix}".rstrip()
        )
    if len(content) != spec.content_size:
        problem = "is truncated" if len(content) < spec.content_size else "has extra bytes at the end"
        raise MnistFileError(
            f"{label} {problem}: {len(content):,} bytes of content where its header promises "
            f"{spec.content_size:,}. {fix}".rstrip()
        )
    digest = hashlib.sha256(content).hexdigest()
    if digest != spec.content_sha256:
        raise MnistFileError(
            f"{label} has the right shape but not the original content (SHA-256 {digest[:16]}..., "
            f"expected {spec.content_sha256[:16]}...): it is corrupt or has been modified. {fix}".rstrip()
        )


def parse(content: bytes, spec: MnistFile) -> np.ndarray:
    """The images as a uint8 array [count, 28, 28], or the labels as a uint8 array [count]."""
    shape = (spec.count, 28, 28) if spec.is_images else (spec.count,)
    return np.frombuffer(content, np.uint8, offset=spec.header_size).reshape(shape)


def download(
    spec: MnistFile,
    directory: str | os.PathLike,
    mirrors: Sequence[str] = MIRRORS,
    progress: bool = True,
    deadline: float = DOWNLOAD_DEADLINE,
) -> Path:
    """Download `spec` into `directory` from the first mirror that serves a good copy; return its path.

    The file is written under a temporary name (`.<name>.*.part`, see `atomic_files.replacing_file`),
    checked, and only then moved into place, so a good file never sits next to a half-written one. A
    failed or interrupted download removes its temporary file; a process killed outright cannot, so
    each download first clears such files left over from earlier downloads that ran past their
    deadline. Each mirror has `deadline` seconds in all and may send no more than a good copy's size.
    """
    directory = Path(directory)
    target = directory / spec.name
    if target.exists() or target.is_symlink():
        raise MnistFileError(f"{target} exists already; it is not downloaded over.")
    _make_folder(directory)
    _remove_stale_downloads(directory, spec, deadline)
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + spec.name
        try:
            with atomic_files.replacing_file(target, suffix=".part") as out:
                _fetch(url, out, spec, progress, deadline)
                out.flush()
                read_content(out.name, spec, label=f"the file served as {url}", fix="")
            return target
        except atomic_files.FolderNotWritable as exc:
            raise MnistFileError(
                f"{target} is missing and cannot be downloaded: this process cannot write into "
                f"{directory} ({exc.strerror}). Copy the four MNIST .gz files there by hand, or give "
                f"read_data_sets a folder you can write to."
            ) from None
        except (OSError, urllib.error.URLError, MnistFileError) as exc:
            failures.append(f"  {url}: {exc}")
    raise MnistFileError(
        f"{target} is missing, and no mirror gave a good copy:\n"
        + "\n".join(failures)
        + f"\nWithout a network, copy the four MNIST .gz files into {directory} by hand "
        f"(this repo ships them in mnist_data/)."
    )


def _make_folder(directory):
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise MnistFileError(
            f"{directory} is a file, not a folder: give the folder that should hold the four MNIST .gz files."
        ) from None
    except OSError as exc:
        raise MnistFileError(
            f"Cannot create the folder {directory} for the MNIST files "
            f"({exc.strerror}): give a folder you can write to."
        ) from None


def _remove_stale_downloads(directory, spec, deadline):
    """Delete `.part` files of `spec` older than any download still running could be."""
    cutoff = time.time() - deadline - READ_TIMEOUT
    for leftover in directory.glob(f".{spec.name}.*.part"):
        try:
            if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            pass  # another process's file, or gone already: not ours to worry about


def _fetch(url: str, out: BinaryIO, spec: MnistFile, progress: bool, deadline: float) -> None:
    """Copy `url` into `out`, giving up past `deadline` seconds or past a good copy's size."""
    started = time.monotonic()
    limit = spec.max_file_size
    with urllib.request.urlopen(url, timeout=min(READ_TIMEOUT, deadline)) as response:
        declared = int(response.headers.get("Content-Length") or 0)
        if declared > limit:
            raise MnistFileError(
                f"it offers {declared:,} bytes, more than the MNIST file can be ({limit:,}): not downloaded"
            )
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=declared or None, unit="B", unit_scale=True, desc=f"Downloading {spec.name}")
        received = 0
        try:
            while chunk := response.read1(1 << 16):
                received += len(chunk)
                if received > limit:
                    raise MnistFileError(f"it sent more than {limit:,} bytes, more than the MNIST file can be: stopped")
                if time.monotonic() - started > deadline:
                    raise TimeoutError(
                        f"gave up after {deadline} s with {received:,} bytes received: the mirror is too slow"
                    )
                out.write(chunk)
                if bar is not None:
                    bar.update(len(chunk))
        finally:
            if bar is not None:
                bar.close()
