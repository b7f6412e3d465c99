"""What the committed notebooks and the README say: every figure shown, every formula in LaTeX and
right, every quoted number printed above it. (ruff, in `make lint`, checks the notebooks' code.)"""

import ast
import json
import re

import nbformat
import pytest

from mnist_tutorial import catalog, notebook_text, paths, sweeps
from mnist_tutorial.commands import run_notebooks

from notebook_runs import ALL_NOTEBOOKS, NOTEBOOKS, TRAINING_NOTEBOOKS, committed, final_test_accuracy, printed_text

_notebook = committed


def _outputs_text(cell):
    """What a code cell shows as text: its streams and the plain-text form of its results."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
        parts.append(output.get("data", {}).get("text/html", ""))
    return "".join(parts)


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_each_lesson_keeps_to_its_word_budget(name):
    """Issue 32's budget: at most 1,800 words of lesson prose, and 250 in any one markdown cell (exercises,
    under their own heading, apart). Cut by saying less."""
    findings = notebook_text.word_budget_findings(_notebook(name))
    assert not findings, f"{name}: " + "; ".join(map(str, findings))


def test_the_word_budget_counts_prose_and_leaves_out_formulas_code_and_exercises():
    cell = nbformat.v4.new_markdown_cell
    lesson = nbformat.v4.new_notebook(
        cells=[
            cell("# A title\n\nTwo words, then $x^2 + y$ and `code here` <!-- verdict: hidden -->."),
            cell("word " * 251),
            cell("## Exercises\n\n" + "word " * 5000),
        ]
    )
    assert notebook_text.word_count(lesson.cells[0].source) == 6  # A title Two words, then and
    findings = notebook_text.word_budget_findings(lesson)
    assert [(finding.cell, finding.kind) for finding in findings] == [(1, "words")]
    lesson.cells.insert(1, cell("word " * 1600))
    assert [finding.cell for finding in notebook_text.word_budget_findings(lesson)] == [1, 2, 0]


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_every_figure_a_cell_draws_is_in_its_saved_output(name):
    for index, cell in enumerate(_notebook(name).cells):
        if cell.cell_type != "code" or "def " in cell.source:
            continue
        calls = len(re.findall(r"plotting\.plot_\w+\(", cell.source))
        images = sum(any(key.startswith("image/") for key in output.get("data", {})) for output in cell.outputs)
        assert images >= calls, f"cell {index} draws {calls} figure(s) but its saved output shows {images}"


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_a_heading_starts_its_own_cell(name):
    for index, cell in enumerate(_notebook(name).cells):
        if cell.cell_type != "markdown":
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        late_headings = [line for line in lines[1:] if line.startswith("#")]
        assert not late_headings, f"cell {index}: the heading {late_headings[0]!r} belongs in a cell of its own"


def _prose(markdown):
    """Markdown without code blocks, code spans and LaTeX: the sentences themselves."""
    markdown = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    markdown = re.sub(r"\$\$.*?\$\$", " ", markdown, flags=re.S)
    markdown = re.sub(r"\$[^$\n]+\$", " ", markdown)
    return re.sub(r"`[^`\n]+`", " ", markdown)


FORMULA_IN_CODE = re.compile(r"(?<![\w.])(sum_|sum\(|exp\(|log\(|sigmoid\(|max\(0|softmax\(l)| \. | ~ ")


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_formulas_are_latex_not_code(name):
    for index, cell in enumerate(_notebook(name).cells):
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"```.*?```", " ", cell.source, flags=re.S)  # the network diagrams
        for span in re.findall(r"`([^`\n]+)`", text):
            assert not FORMULA_IN_CODE.search(span), f"cell {index}: write the formula `{span}` in LaTeX"


CROSS_ENTROPY = re.compile(r"y_(\w)\s*\\log\s*\\hat\s*\{?y\}?_\1")


@pytest.mark.parametrize("name", [catalog.find("softmax").name, catalog.find("five_layers_sigmoid").name])
def test_the_cross_entropy_takes_the_log_of_the_prediction_not_of_the_label(name):
    markdown = "\n".join(c.source for c in _notebook(name).cells if c.cell_type == "markdown")
    assert CROSS_ENTROPY.search(markdown), "label y outside the log, prediction \\hat y inside it"
    assert not re.search(r"\\log\s*y_|\\hat\s*\{?y\}?_(\w)\s*\\log\s*\\hat\s*\{?y\}?_\1", markdown)


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_every_number_the_text_quotes_is_printed_above_it(name):
    """Every result the prose quotes (decimals, percentages and counts alike) appears, at the precision
    the prose gives it, in what a code cell above printed, or in the code (a hyperparameter, a
    threshold); a sentence that names its source may quote that source's figures (`notebook_text`)."""
    findings = notebook_text.number_findings(_notebook(name))
    assert not findings, f"{name}: " + "; ".join(map(str, findings))


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_every_verdict_the_text_states_is_printed_above_it(name):
    findings = notebook_text.verdict_findings(_notebook(name))
    assert not findings, f"{name}: " + "; ".join(map(str, findings))


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_no_cell_prints_a_warning_or_traceback(name):
    for index, cell in enumerate(_notebook(name).cells):
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", f"cell {index} wrote to stderr: {output.get('text', '')[:200]}"


@pytest.mark.parametrize("name", [notebook.name for notebook in catalog.NOTEBOOKS if catalog.restored_by(notebook)])
def test_the_notebooks_that_restore_models_were_run_with_every_model_trained(name):
    """The notebooks that restore every saved network (look inside, robustness, draw a digit): run without
    one of them, they still run, but their saved outputs would lack that network while their text
    discusses it."""
    text = printed_text(_notebook(name))
    assert "No trained model" not in text, (
        f"{name} was executed before a notebook it restores had saved its model: run the missing one "
        f"(make notebooks ARGS=10, say), then make notebooks ARGS={name[:2]}"
    )


ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:home|Users|work|tmp|root|var|opt)/")


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_no_committed_output_holds_a_path_of_the_machine_that_ran_it(name):
    for index, cell in enumerate(_notebook(name).cells):
        if cell.cell_type == "code":
            found = ABSOLUTE_PATH.search(_outputs_text(cell))
            assert not found, f"cell {index} prints an absolute path ({_outputs_text(cell)[found.start() :][:60]!r})"


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_comparisons_were_printed_after_the_notebooks_they_compare_with_had_run(name):
    assert "not run yet" not in printed_text(_notebook(name)), (
        f"{name} compares itself with a notebook whose run record did not exist when it ran: run the "
        f"notebooks in order (make notebooks)"
    )


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS[1:])
def test_every_network_after_the_first_is_compared_digit_by_digit_with_an_earlier_one(name):
    """From notebook 02 on, a notebook compares its network with an earlier one on the test set (the
    digits only one of the two reads, McNemar's exact test and its interval), and prints the verdict
    (`comparisons.print_network_comparison`)."""
    text = printed_text(_notebook(name))
    assert "No comparison with" not in text, (
        f"{name} ran before the notebook it compares with had recorded its test predictions: run the "
        f"notebooks in order (make notebooks)"
    )
    assert "McNemar's exact test: p = " in text and re.search(r"^verdict: ", text, re.M), (
        f"{name} prints no comparison image by image: call comparisons.print_network_comparison after its "
        "test predictions"
    )


def test_readme_table_is_the_one_the_committed_notebooks_print():
    table = run_notebooks.readme_table()
    assert "(not printed)" not in table and "| ? |" not in table
    assert table in (paths.REPO_ROOT / "README.md").read_text(), (
        "README.md's table differs from the notebooks' outputs: paste the table that "
        "`.venv/bin/mnist-notebooks --table` prints"
    )


def test_make_notebooks_says_where_the_time_went(capsys):
    nb = nbformat.v4.new_notebook()
    durations = [0.5, 12.0, 0.2, 3.0, 0.1, 7.5, 0.3, 1.0]
    nb.cells = [nbformat.v4.new_markdown_cell("# A title")] + [
        nbformat.v4.new_code_cell(f"step_{index} = {index}\nmore()", metadata={"papermill": {"duration": d}})
        for index, d in enumerate(durations)
    ]
    run_notebooks.print_slowest_cells(nb, seconds=30.0)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["5.4", "s"] and "18%)" in lines[0]
    assert lines[0].endswith("starting the kernel, and saving")
    assert [line.split("cell")[1].split(":")[0].strip() for line in lines[1:6]] == ["2", "6", "4", "8", "1"]
    assert lines[1].endswith("cell  2: step_1 = 1") and "12.0 s  (40%)" in lines[1]
    assert lines[6].split()[:2] == ["0.6", "s"] and lines[6].endswith("2%)  the other 3 code cells")


@pytest.mark.parametrize(
    "path",
    [".ci/run", *sorted(p.relative_to(paths.REPO_ROOT).as_posix() for p in (paths.REPO_ROOT / "tests").rglob("*.py"))],
)
def test_comments_do_not_point_outside_the_repository(path):
    text = (paths.REPO_ROOT / path).read_text()
    comments = "\n".join(re.findall(r"#.*$", text, re.M) + re.findall(r'"""(.*?)"""', text, re.S))
    for outside in ("../shared", "shared/", "issue ", "issue's"):
        assert outside not in comments, f"{path} refers to {outside!r}, which a reader of this repository cannot see"


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_batch_sizes_in_the_text_are_the_ones_the_parameters_set(name):
    cells = _notebook(name).cells
    parameters = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    values = {
        str(node.value.value)
        for c in parameters
        for node in ast.parse(c.source).body
        if isinstance(node, ast.Assign) and node.targets[0].id.endswith("batch_size")
    }
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            for size in re.findall(r"batch(?:es)? of (\d[\d,]*)", _prose(cell.source)):
                assert size.replace(",", "") in values, f"cell {index} speaks of batches of {size}"


def test_seed_spreads_hold_each_seeds_validation_and_test_accuracy_for_each_training_notebook():
    spreads = json.loads((NOTEBOOKS / "seed_spreads.json").read_text())["notebooks"]
    assert set(spreads) == set(TRAINING_NOTEBOOKS)
    for name, spread in spreads.items():
        for entry in [spread, *spread.get("variants", {}).values()]:
            assert entry["seeds"][:5] == [1, 2, 3, 4, 5], name
            for measure in ("validation_accuracy", "test_accuracy"):
                assert len(entry[measure]) == len(entry["seeds"]), f"{name}: one {measure} per seed"


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_the_committed_run_is_seed_1_of_its_spread(name):
    """The committed notebook runs seed 1 of its committed settings, so it prints the first result of
    its spread over seeds: both measured on one machine, in one go (`make seed-spreads`, then `make
    notebooks`). Another machine may move the last digits; then measure both again."""
    spread = json.loads((NOTEBOOKS / "seed_spreads.json").read_text())["notebooks"][name]
    notebook = _notebook(name)
    (cell,) = [c for c in notebook.cells if catalog.PARAMETERS_TAG in c.metadata.get("tags", [])]
    assert re.search(r"^seed = 1$", cell.source, re.M), f"{name}'s committed run is seed 1"
    printed = final_test_accuracy(notebook)
    assert printed == pytest.approx(spread["test_accuracy"][spread["seeds"].index(1)], abs=5e-5), (
        f"{name} prints {printed}, seed 1 of its spread is {spread['test_accuracy'][0]}: measure both on one "
        f"machine (make seed-spreads ARGS={catalog.find(name).number:02d}, then make notebooks)"
    )


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_the_seed_spread_was_measured_with_the_notebooks_own_settings(name):
    """A spread measured before a parameters cell changed no longer describes the notebook:
    re-run `make seed-spreads` (ARGS=<the notebook's number> for one)."""
    spread = json.loads((NOTEBOOKS / "seed_spreads.json").read_text())["notebooks"][name]
    now = {key: value for key, value in sweeps.parameters_of(NOTEBOOKS / f"{name}.ipynb").items() if key != "seed"}
    again = f"re-measure it: make seed-spreads ARGS={catalog.find(name).number:02d}"
    assert spread.get("settings") == now, again
    measured_variants = {label: variant["parameters"] for label, variant in spread.get("variants", {}).items()}
    assert measured_variants == catalog.find(name).spread_variants, again


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS[1:4])
def test_comparisons_of_networks_print_the_spread_over_seeds(name):
    text = printed_text(_notebook(name))
    assert "committed recipe over seeds: mean +/- sd" in text
    assert re.search(rf"^{TRAINING_NOTEBOOKS[0]}\s+0\.\d{{4}}\s+seeds 1-5: 0\.\d{{4}} \+/- 0\.\d{{4}}", text, re.M)


TEST_IMAGES = re.compile(r"\b\w+\.test\.(images|labels)\b(?!\.shape)")  # its shape is no use of it


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_the_test_set_is_touched_only_after_training_has_finished(name):
    """Up to the end of the training cell, a notebook reads the test images only after a
    `finish()` in the same cell (the one score of a finished run); everything before, the monitor,
    the curves, TensorBoard and every choice, runs on the validation set."""
    code_so_far = ""
    for index, cell in enumerate(_notebook(name).cells):
        if cell.cell_type != "code":
            continue
        code_so_far += cell.source
        finished = cell.source.find("finish()")
        for match in TEST_IMAGES.finditer(cell.source):
            line = cell.source[: match.start()].count("\n") + 1
            assert 0 <= finished < match.start(), (
                f"cell {index}, line {line}: {match.group(0)} before training has finished; watch and "
                f"choose on the validation set, and score the test set once, after monitor.finish()"
            )
        if catalog.TRAINING_TAG in cell.metadata.get("tags", []):
            # the loop may sit in a function defined above the cell that calls it (07 trains twice)
            assert "record_validation(" in code_so_far and "record_test(" in code_so_far, (
                f"cell {index} trains: it measures the validation set while training and scores the test set once"
            )
            break
