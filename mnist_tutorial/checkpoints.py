"""Write a trained network's checkpoint so that it is whole or absent, and check one before use.

`tf.train.Saver` writes three files under a prefix (`model.index`, `model.data-...`, `model.meta`).
`save()` has it write them into a fresh hidden folder, takes the SHA-256 of each, and only then
moves the folder into place as `checkpoints/<notebook>/`, so an interrupted save never leaves a
half-written checkpoint where a later notebook would look. The digests go into the run's record
(`results/<notebook>.json`); `differences()` compares them (`classifiers.check` calls it before
anything is restored), which tells a damaged, truncated or swapped checkpoint from the one the
notebook wrote.
"""

import hashlib
import shutil
import tempfile
from pathlib import Path

from . import paths

PREFIX = "model"


def save(saver, session, run_name):
    """Save `session`'s variables and graph as `checkpoints/<run_name>/`; return {file name: SHA-256}."""
    folder = paths.checkpoint_prefix(run_name).parent
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{run_name}.saving.", dir=folder.parent))
    try:
        saver.save(session, str(staging / PREFIX), write_state=False)
        digests = digest_files(staging)
        if folder.exists() or folder.is_symlink():
            retired = Path(tempfile.mkdtemp(prefix=f".{run_name}.old.", dir=folder.parent))
            folder.rename(retired / folder.name)
            staging.rename(folder)
            shutil.rmtree(retired)
        else:
            staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return digests


def digest_files(folder):
    """{name: SHA-256} of the checkpoint files in `folder`."""
    return {path.name: _sha256(path) for path in sorted(Path(folder).glob(f"{PREFIX}.*"))}


def differences(run_name, expected):
    """What in `checkpoints/<run_name>/` differs from the digests `expected`; empty when it matches."""
    folder = paths.checkpoint_prefix(run_name).parent
    found = digest_files(folder) if folder.is_dir() else {}
    problems = [f"{name} is missing" for name in sorted(set(expected) - set(found))]
    problems += [f"{name} has changed" for name in sorted(set(expected) & set(found))
                 if found[name] != expected[name]]
    problems += [f"{name} was not written by that run" for name in sorted(set(found) - set(expected))]
    return problems


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
