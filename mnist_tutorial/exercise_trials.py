"""Try every exercise's solution and listed wrong answers, the cheapest way each allows.

Each try ("trial") expects a verdict: "correct" for a solution, "not yet" with the wrong answer's phrase for
a wrong answer. A trial takes one of four routes:

- **notebook**: an answer cell that reads only what the notebook's own run holds (write the code) is put,
  with its check, into a run of the notebook that happens anyway (the tests' quick runs): `with_trials`
  adds the cells after the exercise's own check.
- **graph**: a changed network is checked without training: the notebook's cells that build the graph run
  with the change, and the check's first part reads the graph and the settings (`spec["before"]`).
- **side**: an answer made of side runs (`side_runs.train`) runs here, in this process, with the check.
- **run**: a changed network (a graph exercise's solution), or an answer that needs the notebook's own
  results, runs as a side run of the notebook with the check as its last cell.

`print_trials` (the command `mnist-exercises try`) makes every trial once per seed and prints a table. With
seed s, a side run made without a seed uses s, and one over seeds [1, 2, 3] uses the three seeds 3s-2 to 3s.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import io
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import catalog, paths, side_runs
from .exercises import CODE, GRAPH, Exercise, run_check

#: What a check prints first: "Exercise 3, not yet: ...".
VERDICT = re.compile(r"^Exercise (\d+), (correct|not yet|not attempted): (.*)$", re.M)
#: The names an answer cell may use without the notebook's own run: what the exercise section imports, and
#: Python's builtins.
SIDE_NAMES = frozenset({"NOTEBOOK", "side_runs", "significance", "np", "plotting"} | set(dir(builtins)))
#: A printed test score: what no answer cell may show.
TEST_SCORE = re.compile(r"test accuracy|test_accuracy|Final test", re.I)
ROUTES = ("notebook", "graph", "side", "run")


@dataclass(frozen=True)
class Trial:
    """One answer to try: a solution (expects "correct") or a wrong answer (expects "not yet" and `says`)."""

    notebook: str
    exercise: Exercise
    label: str
    answer: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    edits: tuple[tuple[str, str], ...] = ()
    says: str = ""
    route: str = "notebook"

    @property
    def expected(self) -> str:
        return "not yet" if self.says else "correct"

    @property
    def name(self) -> str:
        return f"{self.notebook[:2]} ex{self.exercise.number} {self.label}"


def exercises_of(notebook: str) -> tuple[Exercise, ...]:
    """The exercises of `notebook` (its module `mnist_tutorial.exercises.<slug>`), or () if it has none."""
    try:
        module = importlib.import_module(f"mnist_tutorial.exercises.{catalog.find(notebook).slug}")
    except ModuleNotFoundError:
        return ()
    return module.EXERCISES


def _loads(code: str) -> set[str]:
    """The names `code` reads that it does not bind itself (in statements, loops or comprehensions)."""
    if not code.strip():
        return set()
    import ast

    bound = {
        node.id
        for comprehension in ast.walk(ast.parse(code))
        if isinstance(comprehension, ast.comprehension)
        for node in ast.walk(comprehension.target)
        if isinstance(node, ast.Name)
    }
    return side_runs.used_names(code) - side_runs.defined_names(code) - bound


def _needs_notebook(exercise: Exercise, answer: str) -> bool:
    """Whether the answer or the check reads the notebook's own run (anything beyond the side runs)."""
    defined = side_runs.defined_names(answer) if answer.strip() else set()
    return bool((_loads(answer) | (set(exercise.reads) - defined)) - SIDE_NAMES)


def trials(notebook: str) -> list[Trial]:
    """Every trial of `notebook`'s exercises: each solution, then each wrong answer, with its route."""
    name = catalog.find(notebook).name
    found = []
    for exercise in exercises_of(name):
        if not exercise.checkable:
            continue
        legacy = not exercise.reads  # of the earlier framework: only its write-the-code answers can be tried here
        answers = [("solution", exercise.solution, exercise.parameters, exercise.edits, "")] + [
            (f"wrong: {wrong.says}", wrong.answer, wrong.parameters, wrong.edits, wrong.says)
            for wrong in exercise.wrong_answers
        ]
        for label, answer, parameters, edits, says in answers:
            if exercise.kind == GRAPH:
                routes = ["graph", "run"] if not says else ["graph"]
            elif "side_runs.train(" in answer:
                routes = ["run" if _needs_notebook(exercise, answer) else "side"]
            elif exercise.kind == CODE and not parameters and not edits:
                routes = ["notebook"]
            else:
                routes = ["run"]
            if legacy and routes != ["notebook"]:
                continue
            for route in routes:
                found.append(Trial(name, exercise, label, answer, dict(parameters), tuple(edits), says, route))
    return found


def judged(trial: Trial, verdict: str, message: str) -> bool:
    """Whether the verdict is the one the trial expects (a wrong answer's message must contain its phrase)."""
    if trial.route == "graph" and not trial.says:
        return verdict == "before run passed"
    return verdict == trial.expected and (not trial.says or trial.says in message)


# ----------------------------------------------------------------------------------------------------------
# The notebook route: cells added to a run of the notebook


def check_cell_source(number: int) -> str:
    return f"exercise_{number}.check()"


def with_trials(notebook_node, notebook: str):
    """A copy of `notebook_node` (the notebook `notebook`) with the notebook route's trials added after each
    exercise's own check cell: each answer, then its check."""
    import nbformat

    copy = nbformat.from_dict(notebook_node)
    for trial in reversed([t for t in trials(notebook) if t.route == "notebook"]):
        checks = [
            i
            for i, cell in enumerate(copy.cells)
            if cell.cell_type == "code" and cell.source.startswith(check_cell_source(trial.exercise.number))
        ]
        if not checks:
            raise ValueError(f"{notebook}: exercise {trial.exercise.number} has no check cell")
        at = checks[0] + 1
        copy.cells[at:at] = [
            nbformat.v4.new_code_cell(trial.answer, metadata={"trial": trial.label}),
            nbformat.v4.new_code_cell(check_cell_source(trial.exercise.number), metadata={"trial": trial.label}),
        ]
    return copy


def verdicts(notebook_node) -> dict[int, list[tuple[str, str]]]:
    """{exercise number: [(verdict, message), ...]} in the order the check cells printed them."""
    from .notebook_cells import printed_text

    found: dict[int, list[tuple[str, str]]] = {}
    for cell in notebook_node.cells:
        if cell.cell_type == "code" and cell.source.startswith("exercise_"):
            for number, verdict, message in VERDICT.findall(printed_text(cell)):
                found.setdefault(int(number), []).append((verdict, message))
    return found


def notebook_route_results(notebook: str, executed) -> list[tuple[Trial, str, str]]:
    """The notebook route's trials of `notebook` with the verdicts an executed `with_trials` copy printed."""
    found = verdicts(executed)
    results = []
    for number, group in _by_exercise([t for t in trials(notebook) if t.route == "notebook"]).items():
        printed = found.get(number, [])[1:]  # the first is the exercise's own check, on the untouched answer
        for index, trial in enumerate(group):
            verdict, message = printed[index] if index < len(printed) else ("missing", "no verdict printed")
            results.append((trial, verdict, message))
    return results


def _by_exercise(found: Iterable[Trial]) -> dict[int, list[Trial]]:
    groups: dict[int, list[Trial]] = {}
    for trial in found:
        groups.setdefault(trial.exercise.number, []).append(trial)
    return groups


# ----------------------------------------------------------------------------------------------------------
# The graph route: the changed graph, built without training


def before_run_verdict(notebook: str, number: int, namespace: Mapping[str, Any]) -> tuple[str, str]:
    """(verdict, message) of a graph exercise's check before its run: "before run passed" when the graph
    and settings are right. Run in a kernel that built the graph."""
    from .exercises import Answers, NotAttempted, NotYet

    exercise = next(e for e in exercises_of(notebook) if e.number == number)
    answers = Answers(namespace, exercise.reads, notebook)
    try:
        return "before run passed", exercise.spec["before"](answers)
    except NotAttempted as reason:
        return "not attempted", str(reason)
    except NotYet as reason:
        return "not yet", str(reason)


def _graph_needs(notebook: catalog.Notebook, exercise: Exercise, edits) -> tuple[str, ...]:
    """The names a graph exercise's check reads that the notebook defines before its training cell."""
    import nbformat

    cells = nbformat.read(notebook.path, as_version=4).cells
    code = [c for c in cells if c.cell_type == "code"]
    training = next((i for i, c in enumerate(code) if side_runs.TRAINING_TAG in c.metadata.get("tags", [])), len(code))
    sources = side_runs.apply_edits([c.source for c in code[:training]], edits, notebook.name)
    before = set().union(*(side_runs.defined_names(source) for source in sources))
    return tuple(name for name in exercise.reads if name in before)


def graph_session(session: Any = None) -> Any:
    """A session of the graph the notebook's cells built last (TensorFlow's default graph): `session` if it
    is an open session of that graph, else a new one with the variables initialised. A notebook's graph cell
    starts with `tf.reset_default_graph()`, so the session an earlier trial of the same kernel opened runs a
    graph of its own, which the new tensors are not part of: that one is closed. Run in the kernel."""
    import tensorflow.compat.v1 as tf

    graph = tf.get_default_graph()
    if isinstance(session, tf.Session) and not session._closed and session.graph is graph:
        return session
    if isinstance(session, tf.Session):
        session.close()
    session = tf.Session(graph=graph)
    session.run(tf.global_variables_initializer())
    return session


_GRAPH_THEN = """from mnist_tutorial import exercise_trials as _trials
session = _trials.graph_session(globals().get("session"))
verdict = _trials.before_run_verdict({notebook!r}, {number}, globals())
"""


def run_graph_trials(found: Sequence[Trial], seed: int) -> list[tuple[Trial, str, str]]:
    """The graph route: each trial's changed graph built and checked without training, all of a notebook's
    in one kernel."""
    results = []
    for notebook, group in _by_notebook(found):
        items = []
        for trial in group:
            then = _GRAPH_THEN.format(notebook=notebook.name, number=trial.exercise.number)
            needs = _graph_needs(notebook, trial.exercise, trial.edits)
            changes = {**trial.parameters, "seed": seed}
            items.append((side_runs.Plan.of(notebook, changes, trial.edits, ("verdict",), then, needs), changes))
        try:
            runs = side_runs.execute_plans(items, quiet=True)
            results += [(trial, *run.values["verdict"]) for trial, run in zip(group, runs)]
        except side_runs.SideRunError as error:
            results += [(trial, "failed", str(error)) for trial in group]
    return results


def _by_notebook(found: Iterable[Trial]) -> list[tuple[catalog.Notebook, list[Trial]]]:
    """(notebook, its trials) for each notebook, in the order found (grouped by name: a catalog entry holds
    dicts, so it cannot be a key)."""
    groups: dict[str, list[Trial]] = {}
    for trial in found:
        groups.setdefault(catalog.find(trial.notebook).name, []).append(trial)
    return [(catalog.find(name), trials) for name, trials in groups.items()]


# ----------------------------------------------------------------------------------------------------------
# The side and run routes


class SeededSideRuns:
    """`side_runs` as an answer cell sees it in a trial with seed `seed`: a side run without a seed gets
    `seed`, one over seeds [1, 2, 3] gets 3 x (seed - 1) more. Each run of one setting with one seed is
    made once (`made`) and shared: by the answers that ask for it again, and by those over fewer seeds.

    With `replay`, runs over several seeds that measured.json already holds (the same changes, seeds and
    code, its digest checked) are rebuilt from it instead of trained: their final validation accuracies, all
    a stored measurement keeps, which is what an answer over seeds compares. A run with one seed is trained
    (its answer may read its weights), unless a call over seeds brought it. The tests replay; `mnist-exercises
    try`, which shows what a learner would see, trains."""

    SideRunError = side_runs.SideRunError

    def __init__(self, seed: int, made: dict | None = None, replay: bool = False):
        self.seed, self.made, self.replay = seed, {} if made is None else made, replay

    def seeded(self, options: dict[str, Any]) -> dict[str, Any]:
        """`options` of a side_runs.train call, with this trial's seeds."""
        options = dict(options)
        if options.get("seeds") is not None:
            options["seeds"] = [s + 3 * (self.seed - 1) for s in options["seeds"]]
        elif "seed" not in options:
            options["seed"] = self.seed
        return options

    @staticmethod
    def split(options: Mapping[str, Any]) -> tuple[dict[str, Any], list[int] | None]:
        """(the options but the seeds, the seeds of a call over several, or None)."""
        rest = {k: v for k, v in options.items() if k not in ("seeds", "seed")}
        seeds = options.get("seeds")
        return rest, None if seeds is None else [int(seed) for seed in seeds]

    @staticmethod
    def key(notebook: str, rest: Mapping[str, Any], seed: Any) -> tuple[str, str, Any]:
        """Where `made` keeps the run of `notebook` with the options `rest` and `seed`."""
        return catalog.find(notebook).name, repr(sorted(rest.items())), seed

    def replayed(self, notebook: str, rest: Mapping[str, Any]) -> None:
        """Put in `made` every run of `notebook` with the options `rest` that measured.json holds for the
        code as it is now (when this replays)."""
        from .exercises import stored

        if not self.replay or set(rest) & {"keep", "edits", "then", "needs"}:
            return
        for entry in stored(notebook).values():
            if entry["changes"] != dict(rest) or entry["edits"] or entry["keep"] or entry["then"]:
                continue
            if set(entry["values"]) != {"validation_accuracy"}:  # its answers read more of a run (weights, a
                continue  # second monitor) than a stored measurement keeps
            plan = side_runs.Plan.of(catalog.find(notebook), dict(rest), (), (), "")
            if entry["code"] != plan.digest() or entry["notebook_settings"] != plan.defaults:
                continue
            for seed, accuracy in entry["values"].get("validation_accuracy", {}).items():
                settings = {**plan.defaults, **rest, "seed": int(seed)}
                self.made.setdefault(self.key(notebook, rest, int(seed)), _replayed_run(notebook, settings, accuracy))

    def train(self, notebook: str, **options: Any):
        options = self.seeded(options)
        rest, seeds = self.split(options)
        name = catalog.find(notebook).name
        if seeds is not None:
            self.replayed(name, rest)
        if seeds is None:
            key = self.key(name, rest, options["seed"])
            if key not in self.made:
                self.made[key] = side_runs.train(name, quiet=True, **rest, seed=options["seed"])
            return self.made[key]
        missing = [seed for seed in seeds if self.key(name, rest, seed) not in self.made]
        if missing:
            for seed, run in side_runs.train(name, quiet=True, seeds=missing, **rest).runs.items():
                self.made[self.key(name, rest, seed)] = run
        return side_runs.SideRuns(name, {seed: self.made[self.key(name, rest, seed)] for seed in seeds})

    def prefetch(self, answers: Iterable[str], notebook: str) -> None:
        """Make, in one kernel, every side run the `answers` call with literal arguments
        (`side_runs.train(NOTEBOOK, name=value, ...)`), so that `train` finds them made."""
        import ast

        found = catalog.find(notebook)
        wanted: dict[tuple, dict[str, Any]] = {}  # key -> (options but the seeds, seed)
        for answer in answers:
            for node in ast.walk(ast.parse(answer)) if answer.strip() else ():
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "train"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "side_runs"
                    and len(node.args) == 1
                    and isinstance(node.args[0], ast.Name)
                    and node.args[0].id == "NOTEBOOK"
                ):
                    continue
                try:
                    options = {keyword.arg: ast.literal_eval(keyword.value) for keyword in node.keywords}
                except ValueError:  # an argument computed in the cell: made when the cell runs
                    continue
                options = self.seeded(options)
                rest, seeds = self.split(options)
                if seeds is not None:
                    self.replayed(found.name, rest)
                for seed in seeds if seeds is not None else [options["seed"]]:
                    wanted.setdefault(self.key(found.name, rest, seed), (rest, seed))
        items, keys = [], []
        for key, (rest, seed) in wanted.items():
            if key not in self.made:
                keep = tuple(rest.get("keep", ()))
                changes = {k: v for k, v in rest.items() if k != "keep"}
                items.append((side_runs.Plan.of(found, changes, (), keep, ""), {**changes, "seed": seed}))
                keys.append(key)
        if items:
            for key, run in zip(keys, side_runs.execute_plans(items, quiet=True)):
                self.made[key] = run


def _replayed_run(notebook: str, settings: dict[str, Any], accuracy: float) -> side_runs.SideRun:
    """A side run rebuilt from a stored measurement: it ended, at `accuracy` on the validation set."""
    import numpy as np

    steps = int(settings.get("training_steps", 0))
    monitor = side_runs.MonitorSummary(
        outcome="finished",
        steps=steps,
        validation_steps=np.array([steps]),
        validation_accuracy=np.array([float(accuracy)]),
        validation_cross_entropy=np.array([np.nan]),
        train_cross_entropy=np.array([]),
        train_seconds=0.0,
    )
    return side_runs.SideRun(notebook, settings, int(settings["seed"]), (), {"monitor": monitor}, {}, {}, 0.0)


def run_side_trial(trial: Trial, seed: int, made: dict, replay: bool = False) -> tuple[str, str, str]:
    """(verdict, message, what the answer cell printed) of a side-route trial, made in this process (its
    stored runs replayed, with `replay`: see SeededSideRuns)."""
    import numpy as np

    from . import plotting, significance

    namespace = {
        "NOTEBOOK": trial.notebook,
        "side_runs": SeededSideRuns(seed, made, replay),
        "significance": significance,
        "np": np,
        "plotting": plotting,
    }
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(trial.answer, f"<{trial.name}>", "exec"), namespace)
            verdict, message = run_check(trial.exercise, namespace, trial.notebook)
    except side_runs.SideRunError as error:
        verdict, message = "failed", str(error)
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    return verdict, message, printed.getvalue()


def run_side_trials(found: Sequence[Trial], seed: int, replay: bool = False) -> list[tuple[Trial, str, str, str]]:
    """The side route: [(trial, verdict, message, what its answer cell printed)], the side runs of one
    notebook's answers made first, in one kernel, and shared by the answers that make the same one; with
    `replay`, those measured.json holds are rebuilt from it (SeededSideRuns)."""
    made: dict = {}
    for notebook, group in _by_notebook(found):
        with contextlib.suppress(side_runs.SideRunError):  # if it fails, each is made again with its own message
            SeededSideRuns(seed, made, replay).prefetch([t.answer for t in group], notebook.name)
    return [(trial, *run_side_trial(trial, seed, made, replay)) for trial in found]


def checked(notebook: str, number: int, namespace: Mapping[str, Any]) -> tuple[str, str]:
    """(verdict, message) of exercise `number`'s check on `namespace` (run in a kernel)."""
    exercise = next(e for e in exercises_of(notebook) if e.number == number)
    return run_check(exercise, namespace, notebook)


def _run_then(group: Sequence[Trial], seed: int) -> str:
    """The code a run-route side run ends with: each trial's answer, then its check, each verdict kept."""
    lines = [
        "from mnist_tutorial import exercise_trials as _trials",
        f"side_runs = _trials.SeededSideRuns({seed})",
        "trial_verdicts = []",
    ]
    for trial in group:
        lines += [
            "try:",
            f"    exec(compile({trial.answer!r}, {trial.name!r}, 'exec'), globals())",
            f"    trial_verdicts.append(_trials.checked({trial.notebook!r}, {trial.exercise.number}, globals()))",
            "except Exception as _error:",
            '    trial_verdicts.append(("failed", f"{type(_error).__name__}: {_error}"))',
        ]
    return "\n".join(lines) + "\n"


def run_run_trials(found: Sequence[Trial], seed: int) -> list[tuple[Trial, str, str]]:
    """The run route: the trials of one notebook with the same changes in one side run of it, with their
    answers and checks as its last cells; all of a notebook's side runs in one kernel."""
    results = []
    for notebook, trials_of_notebook in _by_notebook(found):
        groups: dict[tuple, list[Trial]] = {}
        for trial in trials_of_notebook:
            groups.setdefault((repr(sorted(trial.parameters.items())), trial.edits), []).append(trial)
        items, ordered = [], []
        for group in groups.values():
            first = group[0]
            defined = set().union(*(side_runs.defined_names(t.answer) for t in group if t.answer.strip()))
            wanted = set().union(*(_loads(t.answer) | set(t.exercise.reads) for t in group))
            needs = tuple(sorted(wanted - defined - SIDE_NAMES))
            changes = {**first.parameters, "seed": seed}
            plan = side_runs.Plan.of(notebook, changes, first.edits, ("trial_verdicts",), _run_then(group, seed), needs)
            items.append((plan, changes))
            ordered.append(group)
        try:
            runs = side_runs.execute_plans(items, quiet=True)
            for group, run in zip(ordered, runs):
                results += [(trial, *verdict) for trial, verdict in zip(group, run.values["trial_verdicts"])]
        except side_runs.SideRunError as error:
            results += [(trial, "failed", str(error)) for group in ordered for trial in group]
    return results


# ----------------------------------------------------------------------------------------------------------
# All of a notebook's trials, and the table


def run_trials(
    notebook: str, seed: int, routes: Sequence[str] = ROUTES, notebook_run: Callable | None = None
) -> list[tuple[Trial, str, str, float]]:
    """Make `notebook`'s trials of `routes` with `seed`: [(trial, verdict, message, seconds)]. The notebook
    route executes a quick run of the notebook with the trials added (or calls `notebook_run(node)`, which
    returns the executed notebook)."""
    found = [t for t in trials(notebook) if t.route in routes]
    results: list[tuple[Trial, str, str, float]] = []
    notebook_trials = [t for t in found if t.route == "notebook"]
    if notebook_trials:
        started = time.perf_counter()
        executed = (notebook_run or (lambda node: _quick_run(notebook, node, seed)))(_with_trials_of(notebook))
        seconds = (time.perf_counter() - started) / len(notebook_trials)
        results += [(t, v, m, seconds) for t, v, m in notebook_route_results(notebook, executed)]
    graph_trials = [t for t in found if t.route == "graph"]
    if graph_trials:
        started = time.perf_counter()
        done = run_graph_trials(graph_trials, seed)
        seconds = (time.perf_counter() - started) / len(graph_trials)
        results += [(t, v, m, seconds) for t, v, m in done]
    side = [t for t in found if t.route == "side"]
    if side:
        started = time.perf_counter()
        done = run_side_trials(side, seed)
        seconds = (time.perf_counter() - started) / len(side)
        results += [(t, v, m, seconds) for t, v, m, _ in done]
    run_trials_ = [t for t in found if t.route == "run"]
    if run_trials_:
        started = time.perf_counter()
        done = run_run_trials(run_trials_, seed)
        seconds = (time.perf_counter() - started) / len(run_trials_)
        results += [(t, v, m, seconds) for t, v, m in done]
    return results


def _with_trials_of(notebook: str):
    import nbformat

    return with_trials(nbformat.read(catalog.find(notebook).path, as_version=4), notebook)


def _quick_run(notebook: str, node, seed: int):
    """Execute `node` (a copy of `notebook`) with its quick parameters and `seed`, in a temporary folder whose
    outputs hold the networks it restores."""
    import nbformat

    from .notebook_runner import execute

    found = catalog.find(notebook)
    with tempfile.TemporaryDirectory(prefix="exercise-trials-") as scratch:
        scratch = Path(scratch)
        side_runs._copy_restored(found, paths.output_dir(), scratch)
        source = found.path.parent / f".trials-{found.name}-{seed}.ipynb"
        nbformat.write(node, source)
        try:
            return execute(
                source,
                scratch / "executed.ipynb",
                {**found.quick, "seed": seed},
                environment={paths.OUTPUT_DIR_VARIABLE: str(scratch)},
            )
        finally:
            source.unlink(missing_ok=True)


def print_trials(notebooks: Sequence[catalog.Notebook], seeds: Sequence[int]) -> int:
    """Make every trial of `notebooks` with each of `seeds`, print the table, and return how many failed."""
    rows: dict[str, dict[int, tuple[bool, str, float]]] = {}
    order: list[str] = []
    failures = 0
    for notebook in notebooks:
        if not any(e.checkable for e in exercises_of(notebook.name)):
            continue
        for seed in seeds:
            for trial, verdict, message, seconds in run_trials(notebook.name, seed):
                key = f"{trial.name} ({trial.route})"
                if key not in rows:
                    rows[key], _ = {}, order.append(key)
                ok = judged(trial, verdict, message)
                failures += not ok
                rows[key][seed] = (ok, verdict if ok else f"{verdict}: {message[:150]}", seconds)
                print(f"{key:<90} seed {seed}: {'ok' if ok else 'FAILED'} ({verdict}, {seconds:.0f} s)", flush=True)
    print()
    width = max((len(key) for key in order), default=10)
    print(f"{'exercise, answer (route)':<{width}}  " + "  ".join(f"seed {seed}" for seed in seeds))
    for key in order:
        cells = [("ok" if rows[key][s][0] else "FAILED") if s in rows[key] else "-" for s in seeds]
        print(f"{key:<{width}}  " + "  ".join(f"{cell:<6}" for cell in cells))
    print(f"\n{sum(len(r) for r in rows.values())} trials, {failures} failed")
    for key in order:
        for seed, (ok, text, _) in rows[key].items():
            if not ok:
                print(f"FAILED {key}, seed {seed}: {text}")
    return failures
