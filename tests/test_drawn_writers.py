"""The drawn writers' sets: drawn by their recipe, pixel for pixel, split by writer, every kind in both."""

import numpy as np
import pytest

from mnist_tutorial import drawn_digits, drawn_writers, preprocess
from mnist_tutorial.commands import drawn_digits as command


@pytest.fixture(scope="module")
def sets():
    return drawn_writers.load()


def test_the_committed_sets_are_what_their_recipe_draws(sets):
    """A sample of each set's digits (drawing all 3,000 takes about two minutes), one of each kind of scan,
    drawn again: the same to a grey level (the file keeps 8 bits)."""
    for part in sets.values():
        for scan in drawn_writers.SCANS:
            index = int(np.flatnonzero(part.kinds["scan"] == scan)[7])
            writer, digit = int(part.writers[index]), int(part.labels[index])
            repeat = int(np.sum((part.writers[:index] == writer) & (part.labels[:index] == digit)))
            drawn = drawn_writers.draw(writer, digit, repeat)
            assert np.abs(drawn - part.images[index]).max() <= 1 / 255 + 1e-6, f"writer {writer}, digit {digit}"


def test_the_sets_are_split_by_writer_and_hold_every_kind_alike(sets):
    validation, test = sets["validation"], sets["test"]
    assert set(validation.writers) == set(range(drawn_writers.VALIDATION_WRITERS))
    assert set(test.writers) == set(range(drawn_writers.VALIDATION_WRITERS, drawn_writers.WRITERS))
    for part, writers in ((validation, drawn_writers.VALIDATION_WRITERS), (test, 30)):
        assert part.images.shape == (writers * 10 * drawn_writers.REPEATS, 784) and part.images.dtype == np.float32
        assert np.array_equal(np.bincount(part.labels), [writers * drawn_writers.REPEATS] * 10)
        per_writer = 10 * drawn_writers.REPEATS
        scans = {scan: int(np.sum(part.kinds["scan"] == scan)) // per_writer for scan in drawn_writers.SCANS}
        assert scans == {scan: tenths * writers // 10 for scan, tenths in drawn_writers.SCANS.items()}
        pens = {pen: int(np.sum(part.kinds["pen"] == pen)) // per_writer for pen in drawn_writers.PENS}
        assert pens == dict.fromkeys(drawn_writers.PENS, writers // 3)
        assert {"European, with flag", "flag and foot", "European, with bar", "open"} <= set(part.kinds["shape"])
        assert part.kinds["slant"].min() < -0.3 and part.kinds["slant"].max() > 0.3, "slanted hands both ways"


def test_each_digit_is_prepared_as_mnists_and_a_writer_keeps_their_hand(sets):
    part = sets["validation"]
    assert part.images.min() >= 0.0 and part.images.max() <= 1.0
    mass = np.array([preprocess.centre_of_mass(image.reshape(28, 28)) for image in part.images[::25]])
    assert np.abs(mass - 13.5).max() < 1.5, "centred by mass, as to_mnist places a digit"
    hand = drawn_writers.hand_of(3)
    for digit in range(10):
        assert hand.shapes[digit] in drawn_digits.SHAPES[digit]
        styles = [drawn_writers.style_of(hand, digit, repeat) for repeat in range(drawn_writers.REPEATS)]
        assert {style.shape for style in styles} == {hand.shapes[digit]}, "one shape for each digit"
        assert len({(s.height, s.slant, s.degrees) for s in styles}) == drawn_writers.REPEATS, "each a little different"


def test_a_low_resolution_scan_is_blocky_and_a_pad_drawing_is_not():
    """An 8 x 8 scan of the digit's box, prepared to 28 x 28, holds grey blocks; the pad's drawing, crisp ink."""
    by_scan = {}
    for writer in range(drawn_writers.VALIDATION_WRITERS):
        by_scan.setdefault(drawn_writers.hand_of(writer).scan, writer)
    grey = {scan: _grey_share(drawn_writers.draw(writer, 4, 0)) for scan, writer in by_scan.items()}
    assert grey["8 x 8"] > grey["16 x 16"] > grey["pad"], grey
    assert grey["blurred"] > grey["pad"], grey


def _grey_share(image):
    ink = image[image > 0.05]
    return float(np.mean((ink > 0.05) & (ink < 0.7)))


def test_a_missing_file_says_how_to_get_it_back(tmp_path):
    with pytest.raises(FileNotFoundError, match="mnist-drawn-digits --set writers"):
        drawn_writers.load(tmp_path / "drawn_writers.npz")


def test_the_command_writes_the_writers_sets_once_and_then_leaves_them(tmp_path, monkeypatch, capsys):
    generate = drawn_writers.generate
    monkeypatch.setattr(drawn_writers, "generate", lambda: generate(writers=2))  # 100 digits, not 3,000
    target = tmp_path / "writers.npz"
    assert command.main(["--set", "writers", "--output", str(target)]) == 0
    assert "wrote" in capsys.readouterr().out
    written = target.read_bytes()
    assert command.main(["--set", "writers", "--output", str(target)]) == 0
    assert "unchanged" in capsys.readouterr().out and target.read_bytes() == written
    back = drawn_writers.load(target)
    assert len(back["validation"].labels) == 2 * 10 * drawn_writers.REPEATS and len(back["test"].labels) == 0
    with pytest.raises(SystemExit):
        command.main(["--output", str(target)])  # one file for two sets
    assert "say which set" in capsys.readouterr().err
