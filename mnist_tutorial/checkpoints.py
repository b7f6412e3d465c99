"""Write a trained network's checkpoint so that it is whole or absent, and check one before use.

`tf.train.Saver` writes three files under a prefix (`model.index`, `model.data-...`, `model.meta`).
`save()` has it write them into a fresh hidden folder, takes the SHA-256 of each, and only then
moves the folder into place as `checkpoints/<notebook>/` (see `atomic_files.replacing_folder`), so an
interrupted save never leaves a half-written checkpoint where a later notebook would look. The digests
go into the run's record (`results/<notebook>.json`); `differences()` compares them (`classifiers.check`
calls it before anything is restored), which tells a damaged, truncated or swapped checkpoint from the
one the notebook wrote.
"""

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from . import atomic_files, paths

if TYPE_CHECKING:
    import tensorflow.compat.v1 as tf

PREFIX = "model"


def save(saver: "tf.train.Saver", session: "tf.Session", run_name: str) -> dict[str, str]:
    """Save `session`'s variables and graph as `checkpoints/<run_name>/`; return {file name: SHA-256}."""
    folder = paths.checkpoint_prefix(run_name).parent
    folder.parent.mkdir(parents=True, exist_ok=True)
    with atomic_files.replacing_folder(folder) as staging:
        saver.save(session, str(staging / PREFIX), write_state=False)
        digests = digest_files(staging)
    return digests


def digest_files(folder: str | os.PathLike) -> dict[str, str]:
    """{name: SHA-256} of the checkpoint files in `folder`."""
    return {path.name: _sha256(path) for path in sorted(Path(folder).glob(f"{PREFIX}.*"))}


def differences(run_name: str, expected: dict[str, str]) -> list[str]:
    """What in `checkpoints/<run_name>/` differs from the digests `expected`; empty when it matches."""
    folder = paths.checkpoint_prefix(run_name).parent
    found = digest_files(folder) if folder.is_dir() else {}
    problems = [f"{name} is missing" for name in sorted(set(expected) - set(found))]
    problems += [f"{name} has changed" for name in sorted(set(expected) & set(found)) if found[name] != expected[name]]
    problems += [f"{name} was not written by that run" for name in sorted(set(found) - set(expected))]
    return problems


def _sha256(path):
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
