"""What installing the project takes: the package declares what it imports, and make checks Python first."""

import ast
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

from mnist_tutorial import paths

PYPROJECT = tomllib.loads((paths.REPO_ROOT / "pyproject.toml").read_text())


def _declared():
    return {re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
            for requirement in PYPROJECT["project"]["dependencies"]}


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
        assert distributions & declared, f"mnist_tutorial imports {module} ({distributions}): declare it in pyproject.toml"


def test_python_range_and_gpu_extra():
    assert PYPROJECT["project"]["requires-python"] == ">=3.11,<3.14"
    assert any(extra.startswith("tensorflow[and-cuda]") for extra in PYPROJECT["project"]["optional-dependencies"]["gpu"])


@pytest.mark.parametrize("reported, expected", [
    ("echo 3.10", "is Python 3.10, but this project needs Python 3.11, 3.12 or 3.13"),
    ("echo 3.14", "is Python 3.14, but this project needs Python 3.11, 3.12 or 3.13"),
    ("exit 1", "is not a Python interpreter this Makefile can run"),
])
def test_make_checks_the_interpreter_before_installing_anything(tmp_path, reported, expected):
    if shutil.which("make") is None:
        pytest.skip("GNU Make is not installed")
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "pyproject.toml"):
        shutil.copy(paths.REPO_ROOT / name, tmp_path)
    interpreter = tmp_path / "python-under-test"
    interpreter.write_text(f"#!/bin/sh\n{reported}\n")
    interpreter.chmod(0o755)
    run = subprocess.run(["make", f"PYTHON={interpreter}", "test-fast"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert expected in run.stdout and "make PYTHON=python3.12 test-fast" in run.stdout
    assert not (tmp_path / ".venv").exists(), "nothing is installed with an unsupported Python"


def test_make_lab_opens_without_the_news_pop_up():
    if shutil.which("make") is None:
        pytest.skip("GNU Make is not installed")
    run = subprocess.run(["make", "-n", "-W", "requirements.txt", "lab"], cwd=paths.REPO_ROOT,
                         capture_output=True, text=True, timeout=60)
    command = run.stdout[run.stdout.index("jupyter lab"):]
    assert command.startswith("jupyter lab notebooks/")
    assert "--LabApp.news_url=" in command and "jupyterlab.NeverCheckForUpdate" in command
