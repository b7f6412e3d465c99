"""The four MNIST files: find them, check them, download the missing ones, and parse them.

Every file is checked before use: its IDX magic number, its shape, its length and the
SHA-256 of its uncompressed content. A bad file stops the load with an error that names
the file and says how to fix it; it is never replaced or overwritten.
"""

import gzip
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Public mirrors of the original files, tried in order (the ones TensorFlow and torchvision use).
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801


class MnistFileError(Exception):
    """A MNIST file is missing, unreadable, or not the file it should be."""


@dataclass(frozen=True)
class MnistFile:
    name: str  # the gzip file's name
    magic: int
    count: int
    content_sha256: str  # of the uncompressed IDX content

    @property
    def is_images(self):
        return self.magic == IMAGES_MAGIC

    @property
    def header_size(self):
        return 16 if self.is_images else 8

    @property
    def content_size(self):
        return self.header_size + self.count * (28 * 28 if self.is_images else 1)


TRAIN_IMAGES = MnistFile("train-images-idx3-ubyte.gz", IMAGES_MAGIC, 60000,
                         "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db")
TRAIN_LABELS = MnistFile("train-labels-idx1-ubyte.gz", LABELS_MAGIC, 60000,
                         "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5")
TEST_IMAGES = MnistFile("t10k-images-idx3-ubyte.gz", IMAGES_MAGIC, 10000,
                        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7")
TEST_LABELS = MnistFile("t10k-labels-idx1-ubyte.gz", LABELS_MAGIC, 10000,
                        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")
ALL_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

_FIX = ("Restore a good copy (in this repo: `git checkout -- mnist_data/`), or move the bad file "
        "away so that the next load downloads a fresh one.")


def locate(directory, spec):
    """The path of `spec` in `directory`: the .gz file, or else an uncompressed copy; None if neither."""
    directory = Path(directory)
    for candidate in (directory / spec.name, directory / spec.name[:-len(".gz")]):
        if candidate.is_file():
            return candidate
    return None


def read_content(path, spec):
    """The checked, uncompressed IDX content of `path`, which should hold `spec`."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            content = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise MnistFileError(
                f"{path} is a damaged gzip file ({exc}): it was probably cut short while being "
                f"copied or downloaded. {_FIX}") from None
    elif path.suffix == ".gz":
        raise MnistFileError(f"{path} is not a gzip file although its name ends in .gz. {_FIX}")
    else:
        content = raw
    check_content(content, path, spec)
    return content


def check_content(content, path, spec):
    """Raise MnistFileError unless `content` is exactly the original IDX content of `spec`."""
    kind = "images" if spec.is_images else "labels"
    magic = int.from_bytes(content[:4], "big") if len(content) >= 4 else None
    if magic != spec.magic:
        found = "no header at all" if magic is None else f"magic number 0x{magic:08x}"
        raise MnistFileError(
            f"{path} is not an MNIST {kind} file: it has {found} where 0x{spec.magic:08x} belongs. "
            f"Is another file stored under this name? {_FIX}")
    if len(content) < spec.header_size:
        raise MnistFileError(f"{path} ends inside its header: the file is truncated. {_FIX}")
    dims = np.frombuffer(content, ">u4", count=spec.header_size // 4)[1:].tolist()
    expected = [spec.count, 28, 28] if spec.is_images else [spec.count]
    if dims != expected:
        raise MnistFileError(
            f"{path} has the header of a {' x '.join(map(str, dims))} {kind} file; the MNIST one "
            f"is {' x '.join(map(str, expected))}. {_FIX}")
    if len(content) != spec.content_size:
        problem = "is truncated" if len(content) < spec.content_size else "has extra bytes at the end"
        raise MnistFileError(
            f"{path} {problem}: {len(content):,} bytes of content where its header promises "
            f"{spec.content_size:,}. {_FIX}")
    digest = hashlib.sha256(content).hexdigest()
    if digest != spec.content_sha256:
        raise MnistFileError(
            f"{path} has the right shape but not the original content (SHA-256 {digest[:16]}..., "
            f"expected {spec.content_sha256[:16]}...): it is corrupt or has been modified. {_FIX}")


def parse(content, spec):
    """The images as a uint8 array [count, 28, 28], or the labels as a uint8 array [count]."""
    shape = (spec.count, 28, 28) if spec.is_images else (spec.count,)
    return np.frombuffer(content, np.uint8, offset=spec.header_size).reshape(shape)


def download(spec, directory, mirrors=MIRRORS, progress=True):
    """Download `spec` into `directory` from the first mirror that serves a good copy.

    The file is written under a temporary name, checked, and only then moved into place,
    so a failed or interrupted download never leaves a half-written file behind.
    """
    directory = Path(directory)
    target = directory / spec.name
    if target.exists():
        raise MnistFileError(f"{target} exists already; it is not downloaded over.")
    directory.mkdir(parents=True, exist_ok=True)
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + spec.name
        fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.name}.", suffix=".part", dir=directory)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=30) as response:
                _copy_with_progress(response, out, spec.name, progress)
            read_content(Path(tmp_name), spec)
            os.replace(tmp_name, target)
            return target
        except (OSError, urllib.error.URLError, MnistFileError) as exc:
            failures.append(f"  {url}: {exc}")
        finally:
            if os.path.exists(tmp_name):
                os.remove(tmp_name)
    raise MnistFileError(
        f"{target} is missing, and no mirror gave a good copy:\n" + "\n".join(failures) +
        f"\nWithout a network, copy the four MNIST .gz files into {directory} by hand "
        f"(this repo ships them in mnist_data/).")


def _copy_with_progress(response, out, label, progress):
    total = int(response.headers.get("Content-Length") or 0) or None
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=total, unit="B", unit_scale=True, desc=f"Downloading {label}")
    try:
        while chunk := response.read(1 << 16):
            out.write(chunk)
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()


def load(directory, spec, mirrors=MIRRORS):
    """The checked uint8 array of `spec` from `directory`, downloading the file if it is missing."""
    path = locate(directory, spec)
    if path is None:
        path = download(spec, directory, mirrors)
    return parse(read_content(path, spec), spec)

