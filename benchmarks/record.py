"""`make bench`: run every benchmark, show what each prints, and rewrite benchmarks/RESULTS.md with their
figures, the date and the machine (README.md links to it, so that its figures stay dated and in one place).

The file is written only when every benchmark chosen ran to the end; a failure leaves the last one as it
was and exits non-zero. Each benchmark runs in a process of its own, from the folder it expects.

    python benchmarks/record.py                        # all of them, into benchmarks/RESULTS.md
    python benchmarks/record.py load_time augmentation --output /tmp/some.md   # some, elsewhere
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

from mnist_tutorial import atomic_files, paths

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
#: Every benchmark, in the order `make bench` runs them: name (its file in benchmarks/) and whether it
#: runs from notebooks/ (those that build a notebook's graph from its own cells).
BENCHMARKS = {
    "load_time": False,
    "training_loop": True,
    "tensorboard_overhead": True,
    "onednn": True,
    "sweep_engine": False,
    "augmentation": False,
    "notebook_time": False,
}


def machine() -> str:
    """One line on the machine: processor, cores, memory, system, Python and TensorFlow versions."""
    processor = platform.processor() or platform.machine()
    try:
        names = [line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
        processor = names[0].split(":", 1)[1].strip() if names else processor
    except OSError:
        pass
    try:
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB of memory"
    except (ValueError, OSError, AttributeError):
        memory = ""
    from importlib.metadata import version

    return (
        f"{processor}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, TensorFlow {version('tensorflow')}"
    )


def run(name: str) -> str:
    """Run benchmark `name`, passing its lines through as they come; return them. RuntimeError if it fails."""
    script = HERE / f"{name}.py"
    folder = paths.REPO_ROOT / "notebooks" if BENCHMARKS[name] else paths.REPO_ROOT
    print(f"== {name}", flush=True)
    process = subprocess.Popen([sys.executable, str(script)], cwd=folder, stdout=subprocess.PIPE, text=True, bufsize=1)
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    if process.wait() != 0:
        raise RuntimeError(f"benchmarks/{name}.py failed (exit status {process.returncode}); see its messages above")
    return "".join(lines)


def report(outputs: dict[str, str], measured: str, on: str) -> str:
    """The text of RESULTS.md: when and where, then each benchmark's command, summary and output."""
    parts = [
        "# Benchmarks: the figures of the last `make bench`\n",
        f"Measured {measured} on {on}. Rewritten whole by `make bench` (benchmarks/record.py); the machines "
        "are shared, so figures move by several percent from run to run. What each benchmark measures, and "
        "how, is in its file's docstring.\n",
    ]
    for name, output in outputs.items():
        summary = _docstring_summary(HERE / f"{name}.py")
        where = "cd notebooks && python ../benchmarks" if BENCHMARKS[name] else "python benchmarks"
        parts.append(f"## {name}\n\n{summary} (`{where}/{name}.py`)\n\n```\n{output.rstrip()}\n```\n")
    return "\n".join(parts)


def _docstring_summary(path: Path) -> str:
    """The first sentence of a script's docstring, on one line."""
    import ast

    text = ast.get_docstring(ast.parse(path.read_text())) or ""
    first = " ".join(text.split("\n\n")[0].split())
    return first.split(". ")[0].rstrip(".") + "."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="record.py", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("benchmarks", nargs="*", help=f"run only these, of {', '.join(BENCHMARKS)}")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write (default benchmarks/RESULTS.md)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.benchmarks if name not in BENCHMARKS]
    if unknown:
        parser.error(f"no benchmark is called {', '.join(unknown)}: choose among {', '.join(BENCHMARKS)}")
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    try:
        outputs = {name: run(name) for name in args.benchmarks or BENCHMARKS}
    except RuntimeError as error:
        print(f"{error}; {args.output} was not changed.", file=sys.stderr)
        return 1
    atomic_files.write_text(args.output, report(outputs, started, machine()))
    print(f"Wrote {args.output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
