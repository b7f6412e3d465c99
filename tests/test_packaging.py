"""What installing the project takes: the package declares what it imports, and make checks Python first."""

import ast
import importlib
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mnist_tutorial import paths

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
    for path in (paths.REPO_ROOT / "mnist_tutorial").glob("*.py"):
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


def test_the_lock_pins_every_package_at_the_version_the_requirements_ask_for():
    """requirements.lock is compiled from requirements.in and requirements-dev.in (`make lock`): every
    package those name is in it, at the version they pin; and it pins everything it lists."""
    lock = (paths.REPO_ROOT / "requirements.lock").read_text()
    locked = _pins(lock)
    for name in ("requirements.in", "requirements-dev.in"):
        text = (paths.REPO_ROOT / name).read_text()
        wanted = {_name(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")}
        for package in sorted(wanted):
            assert package in locked, f"{name} asks for {package}, which requirements.lock lacks: run make lock"
        for package, version in _pins(text).items():
            assert locked[package] == version, (
                f"{name} pins {package}=={version}; the lock has {locked[package]}: run make lock"
            )
    requirements = [line for line in lock.splitlines() if line and not line.startswith((" ", "#"))]
    assert all("==" in line for line in requirements), "every package of the lock is pinned"
    assert {"keras", "protobuf", "pillow", "ipython", "traitlets", "jupyter-client", "nbclient"} <= set(locked), (
        "the lock holds the packages that used to float"
    )


def test_the_command_line_tools_are_installed_entry_points():
    scripts = PYPROJECT["project"]["scripts"]
    assert set(scripts) == {
        "mnist-notebooks",
        "mnist-sweep",
        "mnist-seed-spreads",
        "mnist-book",
        "mnist-drawn-digits",
        "mnist-exercises",
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
    for name in ("Makefile", "requirements.lock", "pyproject.toml", "jupyter/overrides.json"):
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


def test_the_notebooks_digest_reads_only_the_locked_packages_they_run_on():
    """A notebook's digest covers the versions of what it runs on (requirements.in and what that
    needs), not the tools of requirements-dev.in nor what only they need: a new test or book tool
    does not make the committed notebooks stale."""
    from mnist_tutorial import notebook_runner

    runtime = {line.split("==")[0] for line in notebook_runner._runtime_lock().splitlines()}
    assert {"tensorflow", "numpy", "matplotlib", "jupyterlab", "papermill", "protobuf"} <= runtime
    assert "jinja2" in runtime, "needed by JupyterLab as well as by Sphinx: kept"
    assert not {"pytest", "ruff", "uv", "playwright", "sphinx", "myst-nb"} & runtime, "the tools"
    assert not {"iniconfig", "pluggy", "docutils", "alabaster"} & runtime, "what only the tools need"


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
