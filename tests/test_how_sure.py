"""Notebook 05, how sure a difference is: it runs on the records that notebooks 02 and 04 saved,
prints a verdict for each of its comparisons, and scores the test set once."""

import re

from mnist_tutorial import catalog

from notebook_runs import printed_text, quick, run_notebook

HOW_SURE = catalog.find("how_sure").name


def test_how_sure_compares_networks_and_recipes_on_the_saved_records(trained_checkpoints, output_dir, tmp_path):
    notebook = run_notebook(HOW_SURE, tmp_path, quick(HOW_SURE))
    text = printed_text(notebook)
    assert "No comparison" not in text and "not measured" not in text
    verdicts = re.findall(r"^verdict: (.*)$", text, re.M)
    assert len(verdicts) == 3, verdicts  # 04 against 02, two networks of one recipe, two recipes
    assert verdicts[0].startswith("04_relu_hidden300") or "04_relu_hidden300 and" in verdicts[0]
    assert re.search(r"^ten sigmoid perceptrons, first seed: test accuracy 0\.\d{4}$", text, re.M)
    assert "the winner's lead over the median" in text
    assert not (output_dir / "results" / f"{HOW_SURE}.json").exists(), "it trains no network of the series"


def test_how_sure_scores_the_test_set_once():
    """Its training function reads the test images only when asked, and only one run asks."""
    code = "\n".join(c.source for c in catalog_notebook().cells if c.cell_type == "code")
    assert code.count("data.test.images") == 1 and "if score_test" in code
    assert code.count("score_test = ") == 1


def catalog_notebook():
    import nbformat

    return nbformat.read(catalog.find(HOW_SURE).path, as_version=4)
