"""The reading of a notebook's claims (`notebook_text`): numbers at the precision the prose gives them,
verdicts marked and printed, and comparisons that name every changed setting."""

import nbformat

from mnist_tutorial import notebook_text


def _notebook(*cells):
    """A notebook of (kind, source, printed) cells: "code" cells print `printed`, "markdown" cells say `source`."""
    built = []
    for kind, source, printed in cells:
        if kind == "code":
            cell = nbformat.v4.new_code_cell(source)
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
        else:
            cell = nbformat.v4.new_markdown_cell(source)
        built.append(cell)
    return nbformat.v4.new_notebook(cells=built)


def _numbers(text, printed):
    return notebook_text.number_findings(_notebook(("code", "run()", printed), ("markdown", text, "")))


def test_a_quoted_number_is_borne_out_at_the_precision_the_prose_gives_it():
    printed = "Final test accuracy: 0.9839\n"
    assert not _numbers("It reads about 98.4% of the test digits.", printed)
    assert not _numbers("It reads about 98% of them.", printed)
    assert not _numbers("Its accuracy is 0.984, or 0.98.", printed)
    assert not _numbers("Its accuracy is 0.9839.", printed)
    assert _numbers("Its accuracy is 0.9840.", printed), "a fourth digit must be the printed one"
    assert _numbers("It reads about 98.5%.", printed)
    assert _numbers("It reads 98.39%.", "Final test accuracy: 0.98\n"), "a coarser print bears out no finer quote"


def test_counts_are_exact_and_some_numbers_are_no_results():
    printed = "read right by one network only: 193 by A, 107 by B\n"
    assert not _numbers("A reads 193 digits that B misses.", printed)
    assert _numbers("A reads 194 digits that B misses.", printed)
    assert not _numbers("Notebooks 11, 12 and 13 restore it, after step 500 of notebook 9's 2,500 steps.", printed)
    assert not _numbers("Görner's comments say 0.9817.", printed), "a named source may quote its own figures"


def test_a_verdict_the_prose_states_must_be_printed_above_it():
    printed = "verdict: 07_dropout does better than without dropout over seeds 1-5\n"
    marked = "Dropout helps here. <!-- verdict: 07_dropout does better than without dropout -->"
    assert not notebook_text.verdict_findings(_notebook(("code", "x()", printed), ("markdown", marked, "")))
    (finding,) = notebook_text.verdict_findings(
        _notebook(
            ("code", "x()", "verdict: 07_dropout and without dropout are not shown to differ\n"),
            ("markdown", marked, ""),
        )
    )
    assert finding.kind == "verdict" and "which no cell above prints" in finding.text
    (unmarked,) = notebook_text.verdict_findings(
        _notebook(("code", "x()", printed), ("markdown", "So dropout does better than no dropout.", ""))
    )
    assert "without a <!-- verdict: ... --> marker" in unmarked.text
    before = notebook_text.verdict_findings(_notebook(("markdown", marked, ""), ("code", "x()", printed)))
    assert before, "the verdict must be printed above the paragraph that states it"


def test_after_a_change_of_settings_every_comparison_must_name_it():
    named = "note: settings differ (learning_rate = 0.25 here, 0.5 measured)\nverdict: A does better than B\n"
    silent = "mean +/- sd (min-max)\n  as committed  0.9686 +/- 0.0017\n"
    notebook = _notebook(("code", "a()", named), ("code", "b()", silent), ("code", "c()", "nothing compared\n"))
    (finding,) = notebook_text.setting_findings(notebook, ["learning_rate"])
    assert finding.cell == 1 and "without naming the changed learning_rate" in finding.text
    assert not notebook_text.setting_findings(notebook, [])


def test_a_rerun_must_print_a_quoted_number_where_the_committed_run_printed_it():
    """Checked against a re-run, "the convolutional network reads 0.73" is borne out only by the line and
    place that printed 0.73 in the committed run: another figure that happens to round to it elsewhere (the
    loose check, which let 12's prose stand with 0.61 printed in its place) does not."""
    text = "Two steps thicker, the convolutional network reads 0.73; upright, about 0.99."
    committed = _notebook(("code", "run()", "dense 0.40 0.96\nconvolutional 0.73 0.99\n"), ("markdown", text, ""))
    moved = _notebook(("code", "run()", "dense 0.73 0.96\nconvolutional 0.61 0.99\n"), ("markdown", text, ""))
    same = _notebook(("code", "run()", "dense 0.41 0.95\nconvolutional 0.7301 0.987\n"), ("markdown", text, ""))
    assert not notebook_text.number_findings(moved), "the loose check finds 0.73 printed somewhere"
    findings = notebook_text.moved_number_findings(committed, moved)
    assert [f.cell for f in findings] == [1] and "quotes 0.73" in findings[0].text, findings
    assert "'convolutional 0.73 0.99'" in findings[0].text and "'convolutional 0.61 0.99'" in findings[0].text
    assert not notebook_text.moved_number_findings(committed, same), "the same places, at the quoted precision"
    setting = _notebook(("code", "learning_rate = 0.003\nrun()", "0.97\n"), ("markdown", "At 0.003 it learns.", ""))
    assert not notebook_text.moved_number_findings(setting, setting), "a setting in the code stays where it is"


def test_a_rerun_of_another_notebook_is_refused():
    import pytest

    one = _notebook(("code", "run()", "0.5\n"), ("markdown", "About 0.5.", ""))
    other = _notebook(("markdown", "About 0.5.", ""), ("code", "run()", "0.5\n"))
    with pytest.raises(ValueError, match="not of the committed notebook"):
        notebook_text.moved_number_findings(one, other)
