"""The drop-in `input_data`: splits, values, batches, and what happens with bad files."""

import functools
import gzip
import http.server
import os
import shutil
import stat
import threading
import time

import numpy as np
import pytest

from mnist_tutorial import atomic_files, input_data, mnist_files, paths

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def mnist():
    return input_data.read_data_sets()


def test_default_splits_are_55000_5000_10000(mnist):
    assert (mnist.train.num_examples, mnist.validation.num_examples, mnist.test.num_examples) == (55000, 5000, 10000)
    assert mnist.train.images.shape == (55000, 784)
    assert mnist.test.labels.shape == (10000,)


def test_label_counts_per_digit(mnist):
    train_and_validation = np.concatenate([mnist.validation.labels, mnist.train.labels])
    assert np.bincount(train_and_validation, minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(mnist.test.labels, minlength=10).tolist() == TEST_COUNTS


def test_validation_is_the_first_training_images_in_file_order(mnist):
    raw = input_data.read_data_sets(dtype=np.uint8, validation_size=0)
    assert np.array_equal(np.rint(mnist.validation.images * 255), raw.train.images[:5000])
    assert np.array_equal(mnist.train.labels, raw.train.labels[5000:])


def test_float_images_are_scaled_to_0_1(mnist):
    images = mnist.train.images
    assert images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    assert mnist.train.labels.dtype == np.uint8 and mnist.train.labels.max() == 9


def test_uint8_images_keep_0_255_and_reshape_false_gives_nhwc():
    data = input_data.read_data_sets(dtype=np.uint8, reshape=False)
    assert data.test.images.dtype == np.uint8
    assert data.test.images.shape == (10000, 28, 28, 1)
    assert data.test.images.max() == 255


def test_one_hot_labels_match_the_integer_labels(mnist):
    one_hot = input_data.read_data_sets(one_hot=True)
    labels = one_hot.test.labels
    assert labels.shape == (10000, 10) and labels.dtype == np.float32
    assert np.array_equal(labels.sum(axis=1), np.ones(10000))
    assert set(np.unique(labels)) == {0.0, 1.0}
    assert np.array_equal(labels.argmax(axis=1), mnist.test.labels)


def test_validation_size_zero_and_bad_arguments():
    data = input_data.read_data_sets(validation_size=0)
    assert data.train.num_examples == 60000 and data.validation.num_examples == 0
    for too_many in (60000, 70000):  # 60,000 would leave no image to train on
        with pytest.raises(
            ValueError,
            match=r"validation_size must be between 0 and 59,999 \(at least one of the "
            r"60,000 training images must be left to train on\), not",
        ):
            input_data.read_data_sets(validation_size=too_many)
    with pytest.raises(TypeError, match="dtype must be float32 or uint8"):
        input_data.read_data_sets(dtype=np.float64)


def test_arrays_are_read_only_because_they_are_cached(mnist):
    with pytest.raises(ValueError, match="read-only"):
        mnist.train.images[0, 0] = 1.0
    assert np.shares_memory(input_data.read_data_sets().train.images, mnist.train.images)


def test_relative_train_dir_resolves_against_working_directory(tmp_path, monkeypatch):
    _copy_files(tmp_path / "MNIST_data")
    monkeypatch.chdir(tmp_path)
    data = input_data.read_data_sets("MNIST_data/", validation_size=0)
    assert data.train.num_examples == 60000


# next_batch -----------------------------------------------------------------------------


def _numbered(n, seed=0):
    """A DataSet whose labels are the example numbers, so batches show what they hold."""
    return input_data.DataSet(np.arange(n, dtype=np.float32)[:, None], np.arange(n), seed=seed)


def test_every_example_is_seen_once_per_epoch():
    data = _numbered(55000)
    for epoch in range(2):
        seen = np.concatenate([data.next_batch(100)[1] for _ in range(550)])
        assert np.array_equal(np.sort(seen), np.arange(55000)), f"epoch {epoch}"
    assert not np.array_equal(seen, np.arange(55000)), "batches should be shuffled"


def test_batch_crossing_an_epoch_joins_old_tail_and_new_head():
    data = _numbered(10)
    first = [data.next_batch(3)[1] for _ in range(3)]
    assert data.epochs_completed == 0
    crossing = data.next_batch(3)[1]
    assert data.epochs_completed == 1
    assert len(crossing) == 3
    old_tail = crossing[0]
    assert sorted(np.concatenate(first + [crossing[:1]]).tolist()) == list(range(10))
    assert old_tail not in np.concatenate(first)
    # The two examples from the new epoch start it: the rest of that epoch holds the other eight.
    rest_of_new_epoch = np.concatenate([crossing[1:]] + [data.next_batch(4)[1] for _ in range(2)])
    assert sorted(rest_of_new_epoch.tolist()) == list(range(10))
    assert data.epochs_completed == 1


def test_epoch_counter_steps_at_the_call_after_an_exact_fit():
    data = _numbered(10)
    data.next_batch(5), data.next_batch(5)
    assert data.epochs_completed == 0
    images, labels = data.next_batch(5)
    assert data.epochs_completed == 1 and len(labels) == 5


def test_seed_makes_batches_reproducible():
    a, b, c = _numbered(1000, seed=7), _numbered(1000, seed=7), _numbered(1000, seed=8)
    batches_a = [a.next_batch(64)[1] for _ in range(40)]
    batches_b = [b.next_batch(64)[1] for _ in range(40)]
    batches_c = [c.next_batch(64)[1] for _ in range(40)]
    assert all(np.array_equal(x, y) for x, y in zip(batches_a, batches_b))
    assert not all(np.array_equal(x, y) for x, y in zip(batches_a, batches_c))


def test_read_data_sets_seed_is_reproducible():
    first = input_data.read_data_sets(seed=3).train.next_batch(50)[1]
    second = input_data.read_data_sets(seed=3).train.next_batch(50)[1]
    assert np.array_equal(first, second)


def test_no_shuffle_keeps_file_order_and_images_follow_labels():
    data = _numbered(10)
    images, labels = data.next_batch(4, shuffle=False)
    assert labels.tolist() == [0, 1, 2, 3]
    shuffled = _numbered(10)
    images, labels = shuffled.next_batch(4)
    assert np.array_equal(images[:, 0], labels)


def test_batch_size_is_checked():
    with pytest.raises(ValueError, match="batch_size must be between 1 and 10"):
        _numbered(10).next_batch(11)


@pytest.mark.parametrize("bad", [100.0, "100", None, True, 2.5])
def test_a_bad_batch_size_is_refused_and_leaves_the_data_set_as_it_was(bad):
    data, fresh = _numbered(1000, seed=3), _numbered(1000, seed=3)
    data.next_batch(300)
    fresh.next_batch(300)
    with pytest.raises(TypeError, match=r"batch_size must be a whole number \(an int\), not "):
        data.next_batch(bad)
    for _ in range(5):  # the next calls, across an epoch boundary, go on exactly as if nothing happened
        assert np.array_equal(data.next_batch(300)[1], fresh.next_batch(300)[1])


def test_numpy_integers_are_whole_numbers():
    data = _numbered(10)
    images, labels = data.next_batch(np.int64(4))
    assert len(images) == 4 and len(labels) == 4
    assert len(input_data.read_data_sets(validation_size=np.int32(100)).validation.labels) == 100


def test_fractional_validation_size_is_refused_clearly():
    with pytest.raises(TypeError, match=r"validation_size must be a whole number \(an int\), not 5000.5"):
        input_data.read_data_sets(validation_size=5000.5)


# Bad files ------------------------------------------------------------------------------


def _copy_files(directory, specs=mnist_files.ALL_FILES):
    directory.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        shutil.copy(paths.REPO_ROOT / "mnist_data" / spec.name, directory / spec.name)
    return directory


def _content(spec):
    return gzip.decompress((paths.REPO_ROOT / "mnist_data" / spec.name).read_bytes())


NO_NETWORK = "http://127.0.0.1:9/"  # the discard port: nothing listens there
ALL_NAMES = sorted(spec.name for spec in mnist_files.ALL_FILES)


def _link_the_other_files(directory, spec):
    """`directory` with links to the repo's good copies of the three files other than `spec`.

    read_data_sets reads all four, as the notebooks do; the links resolve to files it has cached
    already, so only `spec` is read from disk."""
    directory.mkdir(parents=True, exist_ok=True)
    for other in mnist_files.ALL_FILES:
        if other != spec:
            (directory / other.name).symlink_to(paths.REPO_ROOT / "mnist_data" / other.name)
    return directory


def _read(directory, spec, source_url=NO_NETWORK):
    """The test split's labels or images read from `directory`, the way the notebooks read them."""
    _link_the_other_files(directory, spec)
    test = input_data.read_data_sets(directory, dtype=np.uint8, source_url=source_url).test
    return test.images if spec.is_images else test.labels


def _assert_load_fails_untouched(tmp_path, spec, match):
    path = tmp_path / spec.name
    before = path.read_bytes()
    with pytest.raises(mnist_files.MnistFileError, match=match) as error:
        _read(tmp_path, spec)
    assert spec.name in str(error.value)
    assert "git checkout -- mnist_data/" in str(error.value)
    assert path.read_bytes() == before, "a bad file must never be changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ALL_NAMES


def test_truncated_gzip_file(tmp_path):
    spec = mnist_files.TEST_LABELS
    (tmp_path / spec.name).write_bytes((paths.REPO_ROOT / "mnist_data" / spec.name).read_bytes()[:-200])
    _assert_load_fails_untouched(tmp_path, spec, "damaged gzip file")


def test_gzip_file_with_truncated_content(tmp_path):
    spec = mnist_files.TEST_IMAGES
    (tmp_path / spec.name).write_bytes(gzip.compress(_content(spec)[:-784]))
    _assert_load_fails_untouched(tmp_path, spec, "is truncated: 7,839,232 bytes of content")


def test_foreign_file_under_an_mnist_name(tmp_path):
    spec = mnist_files.TEST_IMAGES
    (tmp_path / spec.name).write_bytes(gzip.compress(_content(mnist_files.TEST_LABELS)))
    _assert_load_fails_untouched(tmp_path, spec, "is not an MNIST images file: it has magic number 0x00000801")


def test_non_gzip_file_named_gz(tmp_path):
    spec = mnist_files.TEST_LABELS
    (tmp_path / spec.name).write_text("<html>404 Not Found</html>")
    _assert_load_fails_untouched(tmp_path, spec, "not a gzip file")


def test_wrong_header_dimensions(tmp_path):
    spec = mnist_files.TEST_LABELS
    content = bytearray(_content(spec))
    content[4:8] = (5000).to_bytes(4, "big")
    (tmp_path / spec.name).write_bytes(gzip.compress(bytes(content)))
    _assert_load_fails_untouched(tmp_path, spec, "header of a 5000 labels file; the MNIST one is 10000")


def test_modified_content_fails_the_checksum(tmp_path):
    spec = mnist_files.TEST_IMAGES
    content = bytearray(_content(spec))
    content[5000] ^= 0xFF
    (tmp_path / spec.name).write_bytes(gzip.compress(bytes(content)))
    _assert_load_fails_untouched(tmp_path, spec, "not the original content")


def test_a_gzip_that_inflates_past_the_file_size_is_stopped_early(tmp_path):
    spec = mnist_files.TEST_LABELS
    (tmp_path / spec.name).write_bytes(gzip.compress(_content(spec) + bytes(50_000_000)))
    _assert_load_fails_untouched(tmp_path, spec, "decompresses to more than the 10,008 bytes")


def test_a_huge_file_is_not_read(tmp_path):
    spec = mnist_files.TEST_LABELS
    with open(tmp_path / spec.name, "wb") as file:
        file.truncate(spec.max_file_size + 1)  # sparse: costs no disk
    _assert_load_fails_untouched(tmp_path, spec, "more than the MNIST file it should be")


def test_uncompressed_copy_is_accepted(tmp_path):
    spec = mnist_files.TEST_LABELS
    (tmp_path / spec.name[:-3]).write_bytes(_content(spec))
    labels = _read(tmp_path, spec)
    assert np.bincount(labels).tolist() == TEST_COUNTS
    assert not (tmp_path / spec.name).exists(), "an uncompressed copy is used as it is, not downloaded again"


def test_missing_file_without_network_says_where_to_put_it(tmp_path):
    specs = (mnist_files.TRAIN_IMAGES, mnist_files.TRAIN_LABELS, mnist_files.TEST_IMAGES)
    _copy_files(tmp_path, specs)
    with pytest.raises(mnist_files.MnistFileError) as error:
        input_data.read_data_sets(tmp_path, source_url=NO_NETWORK)
    message = str(error.value)
    assert "t10k-labels-idx1-ubyte.gz is missing, and no mirror gave a good copy" in message
    assert "http://127.0.0.1:9/t10k-labels-idx1-ubyte.gz" in message
    assert f"copy the four MNIST .gz files into {tmp_path} by hand" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(s.name for s in specs)


@pytest.fixture
def mirror(tmp_path):
    """An HTTP server on loopback that serves the files of `tmp_path / 'mirror'`."""
    root = tmp_path / "mirror"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_missing_file_is_downloaded_checked_and_moved_into_place(tmp_path, mirror):
    root, url = mirror
    _copy_files(root, [mnist_files.TEST_LABELS])
    data_dir = tmp_path / "data"
    labels = _read(data_dir, mnist_files.TEST_LABELS, source_url=url)
    assert np.bincount(labels).tolist() == TEST_COUNTS
    assert sorted(p.name for p in data_dir.iterdir()) == ALL_NAMES
    downloaded = data_dir / mnist_files.TEST_LABELS.name
    assert not downloaded.is_symlink() and downloaded.read_bytes() == (root / downloaded.name).read_bytes()


def test_bad_download_is_rejected_and_leaves_nothing_behind(tmp_path, mirror):
    root, url = mirror
    spec = mnist_files.TEST_LABELS
    content = bytearray(_content(spec))
    content[100] = (content[100] + 1) % 10
    (root / spec.name).write_bytes(gzip.compress(bytes(content)))
    data_dir = tmp_path / "data"
    with pytest.raises(mnist_files.MnistFileError, match="not the original content"):
        _read(data_dir, spec, source_url=url)
    assert sorted(p.name for p in data_dir.iterdir()) == sorted(set(ALL_NAMES) - {spec.name})


def test_next_mirror_is_tried_when_one_fails(tmp_path, mirror):
    root, url = mirror
    _copy_files(root, [mnist_files.TEST_LABELS])
    path = mnist_files.download(mnist_files.TEST_LABELS, tmp_path / "data", mirrors=(NO_NETWORK, url), progress=False)
    assert path.read_bytes() == (root / mnist_files.TEST_LABELS.name).read_bytes()


def test_a_file_given_as_train_dir_is_explained(tmp_path):
    not_a_folder = tmp_path / "mnist.gz"
    not_a_folder.write_bytes(b"")
    with pytest.raises(mnist_files.MnistFileError, match="is a file, not a folder"):
        input_data.read_data_sets(not_a_folder)


def test_a_folder_where_a_file_belongs_is_explained(tmp_path):
    _copy_files(tmp_path)
    (tmp_path / mnist_files.TEST_LABELS.name).unlink()
    (tmp_path / mnist_files.TEST_LABELS.name).mkdir()
    with pytest.raises(mnist_files.MnistFileError, match="t10k-labels-idx1-ubyte.gz is a folder"):
        input_data.read_data_sets(tmp_path, source_url=NO_NETWORK)


def test_a_folder_that_cannot_be_written_is_explained(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic_files, "_open_new_file", refuse)  # root ignores chmod, so refuse here
    with pytest.raises(mnist_files.MnistFileError, match=r"cannot write into .*\(Permission denied\)"):
        mnist_files.download(mnist_files.TEST_LABELS, tmp_path, mirrors=(NO_NETWORK,))
    assert list(tmp_path.iterdir()) == []


def test_wrong_content_from_a_mirror_gives_no_advice_about_git(tmp_path, mirror):
    root, url = mirror
    (root / mnist_files.TEST_LABELS.name).write_bytes(gzip.compress(_content(mnist_files.TEST_IMAGES)[:5000]))
    with pytest.raises(mnist_files.MnistFileError) as error:
        _read(tmp_path / "data", mnist_files.TEST_LABELS, source_url=url)
    assert f"the file served as {url}t10k-labels-idx1-ubyte.gz is not an MNIST labels file" in str(error.value)
    assert "git" not in str(error.value)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)], ids=oct)
def test_a_downloaded_file_gets_the_permissions_of_any_new_file(tmp_path, mirror, monkeypatch, mask, mode):
    root, url = mirror
    _copy_files(root, [mnist_files.TEST_LABELS])
    saved = os.umask(mask)
    try:
        with monkeypatch.context() as patch:  # the umask is process-wide: setting it, even for a moment, races threads
            patch.setattr(os, "umask", lambda *args: pytest.fail("the download changed the umask"))
            path = mnist_files.download(mnist_files.TEST_LABELS, tmp_path / "data", mirrors=(url,), progress=False)
    finally:
        os.umask(saved)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_stale_partial_downloads_are_cleared_and_fresh_ones_kept(tmp_path, mirror):
    root, url = mirror
    _copy_files(root, [mnist_files.TEST_LABELS])
    data = tmp_path / "data"
    data.mkdir()
    stale = data / ".t10k-labels-idx1-ubyte.gz.abc123.part"
    fresh = data / ".t10k-labels-idx1-ubyte.gz.def456.part"
    stale.write_bytes(b"left by a killed download")
    fresh.write_bytes(b"another download, still running")
    old = time.time() - mnist_files.DOWNLOAD_DEADLINE - 3600
    os.utime(stale, (old, old))
    mnist_files.download(mnist_files.TEST_LABELS, data, mirrors=(url,), progress=False)
    assert sorted(p.name for p in data.iterdir()) == sorted([fresh.name, mnist_files.TEST_LABELS.name])


class _Misbehaving(http.server.BaseHTTPRequestHandler):
    """A mirror that trickles a byte at a time, or streams far more than any MNIST file."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        if self.server.mode == "huge":
            self.end_headers()  # no Content-Length: the size is only found out by reading
            try:
                for _ in range(200):
                    self.wfile.write(bytes(1 << 16))
            except OSError:
                pass  # the client hung up, as it should
            return
        self.send_header("Content-Length", str(10_000))
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b"\x1f")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass


@pytest.fixture(params=["trickle", "huge"])
def bad_mirror(request):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Misbehaving)
    server.mode = request.param
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield request.param, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_slow_or_oversized_download_is_given_up_and_leaves_nothing(tmp_path, bad_mirror):
    mode, url = bad_mirror
    data = tmp_path / "data"
    started = time.monotonic()
    with pytest.raises(mnist_files.MnistFileError) as error:
        mnist_files.download(mnist_files.TEST_LABELS, data, mirrors=(url,), progress=False, deadline=2)
    expected = "gave up after 2 s" if mode == "trickle" else "sent more than 75,544 bytes"
    assert expected in str(error.value)
    assert time.monotonic() - started < 10
    assert list(data.iterdir()) == []


def test_a_data_folder_this_process_may_not_read_is_explained(tmp_path, monkeypatch):
    """Permission denied on the data folder was a bare PermissionError, without the guidance of the other
    data errors. (Root ignores chmod, so the folder refuses here.)"""
    _copy_files(tmp_path)
    is_file = type(tmp_path).is_file

    def refuse_in_the_folder(self):
        if self.parent == tmp_path:
            raise PermissionError(13, "Permission denied", str(self))
        return is_file(self)

    monkeypatch.setattr(type(tmp_path), "is_file", refuse_in_the_folder)
    with pytest.raises(mnist_files.MnistFileError) as error:
        input_data.read_data_sets(tmp_path, source_url=NO_NETWORK)
    assert str(error.value).startswith(f"{tmp_path} cannot be searched for the MNIST file train-images-idx3-ubyte.gz")
    assert f"(Permission denied): give this process permission to read the folder (chmod u+rx {tmp_path})" in str(
        error.value
    )


def test_a_data_file_this_process_may_not_read_is_explained(tmp_path, monkeypatch):
    spec = mnist_files.TEST_LABELS
    _copy_files(tmp_path, [spec])
    read_bytes = type(tmp_path).read_bytes

    def refuse_the_file(self):
        if self.name == spec.name:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(type(tmp_path), "read_bytes", refuse_the_file)
    with pytest.raises(mnist_files.MnistFileError) as error:
        _read(tmp_path, spec)
    message = str(error.value)
    assert message.startswith(f"{tmp_path / spec.name} cannot be read (Permission denied): give this process ")
    assert "git checkout -- mnist_data/" in message and "\n" not in message


def test_a_symbolic_link_to_nothing_is_named_as_one(tmp_path):
    """It was reported as "exists already; it is not downloaded over"."""
    spec = mnist_files.TEST_LABELS
    _link_the_other_files(tmp_path, spec)
    (tmp_path / spec.name).symlink_to(tmp_path / "moved-away" / spec.name)
    with pytest.raises(mnist_files.MnistFileError) as error:
        input_data.read_data_sets(tmp_path, source_url=NO_NETWORK)
    assert str(error.value) == (
        f"{tmp_path / spec.name} is a symbolic link to {tmp_path / 'moved-away' / spec.name}, which does not exist: "
        f"point it at the MNIST file, or remove the link so that the next load downloads a fresh copy."
    )
    assert (tmp_path / spec.name).is_symlink(), "the link is left alone"
