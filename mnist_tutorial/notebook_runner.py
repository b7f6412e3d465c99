"""Execute a notebook headless with papermill, in a fresh kernel, with a time limit for each cell.

`make notebooks`, the sweeps and the tests all run notebooks through `execute()`, so that a cell that
hangs stops the run with a message naming the notebook and the cell, instead of waiting for ever.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import json
import os
import shutil
import tokenize
from pathlib import Path
from typing import Any

import nbformat

from . import catalog

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = PACKAGE_DIR.name
#: The kernel's own start-up warnings (ipykernel 7 warns that it talks over TCP on loopback) are
#: not the notebooks' output; errors still show.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
#: Seconds one cell may run. The slowest cell of the series (a full training run on two cores)
#: takes under two minutes; a cell still running after this long is stuck.
CELL_TIMEOUT = 900
#: Set this (in seconds) to change CELL_TIMEOUT for every run, for example on a slow machine.
CELL_TIMEOUT_VARIABLE = "MNIST_TUTORIAL_CELL_TIMEOUT"


class NotebookTimeout(TimeoutError):
    """A cell of a notebook ran past the time limit."""


def cell_timeout() -> int:
    """The time limit of one cell, in seconds: CELL_TIMEOUT unless the environment sets another."""
    text = os.environ.get(CELL_TIMEOUT_VARIABLE, "").strip()
    if not text:
        return CELL_TIMEOUT
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{CELL_TIMEOUT_VARIABLE} must be a whole number of seconds, at least 1, not {text!r}.")
    return int(text)


def execute(
    source: str | Path,
    output: str | Path,
    parameters: dict[str, Any] | None = None,
    timeout: int | None = None,
    environment: dict[str, str] | None = None,
    **papermill_options: Any,
) -> nbformat.NotebookNode:
    """Run `source` top to bottom into `output` (the kernel's working folder is the notebook's own);
    return the executed notebook. `environment` adds variables to the kernel's (this process's own are
    left alone, so that runs in parallel threads can each have theirs).

    A failing cell raises papermill's PapermillExecutionError (with the error's name and value); a
    cell that runs longer than `timeout` seconds (default: `cell_timeout()`) raises NotebookTimeout.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError

    source, output = Path(source), Path(output)
    timeout = timeout or cell_timeout()
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=parameters or {},
            cwd=str(source.parent),
            kernel_name="python3",
            progress_bar=False,
            extra_arguments=KERNEL_ARGUMENTS,
            execution_timeout=timeout,
            **({"kernel_manager_class": _kernel_manager_with(environment)} if environment else {}),
            **papermill_options,
        )
    except CellTimeoutError:
        raise NotebookTimeout(
            f"{source.name}: {_last_started_cell(output)} ran longer than {timeout} s, the "
            f"limit for one cell, and was stopped. If it is only slow, set "
            f"{CELL_TIMEOUT_VARIABLE} to more seconds."
        ) from None
    return nbformat.read(output, as_version=4)


def _kernel_manager_with(environment):
    """A kernel manager whose kernels start with `environment` added to this process's variables."""
    from jupyter_client.manager import AsyncKernelManager

    class KernelManagerWithEnvironment(AsyncKernelManager):
        async def start_kernel(self, **kwargs):
            kwargs["env"] = {**os.environ, **kwargs.get("env", {}), **environment}
            return await super().start_kernel(**kwargs)

    return KernelManagerWithEnvironment


def started_cells(path: Path) -> list[int]:
    """The indices of the cells papermill started in the (partly) executed `path`; none if it is missing
    or unreadable (the run stopped before its kernel ran anything)."""
    return [index for index, _ in _started(path)]


def _started(path: Path) -> list[tuple[int, Any]]:
    """(index, cell) of each cell papermill started in `path`, read once."""
    try:
        cells = nbformat.read(path, as_version=4).cells
    except (OSError, ValueError):
        return []
    return [(index, cell) for index, cell in enumerate(cells) if cell.metadata.get("papermill", {}).get("start_time")]


def _last_started_cell(path: Path) -> str:
    """ "cell N (first line)" of the last cell papermill started in the partly executed `path`."""
    started = _started(path)
    if not started:
        return "a cell"
    index, cell = started[-1]
    lines = cell.source.strip().splitlines()
    return f"cell {index} ({lines[0][:60] if lines else 'empty'})"


def copy_restored(notebook: catalog.Notebook, source: str | os.PathLike, target: str | os.PathLike) -> list[str]:
    """Copy the checkpoints and records of the networks `notebook` restores (catalog `restored_by`) from
    the output folder `source` (one with checkpoints/ and results/) into the output folder `target`, so
    that a run of `notebook` with `target` as its output folder finds them; return their names.

    FileNotFoundError, naming the notebook to run first, when one of them is not in `source`.
    """
    names = catalog.restored_by(notebook)
    for name in names:
        checkpoint = Path(source) / "checkpoints" / name
        record = Path(source) / "results" / f"{name}.json"
        if not (checkpoint.is_dir() and record.is_file()):
            raise FileNotFoundError(
                f"{notebook.name} restores the network of {name}, which is not saved in {source}: "
                f"run notebook {name} there first (make notebooks)."
            )
        shutil.copytree(checkpoint, Path(target) / "checkpoints" / name, dirs_exist_ok=True)
        (Path(target) / "results").mkdir(parents=True, exist_ok=True)
        shutil.copy2(record, Path(target) / "results" / record.name)
    return names


def code_digest(notebook: str | Path) -> str:
    """A SHA-256 of what decides what `notebook` prints when run top to bottom: its code cells; the
    package modules it imports when it runs (and those they import, and the package's `__init__`,
    which sets TensorFlow's options; of the catalog, only the list of networks to restore); the
    pinned versions of the packages it runs on (requirements.txt, without the tools of the tests); the seed
    spreads of the notebooks it names; and the digests of the earlier notebooks it names in its code
    (whose records it compares itself with) or restores.

    Code is hashed without its comments and docstrings (`normalised_code`), and an import made only
    for the type checker (under `if TYPE_CHECKING:`) is not followed: neither changes what a run
    prints.

    `make notebooks` stores it in each notebook's metadata; a test compares it with today's, so the
    committed outputs are known to come from the code as it is (re-run the notebook when it differs).
    It cannot see the machine: another processor may move the last digit of a result.
    """
    return _code_digest(notebook, {})


def _code_digest(notebook: str | Path, known: dict[str, str]) -> str:
    """`code_digest`, with the digests worked out so far in this call kept in `known`: the notebooks
    an earlier notebook names are named again by the later ones, and working each out once turns
    minutes into seconds. Nothing is kept between calls, so an edit between two calls is seen."""
    from . import catalog, results

    entry = catalog.find(notebook)
    if entry.name in known:
        return known[entry.name]
    digest = hashlib.sha256()
    cells = nbformat.read(entry.path, as_version=4).cells
    sources = [cell.source for cell in cells if cell.cell_type == "code"]
    code = "\n# cell\n".join(normalised_code(source, module=False) for source in sources)
    digest.update(code.encode())
    modules = _package_modules("\n".join(sources))
    if "catalog.py" in modules:  # of the catalog, only the networks restored (their names, labels, order)
        modules.discard("catalog.py")
        digest.update(json.dumps(list(catalog.classifiers().items())).encode())
    for module in sorted(modules | ({"__init__.py"} if modules else set())):
        digest.update(f"\0{module}\0{normalised_code((PACKAGE_DIR / module).read_text())}".encode())
    digest.update(_runtime_lock().encode())
    named = [other.name for other in catalog.NOTEBOOKS if other.name in code or other.name == entry.name]
    spreads = results.seed_spreads()
    digest.update(json.dumps({name: spreads.get(name) for name in named}, sort_keys=True).encode())
    order = [other.name for other in catalog.NOTEBOOKS]
    earlier = [name for name in named if order.index(name) < order.index(entry.name)]
    earlier += [name for name in catalog.restored_by(entry) if name not in earlier]
    for name in earlier:
        digest.update(_code_digest(name, known).encode())
    known[entry.name] = digest.hexdigest()
    return known[entry.name]


@functools.cache  # a function of its arguments alone: the same text gives the same answer
def normalised_code(source: str, module: bool = True) -> str:
    """`source` (Python) as it runs: without its comments, the docstrings of its functions and classes
    (and, for a `module`, its own), trailing spaces and blank lines. Two sources that differ only in
    those give the same text. A notebook cell is not a `module` here: a string it starts with may be
    the value it shows. The text is cut from the source itself, not rebuilt from the syntax tree, so
    it is the same on every Python version."""
    lines = io.StringIO(source).readlines()  # split where tokenize splits: at "\n" alone
    cuts = []  # (line, column, end line, end column): 1-based lines, columns in characters
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            cuts.append((*token.start, *token.end))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) or (
            module and isinstance(node, ast.Module)
        ):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                # The syntax tree counts columns in bytes of UTF-8; the cut counts characters.
                start = len(lines[first.lineno - 1].encode()[: first.col_offset].decode())
                end = len(lines[first.end_lineno - 1].encode()[: first.end_col_offset].decode())
                cuts.append((first.lineno, start, first.end_lineno, end))
    for line, column, end_line, end_column in sorted(cuts, reverse=True):
        head, tail = lines[line - 1][:column], lines[end_line - 1][end_column:]
        lines[line - 1 : end_line] = [head + tail]
    return "\n".join(line.rstrip() for line in lines if line.strip())


def _runtime_lock() -> str:
    """The pins of requirements.txt, the environment the notebooks run in (its comments left out). The
    tools of requirements-dev.txt (test runner, linter, lock tool, the book) do not change what a
    notebook prints, and are not in it."""
    lines = (PACKAGE_DIR.parent / "requirements.txt").read_text().splitlines()
    return "\n".join(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def _package_modules(code: str) -> set[str]:
    """The files of the package (relative to it, such as "plotting.py" or "exercises/softmax.py") that
    `code` imports, directly or through each other; importing a module of a subpackage imports the
    subpackage's `__init__.py` too."""
    found, todo = set(), {_module_file(name) for name in _imports(code, current=None)} - {None}
    while todo:
        module = todo.pop()
        if module in found:
            continue
        found.add(module)
        parts = Path(module).parent.parts
        todo |= {f"{'/'.join(parts[:depth])}/__init__.py" for depth in range(1, len(parts) + 1)}
        current = ".".join(Path(module).with_suffix("").parts)
        todo |= {_module_file(name) for name in _imports((PACKAGE_DIR / module).read_text(), current)} - {None}
    return found


def _module_file(dotted: str) -> str | None:
    """The file of the package's module `dotted` ("exercises.softmax"), relative to the package, or None."""
    path = dotted.replace(".", "/")
    for candidate in (f"{path}.py", f"{path}/__init__.py"):
        if path and (PACKAGE_DIR / candidate).is_file():
            return candidate
    return None


@functools.cache  # a function of its arguments alone
def _imports(code: str, current: str | None) -> frozenset[str]:
    """The package's modules, dotted and relative to the package ("plotting", "exercises.softmax"), that
    `code` may import when it runs (not under `if TYPE_CHECKING:`): `from mnist_tutorial import a`, `from
    mnist_tutorial.a import b`, `import mnist_tutorial.a` and, in the package's module `current`
    ("exercises.softmax"), `from . import a`, `from .a import b` and `from .. import a`. A name
    imported from a module may be a module of a subpackage or not; both are listed, and what is not a
    file is left out later."""
    modules = set()
    for node in _running_nodes(ast.parse(code)):
        if isinstance(node, ast.ImportFrom):
            if current is not None and node.level:
                package = current.split(".")[: -node.level]
                base = ".".join([*package, *([node.module] if node.module else [])])
            elif current is None and node.module and node.module.split(".")[0] == PACKAGE:
                base = node.module.partition(".")[2]
            else:
                continue
            if base:
                modules.add(base)
            modules |= {f"{base}.{alias.name}" if base else alias.name for alias in node.names}
        elif isinstance(node, ast.Import) and current is None:
            modules |= {alias.name.partition(".")[2] for alias in node.names if alias.name.startswith(f"{PACKAGE}.")}
    return frozenset(modules)


def _running_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of `tree` but those under `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`), which
    only the type checker runs; their `else:` branch runs, and is kept."""
    nodes, todo = [], [tree]
    while todo:
        node = todo.pop()
        nodes.append(node)
        for child in ast.iter_child_nodes(node):
            test = child.test if isinstance(child, ast.If) else None
            if isinstance(test, ast.Name | ast.Attribute) and getattr(test, "id", getattr(test, "attr", "")) == (
                "TYPE_CHECKING"
            ):
                todo.extend(child.orelse)
            else:
                todo.append(child)
    return nodes
