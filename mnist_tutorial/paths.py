"""Where the project keeps its data, run records and checkpoints."""

from pathlib import Path

from . import environment

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent

#: Set this to keep results/ and checkpoints/ somewhere else (the tests do, so that
#: a test run never replaces the records of your own runs). An absolute path: see `environment`.
OUTPUT_DIR_VARIABLE = environment.OUTPUT_DIR
#: Set this to read the MNIST files from another folder by default. An absolute path: see `environment`.
DATA_DIR_VARIABLE = environment.DATA_DIR


def default_data_dir() -> Path:
    """The folder `read_data_sets()` reads when it is given none: the repo's `mnist_data/`, unless
    MNIST_DATA_DIR names another (EnvironmentVariableError if it is a relative path)."""
    return environment.folder(DATA_DIR_VARIABLE) or REPO_ROOT / "mnist_data"


def output_dir() -> Path:
    """The folder that holds `results/` and `checkpoints/`: the repo, unless MNIST_TUTORIAL_OUTPUT_DIR
    names another (EnvironmentVariableError if it is a relative path)."""
    return environment.folder(OUTPUT_DIR_VARIABLE) or REPO_ROOT


def results_path(run_name: str) -> Path:
    """`results/<run_name>.json`."""
    return output_dir() / "results" / f"{run_name}.json"


def checkpoint_prefix(run_name: str) -> Path:
    """`checkpoints/<run_name>/model`: the prefix `tf.train.Saver` writes its files under."""
    return output_dir() / "checkpoints" / run_name / "model"
