"""The catalog of notebooks: it lists every notebook once, in an order that works, and names them one way."""

import re

import pytest

from mnist_tutorial import catalog

from notebook_runs import ALL_NOTEBOOKS, NOTEBOOKS, committed


def test_the_catalog_lists_every_notebook_once_in_an_order_that_works():
    on_disk = sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))
    assert sorted(ALL_NOTEBOOKS) == on_disk, "add the notebook to mnist_tutorial/catalog.py (or remove its entry)"
    assert len({notebook.number for notebook in catalog.NOTEBOOKS}) == len(catalog.NOTEBOOKS), "numbers are unique"
    order = [notebook.name for notebook in catalog.NOTEBOOKS]
    for reader in catalog.NOTEBOOKS:
        for trained in catalog.restored_by(reader):
            assert order.index(trained) < order.index(reader.name), f"{reader} runs before {trained} has trained"
    assert catalog.restored_by(catalog.find("reading_handwriting")) == ["09_batch_norm"]
    assert catalog.restored_by(catalog.find("robustness")) == list(catalog.classifiers())


def test_notebooks_are_numbered_in_the_order_they_run():
    """A reader who runs them by number runs each after every notebook whose results it uses: the
    networks it restores, and the records its code names."""
    numbers = [notebook.number for notebook in catalog.NOTEBOOKS]
    assert numbers == sorted(numbers), "list the notebooks in mnist_tutorial/catalog.py in the order of their numbers"
    for notebook in catalog.NOTEBOOKS:
        code = "\n".join(cell.source for cell in committed(notebook.name).cells if cell.cell_type == "code")
        for other in catalog.NOTEBOOKS:
            if other.number > notebook.number:
                assert other.name not in code, f"{notebook} uses {other}, which comes later"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2", "02_sigmoid_hidden25"),
        ("02", "02_sigmoid_hidden25"),
        ("sigmoid_hidden25", "02_sigmoid_hidden25"),
        ("notebooks/09_batch_norm.ipynb", "09_batch_norm"),
    ],
)
def test_a_notebook_is_named_by_number_name_slug_or_file(text, expected):
    assert catalog.find(text).name == expected


@pytest.mark.parametrize(
    "texts, among, message",
    [
        (["99"], None, "no notebook of the series is called '99': name one by its number or name, one of 01_softmax"),
        (["0"], None, "no notebook of the series is called '0'"),
        (["12"], "training", "12_robustness cannot be chosen here; choose among 01_softmax, "),
    ],
)
def test_a_name_that_is_no_notebook_is_refused_with_the_choices(texts, among, message):
    with pytest.raises(catalog.NotebookNotFound) as error:
        catalog.select(texts, among=catalog.training() if among else None)
    assert str(error.value).startswith(message)


def test_each_notebook_names_its_own_runs_after_its_file():
    """Records, checkpoints and logs are named by the notebook's `NOTEBOOK = "..."` line: after a
    renumbering it must follow the file's name, or the notebook would save under its old number."""
    for notebook in catalog.NOTEBOOKS:
        code = "\n".join(cell.source for cell in committed(notebook.name).cells if cell.cell_type == "code")
        named = re.findall(r'^NOTEBOOK = "([^"]+)"$', code, re.M)
        assert named in ([], [notebook.name]), f"{notebook.filename} says NOTEBOOK = {named}"
        if notebook.trains:
            assert named == [notebook.name], f"{notebook.filename} saves its run: it needs NOTEBOOK = {notebook.name!r}"


def test_every_notebook_belongs_to_one_part_of_the_series():
    """The book's table of contents groups the chapters by part: a notebook in none would be left out."""
    assert all(notebook.part in catalog.PARTS for notebook in catalog.NOTEBOOKS)
    numbers = [[n.number for n in catalog.by_number() if n.part == part] for part in catalog.PARTS]
    assert sum(numbers, []) == sorted(n.number for n in catalog.NOTEBOOKS), "the parts follow one another"
