"""The classic TF 1.x softmax tutorial runs on TF 2 with only its import lines changed."""

import shutil
import subprocess
import sys
from pathlib import Path

from mnist_tutorial import mnist_files, paths

CLASSIC = Path(__file__).parent / "data" / "classic_mnist_softmax.py"


def test_classic_softmax_tutorial_reaches_90_percent(tmp_path):
    (tmp_path / "MNIST_data").mkdir()
    for spec in mnist_files.ALL_FILES:  # an old MNIST_data/ folder, as the tutorial left it
        shutil.copy(paths.REPO_ROOT / "mnist_data" / spec.name, tmp_path / "MNIST_data")
    run = subprocess.run(
        [sys.executable, str(CLASSIC), "--data_dir", "MNIST_data/"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    accuracy = float(run.stdout.strip().splitlines()[-1])
    assert accuracy >= 0.90, f"test accuracy {accuracy:.4f}"


def test_only_the_import_lines_differ_from_the_published_script():
    """The statements of the published script that this one must keep, word for word."""
    source = CLASSIC.read_text()
    for line in (
        "mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=True)",
        "tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))",
        "train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)",
        "sess = tf.InteractiveSession()",
        "tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)",
    ):
        assert line in source
    assert "with_logits_v2" not in source.split('"""')[2], "the published script uses the v1 loss"
