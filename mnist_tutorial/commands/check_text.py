"""Check that the notebooks' text stays true for a run a learner makes: another seed, or other settings.

    mnist-check-text                         # or: make check-text   (every notebook with seed = 2)
    mnist-check-text 06 07                   # these notebooks (and the earlier ones they depend on)
    mnist-check-text --scale learning_rate=0.5   # every notebook's learning rate halved
    mnist-check-text --executed /tmp/ct          # read again the runs kept by an earlier --keep /tmp/ct

Executes the notebooks headless, in run order, into a temporary folder (results, checkpoints and the
executed copies never touch yours), and reads each one's prose against what the run printed
(`notebook_text`). With a seed (default 2) it reports every number the text quotes that the run does not
print at the text's precision where the committed run printed it, and every verdict the text states that
the run does not print. With
changed settings (`--set` or `--scale`) the prose still describes the committed settings, so it reports
what matters then: every comparison printed without naming each changed setting. Exits 1 when it
finds anything. Run it before committing re-executed notebooks; it takes as long as `make notebooks`.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from .. import catalog, notebook_runner, notebook_text, paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mnist-check-text", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="only these notebooks (numbers or names); default: all")
    parser.add_argument("--seed", type=int, default=2, help="the seed of every run (default 2)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="set a parameter wherever a notebook has it"
    )
    parser.add_argument(
        "--scale",
        action="append",
        default=[],
        metavar="NAME=FACTOR",
        help="multiply a numeric parameter by FACTOR wherever a notebook has it",
    )
    parser.add_argument("--keep", metavar="FOLDER", help="keep the executed notebooks and outputs in FOLDER")
    parser.add_argument(
        "--executed",
        metavar="FOLDER",
        help="run nothing: read the notebooks an earlier run kept in FOLDER (--keep) against today's text",
    )
    args = parser.parse_args(argv)
    try:
        settings = {name: ("set", value) for name, value in map(_assignment, args.set)}
        settings |= {name: ("scale", float(value)) for name, value in map(_assignment, args.scale)}
        chosen = catalog.select(args.notebooks) if args.notebooks else list(catalog.NOTEBOOKS)
    except (ValueError, catalog.NotebookNotFound) as error:
        parser.error(str(error))
    order = [entry.name for entry in catalog.NOTEBOOKS]
    needed = _with_dependencies(chosen)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="check-text-"))
    folder.mkdir(parents=True, exist_ok=True)
    failures = 0
    for entry in sorted(needed, key=lambda e: order.index(e.name)):
        defaults = _parameters(entry)
        parameters = {"seed": args.seed} if "seed" in defaults else {}
        changed = []
        for name, (how, value) in settings.items():
            if name in defaults:
                parameters[name] = value if how == "set" else type(defaults[name])(defaults[name] * value)
                changed.append(name)
        if args.executed:
            if entry not in chosen:
                continue
            kept = Path(args.executed) / entry.filename
            if not kept.exists():
                parser.error(f"{kept} does not exist: run mnist-check-text --keep {args.executed} first")
            executed = _with_todays_text(_without_injected(nbformat.read(kept, as_version=4)), entry)
        else:
            print(f"{entry.name}: running with {parameters or 'its committed settings'} ...", flush=True)
            executed = notebook_runner.execute(
                entry.path,
                folder / entry.filename,
                parameters,
                environment={paths.OUTPUT_DIR_VARIABLE: str(folder / "outputs")},
            )
        if entry not in chosen:
            continue
        if settings:
            findings = notebook_text.setting_findings(executed, changed)
        else:
            executed = _without_injected(executed)
            committed = nbformat.read(entry.path, as_version=4)
            findings = notebook_text.number_findings(executed) + notebook_text.verdict_findings(executed)
            seen = {(finding.cell, finding.text.split(",")[0]) for finding in findings}
            findings += [
                finding
                for finding in notebook_text.moved_number_findings(committed, executed)
                if (finding.cell, finding.text.split(",")[0]) not in seen
            ]
        for finding in findings:
            print(f"  {entry.name} {finding}")
        failures += len(findings)
    what = "comparisons that do not name a changed setting" if settings else "claims the run does not bear out"
    print(f"{failures} {what}" + (f"; executed notebooks in {folder}" if args.keep else ""))
    return 1 if failures else 0


def _without_injected(executed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """An executed notebook without the cell papermill adds for the parameters it was given, so that its cells
    line up with the committed notebook's."""
    executed.cells = [c for c in executed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    return executed


def _with_todays_text(executed: nbformat.NotebookNode, entry: catalog.Notebook) -> nbformat.NotebookNode:
    """A kept run with the markdown of the notebook as it is today (its code must not have changed)."""
    today = nbformat.read(entry.path, as_version=4)
    if [c.source for c in today.cells if c.cell_type == "code"] != [
        c.source for c in executed.cells if c.cell_type == "code"
    ]:
        raise SystemExit(f"mnist-check-text: the code of {entry.name} changed since that run: run it again.")
    for kept, cell in zip(executed.cells, today.cells, strict=True):
        if cell.cell_type == "markdown":
            kept.source = cell.source
    return executed


def _assignment(text: str) -> tuple[str, Any]:
    name, equals, value = text.partition("=")
    if not equals or not name.isidentifier():
        raise ValueError(f"{text!r} is not NAME=VALUE (for example learning_rate=0.1)")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise ValueError(f"cannot read the value of {text!r}: give a number, or quoted text") from None


def _parameters(entry: catalog.Notebook) -> dict[str, Any]:
    """{name: default} of the notebook's parameters cell."""
    import papermill

    found = papermill.inspect_notebook(str(entry.path))
    return {name: ast.literal_eval(spec["default"]) for name, spec in found.items()}


def _with_dependencies(chosen: list[catalog.Notebook]) -> list[catalog.Notebook]:
    """`chosen` and every earlier notebook they restore or name in their code (whose records they
    compare with), and theirs in turn."""
    needed: dict[str, catalog.Notebook] = {}
    todo = list(chosen)
    while todo:
        entry = todo.pop()
        if entry.name in needed:
            continue
        needed[entry.name] = entry
        code = "\n".join(c.source for c in nbformat.read(entry.path, as_version=4).cells if c.cell_type == "code")
        todo += [other for other in catalog.NOTEBOOKS if other.name != entry.name and other.name in code]
        todo += [catalog.find(name) for name in catalog.restored_by(entry)]
    return list(needed.values())


if __name__ == "__main__":
    sys.exit(main())
