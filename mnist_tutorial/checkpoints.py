"""Save a run's checkpoint and record as a pair that is whole or absent, and check a checkpoint before use.

`tf.train.Saver` writes three files under a prefix (`model.index`, `model.data-...`, `model.meta`).
A save (`saving()`, which `results.save` uses) does everything that can fail before anything is
replaced: the saver writes into a fresh hidden folder, the SHA-256 of each file is taken, the record
(which keeps the digests) is serialised and written to a temporary file. Only then is the pair put in
place: the new folder is swapped in for `checkpoints/<notebook>/` (the old one moved aside, see
`atomic_files.swap_folder`), and the record replaces `results/<notebook>.json`, last. A failure at
any step puts the old checkpoint back beside the old record. A lock (`results/.<notebook>.lock`)
makes two saves of one notebook take turns, so that the record of one never lands beside the
checkpoint of the other.

A process killed in the middle of a save cannot undo anything itself; it leaves hidden folders and
files beside the pair. `recover()` (called at the start of every save, and before a checkpoint is
checked) removes them, and where the kill came between the two renames, puts back the checkpoint that
the record vouches for. `differences()` compares the files with the digests of the record
(`classifiers.check` calls it before anything is restored), which tells a damaged, truncated or
swapped checkpoint from the one the notebook wrote.
"""

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import atomic_files, paths

if TYPE_CHECKING:
    import tensorflow.compat.v1 as tf

PREFIX = "model"


class SaveFailed(Exception):
    """A run could not be saved. Nothing was replaced: the last good checkpoint and record are kept."""


def folder_of(run_name: str) -> Path:
    """`checkpoints/<run_name>/`."""
    return paths.checkpoint_prefix(run_name).parent


def lock_path(run_name: str) -> Path:
    """The file whose lock a save of `run_name` holds: `results/.<run_name>.lock`."""
    return paths.results_path(run_name).parent / f".{run_name}.lock"


class PairSave:
    """One save of a run's checkpoint and record, made inside `saving()`: `stage()` the checkpoint (if the
    run has one), then `commit()` the record's text."""

    def __init__(self, run_name: str) -> None:
        self.run_name = run_name
        self.staging: Path | None = None

    def stage(self, saver: "tf.train.Saver", session: "tf.Session") -> dict[str, str]:
        """Have `saver` write `session`'s variables and graph into a new hidden folder beside the checkpoint;
        return {file name: SHA-256}. SaveFailed, in one line, when that cannot be done."""
        import tensorflow.compat.v1 as tf

        folder = folder_of(self.run_name)
        _make_folder(folder.parent, self.run_name)
        try:
            self.staging = atomic_files.new_folder_beside(folder)
            saver.save(session, str(self.staging / PREFIX), write_state=False)
        except (tf.errors.OpError, OSError) as error:
            reason = _reason(error)
            raise SaveFailed(
                f"Nothing was saved for {self.run_name}: the checkpoint could not be written in {folder.parent} "
                f"({reason}). The last good checkpoint and record are kept; make room or permission there (a "
                f"full disk, a file-size limit or a read-only folder stops it), then run this cell again."
            ) from None
        return digest_files(self.staging)

    def commit(self, record_text: str) -> Path:
        """Put the staged checkpoint (if any) and the record `record_text` in place as a pair; return the
        record's path. The record is written to a temporary file first and replaces the old one last; on a
        failure the old checkpoint goes back beside the old record, and SaveFailed says why in one line."""
        record = paths.results_path(self.run_name)
        folder = folder_of(self.run_name)
        retired, staged = None, None
        try:
            staged = atomic_files.staged_file(record, record_text.encode("utf-8"))
            if self.staging is not None:
                retired = atomic_files.swap_folder(self.staging, folder)
                self.staging = None
            try:
                os.replace(staged, record)
            except BaseException:
                atomic_files.put_back(retired, folder)  # the old checkpoint goes back beside the old record
                raise
        except OSError as error:
            where = f" ({error.filename})" if error.filename else ""
            raise SaveFailed(
                f"Nothing was saved for {self.run_name}: {_reason(error)}{where}. The last good checkpoint and "
                f"record are kept; make the folder writable (or make room in it), then run this cell again."
            ) from None
        finally:
            if staged is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(staged)
        atomic_files.discard(retired)
        return record


@contextlib.contextmanager
def saving(run_name: str) -> Iterator[PairSave]:
    """A save of run `run_name`'s pair, which holds the run's lock for the `with` block, after cleaning up
    what a killed save left behind (`recover`). A staged checkpoint that was not committed is deleted at
    the end. SaveFailed when the folders cannot be made or locked."""
    _make_folder(paths.results_path(run_name).parent, run_name)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(atomic_files.locked(lock_path(run_name)))
        except OSError as error:
            raise SaveFailed(
                f"Nothing was saved for {run_name}: {_reason(error)} ({lock_path(run_name).parent}). The last "
                f"good checkpoint and record are kept; make the folder writable, then run this cell again."
            ) from None
        pair = PairSave(run_name)
        try:
            _recover_locked(run_name)
            yield pair
        finally:
            if pair.staging is not None:
                shutil.rmtree(pair.staging, ignore_errors=True)


def _make_folder(folder: Path, run_name: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SaveFailed(
            f"Nothing was saved for {run_name}: the folder {folder} cannot be made ({_reason(error)}): "
            f"give MNIST_TUTORIAL_OUTPUT_DIR a folder you can write to, then run this cell again."
        ) from None


def recover(run_name: str) -> None:
    """Clean up after a save of `run_name` that was killed: delete its staged checkpoint and temporary record,
    and if it was killed between the two renames of the swap, put back the checkpoint the record vouches for
    (or, when none does, the one the save moved aside). Does nothing, and takes no lock, when nothing is left
    over; otherwise waits for a save that is still running."""
    if not _leftovers(run_name):
        return
    try:
        with atomic_files.locked(lock_path(run_name)):
            _recover_locked(run_name)
    except atomic_files.FolderNotWritable:
        return  # a folder this process cannot write: it cannot be saving there either, and cannot tidy it


def _leftovers(run_name: str) -> list[Path]:
    checkpoints_folder, results_folder = folder_of(run_name).parent, paths.results_path(run_name).parent
    found = []
    if checkpoints_folder.is_dir():
        found += checkpoints_folder.glob(f".{run_name}.new.*")
        found += checkpoints_folder.glob(f".{run_name}.old.*")
    if results_folder.is_dir():
        found += results_folder.glob(f".{run_name}.json.*.tmp")
    return found


def _recover_locked(run_name: str) -> None:
    """`recover`, with the lock held."""
    folder = folder_of(run_name)
    if folder.parent.is_dir():
        for staged in folder.parent.glob(f".{run_name}.new.*"):
            shutil.rmtree(staged, ignore_errors=True)
    results_folder = paths.results_path(run_name).parent
    if results_folder.is_dir():
        for temporary in results_folder.glob(f".{run_name}.json.*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    if not folder.parent.is_dir():
        return
    retired = sorted(folder.parent.glob(f".{run_name}.old.*"), key=_modified, reverse=True)
    held = [aside for aside in retired if (aside / run_name).exists() or (aside / run_name).is_symlink()]
    if held:
        expected = recorded_digests(run_name)
        if expected is None or not _matches(folder, expected):  # the save that moved it aside did not finish
            vouched = [aside for aside in held if expected is not None and _matches(aside / run_name, expected)]
            if folder.is_symlink() or folder.is_file():
                folder.unlink()
            elif folder.exists():
                shutil.rmtree(folder)
            ((vouched or held)[0] / run_name).rename(folder)
    for aside in retired:
        shutil.rmtree(aside, ignore_errors=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _matches(folder: Path, expected: dict[str, str]) -> bool:
    return folder.is_dir() and not folder.is_symlink() and digest_files(folder) == expected


def recorded_digests(run_name: str) -> dict[str, str] | None:
    """The digests that `results/<run_name>.json` keeps of its checkpoint's files; None when the record is
    missing, unreadable, or keeps none."""
    try:
        record = json.loads(paths.results_path(run_name).read_text())
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    digests = record.get("checkpoint") if isinstance(record, dict) else None
    return digests if is_digest_table(digests) else None


def is_digest_table(value: Any) -> bool:
    """Whether `value` is what a record keeps of its checkpoint: {file name: SHA-256 in hex}, not empty."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(
            isinstance(name, str)
            and isinstance(digest, str)
            and len(digest) == 64
            and all(c in "0123456789abcdef" for c in digest)
            for name, digest in value.items()
        )
    )


def digest_files(folder: str | os.PathLike) -> dict[str, str]:
    """{name: SHA-256} of the checkpoint files in `folder`."""
    return {path.name: _sha256(path) for path in sorted(Path(folder).glob(f"{PREFIX}.*"))}


def differences(run_name: str, expected: dict[str, str]) -> list[str]:
    """What in `checkpoints/<run_name>/` differs from the digests `expected`; empty when it matches."""
    if not is_digest_table(expected):
        return ["its record does not list the checkpoint's files with their SHA-256 digests"]
    folder = folder_of(run_name)
    found = digest_files(folder) if folder.is_dir() else {}
    problems = [f"{name} is missing" for name in sorted(set(expected) - set(found))]
    problems += [f"{name} has changed" for name in sorted(set(expected) & set(found)) if found[name] != expected[name]]
    problems += [f"{name} was not written by that run" for name in sorted(set(found) - set(expected))]
    return problems


def _sha256(path):
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _reason(error: BaseException) -> str:
    """What went wrong, in a few words: the system's message for an OSError; for TensorFlow's errors,
    which run to dozens of lines, the system's message it quotes ("File too large") or its first line."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    lines = [line.strip() for line in str(getattr(error, "message", error)).splitlines() if line.strip()]
    quoted = [line.rsplit("; ", 1)[1] for line in lines if "; " in line]
    return quoted[0] if quoted else (lines[0] if lines else type(error).__name__)
