"""The code digest that marks a committed notebook stale: it follows what changes the outputs (code, the
imports that run, the notebooks restored) and nothing else (comments, docstrings, type-only imports).

Each test edits a copy of the package and the notebooks, never the repository."""

import ast
import io
import re
import shutil
import tokenize

import nbformat
import pytest

from mnist_tutorial import catalog, notebook_digest, paths

from notebook_runs import ALL_NOTEBOOKS, NOTEBOOKS

#: The requirements files (the digest reads the first).
LOCK_FILES = ["requirements.txt", "requirements-dev.txt"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the notebooks, the package and the lock, which the digest reads instead of the repository's."""
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(
        notebook_digest.PACKAGE_DIR, tmp_path / "mnist_tutorial", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in LOCK_FILES:
        shutil.copy2(paths.REPO_ROOT / name, tmp_path / name)
    monkeypatch.setattr(paths, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(notebook_digest, "PACKAGE_DIR", tmp_path / "mnist_tutorial")
    return tmp_path


def digests():
    return {name: notebook_digest.code_digest(name) for name in ALL_NOTEBOOKS}


def stale(before):
    """The notebooks whose digest is no longer `before`'s, by number."""
    after = digests()
    return sorted(catalog.find(name).number for name in before if after[name] != before[name])


def edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{path.name} has no {old!r} to edit"
    path.write_text(text.replace(old, new, 1))


def with_docstrings_and_comments_edited(source):
    """`source` with a word added to every docstring and a comment at the end of every statement's line."""
    lines = source.splitlines(keepends=True)
    ends = [
        token.start
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.NEWLINE
    ]
    for row, column in reversed(ends):
        lines[row - 1] = lines[row - 1][:column] + "  # a note" + lines[row - 1][column:]
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if not isinstance(body, list) or not body:
            continue
        first = body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            line = lines[first.lineno - 1]
            quotes = re.compile(r"[rRuU]?(\"\"\"|'''|\"|')").match(line, first.col_offset)
            lines[first.lineno - 1] = line[: quotes.end()] + "Edited. " + line[quotes.end() :]
    return "# An added comment.\n" + "".join(lines)


def test_comments_and_docstrings_stale_nothing(project):
    """Every module of the package and every code cell edited in its comments and docstrings: no notebook
    is stale, since none of them prints a docstring."""
    before = digests()
    for module in (project / "mnist_tutorial").rglob("*.py"):
        module.write_text(with_docstrings_and_comments_edited(module.read_text()))
    for name in ALL_NOTEBOOKS:
        path = catalog.find(name).path
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.source = "# A reader's note.\n" + cell.source + "\n# Another."
        nbformat.write(notebook, path)
    assert stale(before) == []
    # The edits were made where the digest reads: a change of code there is seen.
    edit(project / "mnist_tutorial" / "tf_logging.py", "\nimport ", "\nEDITED = 1\nimport ")
    assert stale(before) == list(range(1, len(ALL_NOTEBOOKS) + 1))


def test_no_module_of_the_package_reads_a_docstring():
    """What lets the digest leave docstrings out: no module shows one (the commands, which no notebook
    imports, take their help from theirs)."""
    for module in notebook_digest.PACKAGE_DIR.rglob("*.py"):
        if module.parent.name != "commands":
            assert not re.search(r"__doc__|getdoc", module.read_text()), f"{module.name} reads a docstring"


def test_a_changed_constant_stales_the_notebooks_that_import_it_and_those_that_restore_them(project):
    """transforms is imported by 12 directly and by 10 through augmentation; 12 and 13 restore 10's
    network (11 restores 02's alone). readout is imported by 13 alone."""
    before = digests()
    transforms = project / "mnist_tutorial" / "transforms.py"
    transforms.write_text(transforms.read_text() + "\nEDITED_CONSTANT = 1\n")
    changed = digests()
    assert sorted(catalog.find(name).number for name in before if changed[name] != before[name]) == [10, 12, 13]
    edit(transforms, "EDITED_CONSTANT = 1", "EDITED_CONSTANT = 2")
    assert stale(changed) == [10, 12, 13]
    before = digests()
    readout = project / "mnist_tutorial" / "readout.py"
    readout.write_text(readout.read_text() + "\nEDITED_CONSTANT = 1\n")
    assert stale(before) == [13]


def test_an_exercise_stales_its_own_notebook_alone(project):
    """The later notebooks use an earlier one's record and checkpoint, which its lesson writes: its exercises
    (their module, their cells) stale it alone. A change to its lesson stales those that name it too."""
    before = digests()
    softmax = project / "mnist_tutorial" / "exercises" / "softmax.py"
    softmax.write_text(softmax.read_text() + "\nEDITED_CONSTANT = 1\n")
    assert stale(before) == [1]
    path = catalog.find("01").path
    notebook = nbformat.read(path, as_version=4)
    start = catalog.exercises_start(notebook.cells)
    answer = next(cell for cell in notebook.cells[start:] if cell.cell_type == "code")
    answer.source += "\nedited = 1"
    nbformat.write(notebook, path)
    assert stale(before) == [1]
    before = digests()
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    first.source += "\nedited = 1"
    nbformat.write(notebook, path)
    assert len(stale(before)) > 1 and stale(before)[0] == 1


def test_an_import_for_the_type_checker_alone_is_not_followed(project):
    """readout (imported by 13 alone) names sweeps (imported by no notebook) for the type checker only:
    a change in sweeps stales nothing. Imported for real, it stales 13."""
    readout = project / "mnist_tutorial" / "readout.py"
    sweeps = project / "mnist_tutorial" / "sweeps.py"
    original = readout.read_text()
    readout.write_text(original + "\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from . import sweeps\n")
    before = digests()
    sweeps.write_text(sweeps.read_text() + "\nEDITED_CONSTANT = 1\n")
    assert stale(before) == []
    readout.write_text(original + "\nfrom . import sweeps\n")
    before = digests()
    edit(sweeps, "EDITED_CONSTANT = 1", "EDITED_CONSTANT = 2")
    assert stale(before) == [13]


def test_the_runtime_pins_stale_every_notebook_and_the_tools_pins_none(project):
    """A notebook runs on requirements.txt; requirements-dev.txt's test, lint and book tools do not change
    what it prints."""
    before = digests()
    edit(project / "requirements-dev.txt", "pytest==", "pytest>=")
    edit(project / "requirements.txt", "# via", "# came with")
    assert stale(before) == []
    edit(project / "requirements.txt", "numpy==", "numpy>=")
    assert stale(before) == list(range(1, len(ALL_NOTEBOOKS) + 1))


def test_normalised_code_cuts_comments_and_docstrings_only():
    source = (
        '"""Module."""\n\n'
        "import os  # why\n"
        "def f():\n"
        '    """Görner\'s figure."""; x = "é"  # a note\n'
        "    # only a note\n"
        '    return x + "# not a comment"\n'
    )
    assert (
        notebook_digest.normalised_code(source)
        == 'import os\ndef f():\n    ; x = "é"\n    return x + "# not a comment"'
    )
    # In a notebook cell, a string that starts it may be what the cell shows: it stays.
    assert notebook_digest.normalised_code('"shown"  # note', module=False) == '"shown"'
