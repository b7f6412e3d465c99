"""Where the project keeps its data, run records and checkpoints."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent

#: Set this to keep results/ and checkpoints/ somewhere else (the tests do, so that
#: a test run never replaces the records of your own runs).
OUTPUT_DIR_VARIABLE = "MNIST_TUTORIAL_OUTPUT_DIR"
#: Set this to read the MNIST files from another folder by default.
DATA_DIR_VARIABLE = "MNIST_DATA_DIR"


def default_data_dir() -> Path:
    """The folder `read_data_sets()` reads when it is given none: the repo's `mnist_data/`."""
    if os.environ.get(DATA_DIR_VARIABLE):
        return Path(os.environ[DATA_DIR_VARIABLE]).expanduser()
    return REPO_ROOT / "mnist_data"


def output_dir() -> Path:
    """The folder that holds `results/` and `checkpoints/`: the repo, unless overridden."""
    if os.environ.get(OUTPUT_DIR_VARIABLE):
        return Path(os.environ[OUTPUT_DIR_VARIABLE]).expanduser()
    return REPO_ROOT


def results_path(run_name: str) -> Path:
    """`results/<run_name>.json`."""
    return output_dir() / "results" / f"{run_name}.json"


def checkpoint_prefix(run_name: str) -> Path:
    """`checkpoints/<run_name>/model`: the prefix `tf.train.Saver` writes its files under."""
    return output_dir() / "checkpoints" / run_name / "model"
