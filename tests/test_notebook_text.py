"""What the committed notebooks and the README say: every figure shown, every formula in LaTeX and
right, every quoted number printed above it. (ruff, in `make lint`, checks the notebooks' code.)"""

import ast
import json
import re
import statistics

import nbformat
import pytest

from mnist_tutorial import catalog, paths, sweeps
from mnist_tutorial.commands import run_notebooks

from notebook_runs import ALL_NOTEBOOKS, NOTEBOOKS, TRAINING_NOTEBOOKS, committed, printed_text

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


#: A number in prose: a count (with or without thousands commas), a decimal, or a percentage.
QUOTED_NUMBER = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w])")
#: A sentence that names the source of its figures (a post, an author, a paper) may quote them unprinted.
NAMED_SOURCE = re.compile(
    r"\b(Görner|Ng|Nelson|Dixon|[Pp]osts?|[Rr]eported|Simard|LeCun|Glorot|He|Ioffe|Kingma|"
    r"Srivastava|[Pp]apers?|[Cc]ourse|[Ss]ources?)\b"
)
SENTENCE_END = re.compile(r"(?<=[.;?!])\s+(?=[A-Z(*])|\n\s*\n")


def _printed_forms(whole, decimals="", percent=""):
    """The ways a printed output (or the code) may show a number: as written, without its thousands
    commas, with them, or a percentage as a fraction."""
    decimals, percent = decimals or "", percent or ""
    number = whole + decimals
    forms = {number, number.replace(",", "")}
    if percent:
        places = len(decimals) - 1 if decimals else 0
        forms.add(f"{float(number.replace(',', '')) / 100:.{places + 2}f}")
    elif not decimals:
        forms.add(f"{int(whole.replace(',', '')):,}")
    return forms


def _not_a_result(sentence, match):
    """Numbers that are no measured result: small whole numbers (digits, counts of layers), years,
    names (notebook 5, step 500, exercise 3), sizes in a product (28 x 28), and the result of a sum
    written out in the sentence (784 x 10 + 10 = 7,850)."""
    whole, decimals, percent = match.groups()
    if decimals or percent:
        return False
    value = int(whole.replace(",", ""))
    before, after = sentence[: match.start()], sentence[match.end() :]
    return (
        value <= 12
        or 1900 <= value <= 2030
        or re.search(r"(notebooks?|[Pp]art|steps?|[Ee]xercises?|figure|cell|layer|unit|channel)\s*$", before)
        or re.search(r"(\bx|=|\+|-)\s*$", before)
        or re.match(r"\s*(x|\+|-)\s", after)
    )


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_every_number_the_text_quotes_is_printed_above_it(name):
    """Every result the prose quotes (decimals, percentages and counts alike) appears in what a code
    cell above printed, or in the code above or in the code cell the paragraph introduces (a
    hyperparameter, a threshold). A sentence that names its source (a post, an author) may quote
    that source's figures. The introduction, before any code, may quote what any cell prints."""
    cells = _notebook(name).cells
    everything = "".join(_outputs_text(c) + c.source for c in cells if c.cell_type == "code")
    shown_so_far, seen_code = "", False
    for index, cell in enumerate(cells):
        if cell.cell_type == "code":
            shown_so_far += cell.source + _outputs_text(cell)
            seen_code = True
            continue
        following = next((c.source for c in cells[index + 1 :] if c.cell_type == "code"), "")
        shown = shown_so_far + following if seen_code else everything
        for sentence in SENTENCE_END.split(_prose(cell.source)):
            if NAMED_SOURCE.search(sentence):
                continue
            for match in QUOTED_NUMBER.finditer(sentence):
                if _not_a_result(sentence, match):
                    continue
                assert any(form in shown for form in _printed_forms(*match.groups())), (
                    f"cell {index} quotes {match.group(0)}, which no code cell "
                    f"{'above it ' if seen_code else ''}prints: {sentence.strip()[:160]!r}"
                )


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_no_cell_prints_a_warning_or_traceback(name):
    for index, cell in enumerate(_notebook(name).cells):
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", f"cell {index} wrote to stderr: {output.get('text', '')[:200]}"


@pytest.mark.parametrize("name", [notebook.name for notebook in catalog.NOTEBOOKS if notebook.restores_networks])
def test_the_notebooks_that_restore_models_were_run_with_every_model_trained(name):
    """The notebooks that restore every saved network (look inside, robustness, draw a digit): run without
    one of them, they still run, but their saved outputs would lack that network while their text
    discusses it."""
    text = printed_text(_notebook(name))
    assert "No trained model" not in text, (
        f"{name} was executed before a notebook it restores had saved its model: run the missing one "
        f"(make notebooks ARGS=09, say), then make notebooks ARGS={name[:2]}"
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
    """From notebook 02 on, a notebook weighs the difference from an earlier network against the test
    set (the digits only one of the two reads, McNemar's test) and the spread over seeds, and prints
    the verdict (`results.print_paired_comparison`)."""
    text = printed_text(_notebook(name))
    assert "No paired comparison" not in text, (
        f"{name} ran before the notebook it compares with had recorded its test predictions: run the "
        f"notebooks in order (make notebooks)"
    )
    assert "McNemar's p = " in text and re.search(r"^verdict: ", text, re.M), (
        f"{name} prints no paired comparison: call results.print_paired_comparison after its test predictions"
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


def test_seed_spreads_are_five_seeds_of_each_training_notebook():
    spreads = json.loads((NOTEBOOKS / "seed_spreads.json").read_text())["notebooks"]
    assert set(spreads) == set(TRAINING_NOTEBOOKS)
    for _name, spread in spreads.items():
        assert spread["seeds"] == [1, 2, 3, 4, 5] and len(spread["accuracies"]) == 5
        assert spread["mean"] == pytest.approx(statistics.mean(spread["accuracies"]), abs=1e-6)
        assert spread["sd"] == pytest.approx(statistics.stdev(spread["accuracies"]), abs=1e-6)


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS)
def test_the_seed_spread_was_measured_with_the_notebooks_own_settings(name):
    """A spread measured before a parameters cell changed no longer describes the notebook:
    re-run `make seed-spreads` (ARGS=<the notebook's number> for one)."""
    spread = json.loads((NOTEBOOKS / "seed_spreads.json").read_text())["notebooks"][name]
    now = {key: value for key, value in sweeps.parameters_of(NOTEBOOKS / f"{name}.ipynb").items() if key != "seed"}
    assert spread.get("settings") == now, f"re-measure it: make seed-spreads ARGS={name[:2]}"
    measured_variants = {label: variant["parameters"] for label, variant in spread.get("variants", {}).items()}
    assert measured_variants == catalog.find(name).spread_variants, f"re-measure it: make seed-spreads ARGS={name[:2]}"


@pytest.mark.parametrize("name", TRAINING_NOTEBOOKS[1:4])
def test_comparisons_of_networks_print_the_spread_over_seeds(name):
    text = printed_text(_notebook(name))
    assert "seeds 1-5: mean +/- sd" in text
    assert re.search(rf"^{TRAINING_NOTEBOOKS[0]}\s+0\.\d{{4}}\s+0\.\d{{4}} \+/- 0\.\d{{4}}", text, re.M)


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
            # the loop may sit in a function defined above the cell that calls it (06 trains twice)
            assert "record_validation(" in code_so_far and "record_test(" in code_so_far, (
                f"cell {index} trains: it measures the validation set while training and scores the test set once"
            )
            break
