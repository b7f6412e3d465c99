"""Files and folders written whole or absent, with the permissions any new file gets, and no umask juggling."""

import contextlib
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mnist_tutorial import atomic_files


@contextlib.contextmanager
def _umask(mask, monkeypatch):
    """Run the block under `mask`, with os.umask refused: the helpers must leave the umask alone."""
    saved = os.umask(mask)
    try:
        with monkeypatch.context() as patch:
            patch.setattr(os, "umask", lambda *args: pytest.fail("os.umask was called: it is process-wide"))
            yield
    finally:
        os.umask(saved)


def _mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def _listing(folder):
    return sorted(p.name for p in Path(folder).iterdir())


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002], ids=oct)
def test_files_and_folders_get_the_permissions_the_umask_gives(tmp_path, monkeypatch, mask):
    with _umask(mask, monkeypatch):
        text = atomic_files.write_text(tmp_path / "record.json", "{}\n")
        data = atomic_files.write_bytes(tmp_path / "data.bin", b"\x00\x01")
        with atomic_files.replacing_file(tmp_path / "download.gz", suffix=".part") as file:
            assert _mode(file.name) == 0o666 & ~mask, "the temporary file is never more open than the result"
            file.write(b"streamed")
        with atomic_files.replacing_folder(tmp_path / "checkpoint") as staging:
            assert _mode(staging) == 0o777 & ~mask
            (staging / "model.index").write_bytes(b"index")
    for path in (text, data, tmp_path / "download.gz"):
        assert _mode(path) == 0o666 & ~mask, path.name
    assert _mode(tmp_path / "checkpoint") == 0o777 & ~mask
    assert text.read_text() == "{}\n" and data.read_bytes() == b"\x00\x01"
    assert (tmp_path / "download.gz").read_bytes() == b"streamed"
    assert (tmp_path / "checkpoint" / "model.index").read_bytes() == b"index"
    assert _listing(tmp_path) == ["checkpoint", "data.bin", "download.gz", "record.json"]


def test_an_existing_file_is_replaced_with_the_umask_not_its_old_mode(tmp_path, monkeypatch):
    path = tmp_path / "record.json"
    path.write_text("old")
    path.chmod(0o600)
    with _umask(0o022, monkeypatch):
        atomic_files.write_text(path, "new")
    assert path.read_text() == "new" and _mode(path) == 0o644


def test_a_symlink_in_the_files_place_is_replaced_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("yours")
    path = tmp_path / "record.json"
    path.symlink_to(elsewhere)
    atomic_files.write_text(path, "mine")
    assert elsewhere.read_text() == "yours"
    assert not path.is_symlink() and path.read_text() == "mine"


def test_a_symlink_in_the_folders_place_is_replaced_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "model.index").write_text("yours")
    path = tmp_path / "checkpoint"
    path.symlink_to(elsewhere, target_is_directory=True)
    with atomic_files.replacing_folder(path) as staging:
        (staging / "model.index").write_text("mine")
    assert (elsewhere / "model.index").read_text() == "yours"
    assert not path.is_symlink() and (path / "model.index").read_text() == "mine"
    assert _listing(tmp_path) == ["checkpoint", "elsewhere"]


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "record.json"
    path.write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_files.replacing_file(path) as file:
        file.write(b"half")
        assert Path(file.name).parent == tmp_path and Path(file.name).name.startswith(".record.json.")
        raise KeyboardInterrupt
    assert path.read_text() == "old" and _listing(tmp_path) == ["record.json"]


def test_a_failed_rename_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    path = tmp_path / "record.json"
    path.write_text("old")

    def refuse(source, target):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic_files.os, "replace", refuse)
    with pytest.raises(OSError, match="Input/output error"):
        atomic_files.write_text(path, "new")
    assert path.read_text() == "old" and _listing(tmp_path) == ["record.json"]


def test_text_that_cannot_be_encoded_writes_nothing(tmp_path):
    with pytest.raises(UnicodeEncodeError):
        atomic_files.write_text(tmp_path / "record.json", "caf\u00e9", encoding="ascii")
    assert _listing(tmp_path) == []


def test_a_taken_temporary_name_is_skipped_not_overwritten(tmp_path, monkeypatch):
    taken = tmp_path / ".record.json.aaaa.tmp"
    taken.write_text("another writer's")
    tokens = iter(["aaaa", "bbbb"])
    monkeypatch.setattr(atomic_files.secrets, "token_hex", lambda size: next(tokens))
    atomic_files.write_text(tmp_path / "record.json", "mine")
    assert taken.read_text() == "another writer's" and (tmp_path / "record.json").read_text() == "mine"
    assert _listing(tmp_path) == [".record.json.aaaa.tmp", "record.json"]


def test_a_missing_folder_is_reported_as_not_writable(tmp_path):
    with pytest.raises(atomic_files.FolderNotWritable, match="No such file or directory"):
        atomic_files.write_text(tmp_path / "missing" / "record.json", "{}")
    with (
        pytest.raises(atomic_files.FolderNotWritable),
        atomic_files.replacing_folder(tmp_path / "missing" / "checkpoint"),
    ):
        pytest.fail("the block must not run without a staging folder")


def test_a_failure_while_filling_a_folder_leaves_the_old_one_whole(tmp_path):
    path = tmp_path / "checkpoint"
    path.mkdir()
    (path / "model.index").write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_files.replacing_folder(path) as staging:
        (staging / "model.index").write_text("half")
        raise KeyboardInterrupt
    assert _listing(path) == ["model.index"] and (path / "model.index").read_text() == "old"
    assert _listing(tmp_path) == ["checkpoint"]


def test_a_folder_that_cannot_be_moved_into_place_puts_the_old_one_back(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint"
    path.mkdir()
    (path / "model.index").write_text("old")
    rename = Path.rename

    def refuse_the_new_one(self, target):
        if ".new." in self.name:
            raise OSError(5, "Input/output error")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_the_new_one)
    with pytest.raises(OSError, match="Input/output error"), atomic_files.replacing_folder(path) as staging:
        (staging / "model.index").write_text("new")
    assert (path / "model.index").read_text() == "old"
    assert _listing(tmp_path) == ["checkpoint"]


def test_a_folder_replaces_the_old_one_and_leaves_nothing_beside_it(tmp_path):
    path = tmp_path / "checkpoint"
    path.mkdir()
    (path / "model.index").write_text("old")
    (path / "stale.txt").write_text("from an older run")
    with atomic_files.replacing_folder(path) as staging:
        assert staging.parent == tmp_path and staging.name.startswith(".checkpoint.new.")
        (staging / "model.index").write_text("new")
    assert _listing(path) == ["model.index"] and (path / "model.index").read_text() == "new"
    assert _listing(tmp_path) == ["checkpoint"]


@pytest.mark.parametrize("after", ["the old folder is moved aside", "the new folder is moved in"])
def test_an_interrupt_in_the_middle_of_the_swap_puts_the_old_folder_back(tmp_path, monkeypatch, after):
    """An interrupt just after the first rename was replaced by "OSError: Directory not empty", the old
    folder left hidden in .checkpoint.old.<random>/."""
    path = tmp_path / "checkpoint"
    path.mkdir()
    (path / "model.index").write_text("old")
    rename = Path.rename
    moved = ".old." if after == "the old folder is moved aside" else ".new."

    def rename_then_interrupt(self, target):
        done = rename(self, target)
        if moved in (self.name if moved == ".new." else Path(target).parent.name):
            raise KeyboardInterrupt
        return done

    monkeypatch.setattr(Path, "rename", rename_then_interrupt)
    with pytest.raises(KeyboardInterrupt), atomic_files.replacing_folder(path) as staging:
        (staging / "model.index").write_text("new")
    monkeypatch.undo()
    assert (path / "model.index").read_text() == "old"
    assert _listing(tmp_path) == ["checkpoint"]


def test_a_second_process_waits_for_the_lock(tmp_path):
    """`locked` is the operating system's lock: a process asking for it waits until the holder lets go."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mnist_tutorial import atomic_files\n"
        "print('asking', flush=True)\n"
        "with atomic_files.locked(sys.argv[1]):\n"
        "    Path(sys.argv[2]).write_text('got it')\n"
    )
    lock, got = tmp_path / ".run.lock", tmp_path / "got"
    with atomic_files.locked(lock):
        waiting = subprocess.Popen([sys.executable, "-c", script, str(lock), str(got)], stdout=subprocess.PIPE)
        assert waiting.stdout.readline() == b"asking\n"
        time.sleep(1)
        assert waiting.poll() is None and not got.exists(), "it waits while the lock is held"
    assert waiting.wait(timeout=60) == 0 and got.read_text() == "got it"
    assert _listing(tmp_path) == [".run.lock", "got"]
