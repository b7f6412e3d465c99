"""What a committed notebook's outputs were made from: `code_digest`, a SHA-256 of everything that
decides what the notebook prints, which `make notebooks` stores in its metadata and a test compares
with today's. Code counts as it runs: comments, docstrings and imports for the type checker alone do
not (`normalised_code`), so editing them makes no notebook stale.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import json
import tokenize
from pathlib import Path

import nbformat

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = PACKAGE_DIR.name


def code_digest(notebook: str | Path) -> str:
    """A SHA-256 of what decides what `notebook` prints when run top to bottom: its code cells; the
    package modules it imports when it runs (and those they import, and the package's `__init__`,
    which sets TensorFlow's options; of the catalog, only the list of networks to restore); the
    pinned versions of the packages it runs on (requirements.txt, without the tools of the tests); the seed
    spreads of the notebooks it names; and, of the earlier notebooks it names in its code (whose records
    it compares itself with) or restores, the digest of their lessons: what writes their records and
    checkpoints, their cells before the exercises. (A hint edited in 01's exercises stales 01 alone.)

    Code is hashed without its comments and docstrings (`normalised_code`), and an import made only
    for the type checker (under `if TYPE_CHECKING:`) is not followed: neither changes what a run
    prints.

    `make notebooks` stores it in each notebook's metadata; a test compares it with today's, so the
    committed outputs are known to come from the code as it is (re-run the notebook when it differs).
    It cannot see the machine: another processor may move the last digit of a result.
    """
    return _code_digest(notebook, {})


def _code_digest(notebook: str | Path, known: dict[tuple[str, bool], str], lesson: bool = False) -> str:
    """`code_digest`, of the notebook's `lesson` alone (its cells before the exercises) if asked, with the
    digests worked out so far in this call kept in `known`: the notebooks an earlier notebook names are
    named again by the later ones, and working each out once turns minutes into seconds. Nothing is kept
    between calls, so an edit between two calls is seen."""
    from . import catalog, results

    entry = catalog.find(notebook)
    if (entry.name, lesson) in known:
        return known[entry.name, lesson]
    digest = hashlib.sha256()
    cells = nbformat.read(entry.path, as_version=4).cells
    if lesson:
        cells = cells[: catalog.exercises_start(cells)]
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
        digest.update(_code_digest(name, known, lesson=True).encode())
    known[entry.name, lesson] = digest.hexdigest()
    return known[entry.name, lesson]


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
