"""What installing the project takes: the package declares what it imports, and make checks Python first."""

import ast
import importlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from mnist_tutorial import catalog, paths

PYPROJECT = tomllib.loads((paths.REPO_ROOT / "pyproject.toml").read_text())


def _name(requirement):
    """The distribution a requirement line names, normalised: "tensorflow[and-cuda]>=2.16" -> "tensorflow"."""
    return re.split(r"[\[<>=!~ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _declared():
    """What the package declares: its dependencies and those of its optional parts (the tools)."""
    extras = [requirement for group in PYPROJECT["project"]["optional-dependencies"].values() for requirement in group]
    return {_name(requirement) for requirement in PYPROJECT["project"]["dependencies"] + extras}


def _imported_modules():
    modules = set()
    for path in (paths.REPO_ROOT / "mnist_tutorial").rglob("*.py"):  # the subpackages too (grandalf, in graph_picture)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"mnist_tutorial"}


def test_the_package_declares_every_distribution_it_imports():
    providers = importlib.metadata.packages_distributions()
    declared = _declared()
    for module in sorted(_imported_modules()):
        distributions = {name.lower().replace("_", "-") for name in providers.get(module, [module])}
        assert distributions & declared, (
            f"mnist_tutorial imports {module} ({distributions}): declare it in pyproject.toml"
        )


def _pins(text):
    """{distribution: version} of the `name==version` lines of a requirements file."""
    return {
        _name(line): line.split("==")[1].split(";")[0].strip()
        for line in text.splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }


def _lines(name):
    """The requirement lines of the requirements file `name` (not its comments)."""
    text = (paths.REPO_ROOT / name).read_text()
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", "-"))]


def _versions(name):
    """{distribution: {versions}} of a compiled requirements file (a package may have a version per Python)."""
    versions = {}
    for line in _lines(name):
        versions.setdefault(_name(line), set()).add(line.split("==")[1].split(";")[0].strip())
    return versions


@pytest.mark.parametrize(
    "compiled, sources",
    [("requirements.txt", ["requirements.in"]), ("requirements-dev.txt", ["requirements.in", "requirements-dev.in"])],
)
def test_the_compiled_requirements_pin_every_package_at_the_version_the_in_files_ask_for(compiled, sources):
    """requirements.txt is compiled from requirements.in, requirements-dev.txt from both .in files
    (`make lock`): every package those name is in it, at the version they pin; and it pins everything."""
    assert all("==" in line for line in _lines(compiled)), f"every package of {compiled} is pinned"
    locked = _versions(compiled)
    for source in sources:
        for package in sorted({_name(line) for line in _lines(source)}):
            assert package in locked, f"{source} asks for {package}, which {compiled} lacks: run make lock"
        for package, version in _pins((paths.REPO_ROOT / source).read_text()).items():
            assert locked[package] == {version}, (
                f"{source} pins {package}=={version}; {compiled} has {locked[package]}: run make lock"
            )


def test_requirements_txt_is_the_runtime_and_the_dev_file_keeps_its_versions():
    """requirements.txt holds what the notebooks and their tools run on, none of the tests' and the book's
    tools; requirements-dev.txt adds those, with every package they share at requirements.txt's version."""
    runtime, dev = _versions("requirements.txt"), _versions("requirements-dev.txt")
    assert {
        "tensorflow",
        "numpy",
        "scipy",
        "pillow",
        "matplotlib",
        "jupyterlab",
        "papermill",
        "dask",
        "protobuf",
    } <= set(runtime)
    assert {"keras", "ipython", "traitlets", "jupyter-client", "nbclient"} <= set(runtime), "the indirect ones, pinned"
    tools = {"pytest", "ruff", "uv", "playwright", "sphinx", "myst-nb", "iniconfig", "pluggy", "docutils", "alabaster"}
    assert not tools & set(runtime), "the tools of the tests, the lint and the book"
    assert tools <= set(dev)
    differ = sorted(name for name in runtime if dev.get(name) != runtime[name])
    assert not differ, f"requirements-dev.txt pins {differ} at other versions than requirements.txt: run make lock"


@pytest.mark.parametrize(
    "target, installs",
    [
        ("lab", ["requirements.txt"]),
        ("notebooks", ["requirements.txt"]),
        ("test", ["requirements.txt", "requirements-dev.txt"]),
    ],
)
def test_the_notebooks_targets_install_the_runtime_and_the_tests_both(target, installs):
    """What `make TARGET` would install in a fresh clone (make -n prints it without running it)."""
    if shutil.which("make") is None:
        pytest.skip("GNU Make is not installed")
    run = subprocess.run(
        ["make", "-n", target],
        cwd=paths.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MAKEFLAGS": "-B"},
    )
    assert run.returncode == 0, run.stderr
    installed = set(re.findall(r"-r (requirements[\w-]*\.txt)", run.stdout))
    assert installed == set(installs), f"make {target} installs {installed}"


def test_the_command_line_tools_are_installed_entry_points():
    scripts = PYPROJECT["project"]["scripts"]
    assert set(scripts) == {
        "mnist-notebooks",
        "mnist-sweep",
        "mnist-seed-spreads",
        "mnist-book",
        "mnist-drawn-digits",
        "mnist-check-text",
    }
    for name, target in scripts.items():
        module, _, function = target.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), target
        assert shutil.which(name, path=str(Path(sys.executable).parent)), f"{name} is not installed: run make"


@pytest.mark.parametrize(
    "reported, expected",
    [
        ("echo 3.10", "is Python 3.10, but this project needs Python 3.11, 3.12 or 3.13"),
        ("echo 3.14", "is Python 3.14, but this project needs Python 3.11, 3.12 or 3.13"),
        ("exit 1", "is not a Python interpreter this Makefile can run"),
    ],
)
def test_make_checks_the_interpreter_before_installing_anything(tmp_path, reported, expected):
    if shutil.which("make") is None:
        pytest.skip("GNU Make is not installed")
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "pyproject.toml", "jupyter/overrides.json"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(paths.REPO_ROOT / name, tmp_path / name)
    interpreter = tmp_path / "python-under-test"
    interpreter.write_text(f"#!/bin/sh\n{reported}\n")
    interpreter.chmod(0o755)
    run = subprocess.run(
        ["make", f"PYTHON={interpreter}", "test-fast"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    assert expected in run.stdout and "make PYTHON=python3.12 test-fast" in run.stdout
    assert not (tmp_path / ".venv").exists(), "nothing is installed with an unsupported Python"


def test_the_environments_jupyterlab_settings_turn_off_the_news_question():
    """`make` installs jupyter/overrides.json as the environment's JupyterLab settings (not the user's):
    JupyterLab then neither asks about nor fetches its news feed (`--LabApp.news_url=` alone does not
    stop the question)."""
    import json

    from jupyterlab_server.settings_utils import _get_overrides

    ours = json.loads((paths.REPO_ROOT / "jupyter" / "overrides.json").read_text())
    assert ours["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    installed = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings"
    overrides, error = _get_overrides(str(installed))
    assert not error, error
    assert (
        overrides.get("@jupyterlab/apputils-extension:notification")
        == ours["@jupyterlab/apputils-extension:notification"]
    ), f"run make: {installed / 'overrides.json'} is missing or differs from jupyter/overrides.json"


#: What a copy of the project for a fresh environment leaves out: environments, outputs, caches.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "results", "checkpoints", "runs", "build", "__pycache__", "*.egg-info", ".*_cache"
)


@pytest.mark.slow
def test_requirements_txt_alone_runs_notebook_01_headless(tmp_path, output_dir):
    """A learner without make (on Windows, say): a new virtual environment, `pip install -r requirements.txt`,
    `pip install --no-deps -e .`, then `mnist-notebooks 01`, which runs notebook 01 headless in a fresh kernel
    of that environment. It prints the committed accuracy, from the same code digest: requirements.txt is
    enough, and the committed outputs are what it gives (the one full-length run of the suite)."""
    from notebook_runs import committed, final_test_accuracy, read_record

    project, venv = tmp_path / "project", tmp_path / "venv"
    shutil.copytree(paths.REPO_ROOT, project, ignore=NOT_COPIED)
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*command):
        done = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)
        assert done.returncode == 0, (
            f"{' '.join(map(str, command))} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
        return done.stdout

    run(sys.executable, "-m", "venv", venv)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    run(python, "-m", "pip", "install", "--quiet", "-r", "requirements.txt")
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
    installed = {line.split("==")[0].lower() for line in run(python, "-m", "pip", "list", "--format=freeze").split()}
    assert "pytest" not in installed, "requirements.txt holds no test tools"
    # The kernel papermill starts is this environment's Python (jupyter_client runs a kernel spec's
    # "python" with the interpreter it runs in).
    kernel = run(
        python, "-c", "from jupyter_client.kernelspec import get_kernel_spec; print(get_kernel_spec('python3').argv[0])"
    )
    assert kernel.strip() in ("python", "python3", str(python)), kernel
    run(python.parent / "mnist-notebooks", "01")

    name = catalog.training()[0].name
    executed = nbformat.read(project / "notebooks" / f"{name}.ipynb", as_version=4)
    accuracy = final_test_accuracy(executed)
    assert accuracy == final_test_accuracy(committed(name)) >= catalog.find(name).minimum_accuracy
    assert read_record(output_dir, name)["test_accuracy"] == pytest.approx(accuracy, abs=5e-5)
    assert executed.metadata["mnist_tutorial"]["code"] == committed(name).metadata["mnist_tutorial"]["code"]
