"""The drawn second test set: drawn by its recipe, reproducibly, in varied styles, as the pad draws."""

import numpy as np
import pytest

from mnist_tutorial import drawn_digits, preprocess
from mnist_tutorial.commands import drawn_digits as command


def test_the_committed_set_is_what_its_recipe_draws():
    images, labels = drawn_digits.load()
    assert images.shape == (10 * drawn_digits.PER_DIGIT, 280, 280) and images.dtype == np.uint8
    assert np.array_equal(np.bincount(labels), [drawn_digits.PER_DIGIT] * 10)
    for index in (0, 41, 95, 130, 177, 210, 299):  # a sample: drawing all 300 takes about 20 s
        assert np.array_equal(drawn_digits.draw(index), images[index]), f"digit {index} differs from its recipe"


def test_the_set_varies_as_handwriting_does():
    styles = [drawn_digits.style_of(index) for index in range(10 * drawn_digits.PER_DIGIT)]
    shapes = drawn_digits.shapes()
    assert {"European, with flag", "European, with bar", "open", "closed"} <= set(shapes)
    for digit in range(10):
        assert len({s.shape for s in styles if s.label == digit}) > 1, f"every digit in two shapes or more: {digit}"
    pens, heights = [s.pen_width for s in styles], [s.height for s in styles]
    assert min(pens) < 12 and max(pens) > 30 and min(heights) < 120 and max(heights) > 220
    images, _ = drawn_digits.load()
    centres = np.array([preprocess.centre_of_mass(preprocess.ink_map(image)) for image in images[::10]])
    assert np.ptp(centres[:, 0]) > 60 and np.ptp(centres[:, 1]) > 60, "digits drawn all over the pad"
    ink = images < 128
    on_the_edge = ink[:, 0, :].any(1) | ink[:, -1, :].any(1) | ink[:, :, 0].any(1) | ink[:, :, -1].any(1)
    assert on_the_edge.mean() < 0.05, "almost every digit stays on the pad, as a writer keeps it there"


def test_the_same_seed_draws_the_same_digit_and_another_seed_another():
    assert np.array_equal(drawn_digits.draw(7), drawn_digits.draw(7))
    assert not np.array_equal(drawn_digits.draw(7), drawn_digits.draw(7, seed=1))


def test_a_missing_set_says_how_to_get_it_back(tmp_path):
    with pytest.raises(FileNotFoundError, match="make drawn-digits"):
        drawn_digits.load(tmp_path / "drawn_digits.npz")


def test_the_set_survives_being_written_and_read(tmp_path):
    target = tmp_path / "set.npz"
    images, labels, styles = drawn_digits.generate(per_digit=1)
    assert images.shape == (10, 280, 280) and list(labels) == list(range(10))
    target.write_bytes(drawn_digits.encode(images, labels, styles, drawn_digits.SEED))
    back, back_labels = drawn_digits.load(target)
    assert np.array_equal(back, images) and np.array_equal(back_labels, labels)
    assert list(drawn_digits.shapes(target)) == [style.shape for style in styles]


def test_the_command_leaves_an_unchanged_set_alone_and_writes_a_changed_one(tmp_path, monkeypatch, capsys):
    generate = drawn_digits.generate
    monkeypatch.setattr(drawn_digits, "generate", lambda: generate(per_digit=1))  # ten digits, not 300
    target = tmp_path / "set.npz"
    assert command.main(["--set", "pad", "--output", str(target)]) == 0
    assert "wrote" in capsys.readouterr().out
    written = target.read_bytes()
    assert command.main(["--set", "pad", "--output", str(target)]) == 0
    assert "unchanged" in capsys.readouterr().out and target.read_bytes() == written
    images, labels, styles = generate(per_digit=1)
    images[3] = 255  # one digit rubbed out: the recipe draws it again
    target.write_bytes(drawn_digits.encode(images, labels, styles, drawn_digits.SEED))
    assert command.main(["--set", "pad", "--output", str(target)]) == 0
    assert "wrote" in capsys.readouterr().out and target.read_bytes() == written
    assert [path.name for path in tmp_path.iterdir()] == ["set.npz"], "no temporary file left behind"
