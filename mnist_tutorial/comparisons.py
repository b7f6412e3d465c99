"""Compare this run with the figures stored before it: the spread over seeds that `make seed-spreads`
measured (notebooks/seed_spreads.json) and the records of earlier notebooks (results/<name>.json).

Stored figures describe the settings they were made with. A learner who changed the parameters cell
and re-ran gets figures that no longer describe their run, so every function here takes the run's
`settings` (what `parameters.check` returned) and first says, in a line starting "note:", which
settings differ and how: a comparison is only as good as the likeness of what it compares. The
comparisons themselves are `significance`'s: over seeds for recipes, image by image for networks.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from typing import Any

from numpy.typing import ArrayLike

from . import catalog, results, significance

#: The variant of a notebook that its own parameters cell describes.
AS_COMMITTED = "as committed"
#: Settings that do not change what a run learns (how often it is measured) or that the spreads
#: cover by design (the seed), left out of the notes.
NOT_SETTINGS = frozenset({"seed", "evaluation_interval"})
#: What each measure is called in print.
MEASURE_NAMES = {
    "validation_accuracy": "validation accuracy",
    "test_accuracy": "test accuracy",
    "validation_cross_entropy": "validation cross-entropy",
}
#: The measures of which less is better: a recipe comparison calls the recipe with the lower values better.
LOWER_IS_BETTER = frozenset({"validation_cross_entropy", "test_cross_entropy"})


class NotMeasured(LookupError):
    """No spread over seeds is stored for this notebook or variant (run `make seed-spreads`)."""


def differing_settings(settings: Mapping[str, Any], measured: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{name: (value in `settings`, value in `measured`)} for every setting that differs between the two,
    leaving out NOT_SETTINGS; a setting only one of them has counts as differing."""
    names = (set(settings) | set(measured)) - NOT_SETTINGS
    missing = object()
    differ = {}
    for name in sorted(names):
        here, there = settings.get(name, missing), measured.get(name, missing)
        if here != there:
            differ[name] = (None if here is missing else here, None if there is missing else there)
    return differ


def settings_note(whose: str, settings: Mapping[str, Any], measured: Mapping[str, Any], measured_as: str) -> str:
    """ "note: ..." naming each setting in which `settings` (`whose`) differ from `measured` (what the
    stored figures were `measured_as`), or "" when none does."""
    differ = differing_settings(settings, measured)
    if not differ:
        return ""
    changes = "; ".join(f"{name} = {here!r} {whose}, {there!r} {measured_as}" for name, (here, there) in differ.items())
    return f"note: settings differ ({changes}): the stored figures describe the committed settings"


def _spread(name: str, said: set[str] | None = None) -> dict | None:
    """`name`'s entry of seed_spreads.json, or None; a damaged file or entry is said in one line (once)."""
    try:
        return results.seed_spread(name)
    except results.SeedSpreadsError as error:
        if said is None or str(error) not in said:
            print(f"Spread over seeds left out: {error}")
            if said is not None:
                said.add(str(error))
        return None


def print_settings_note(notebook: str, settings: Mapping[str, Any]) -> None:
    """For a cell that compares runs made in the notebook itself: print a "note:" naming each setting in
    which this run's `settings` differ from `notebook`'s committed ones (those its seed spreads were
    measured with), since the text around it describes the committed settings. Nothing when none
    differs, or when no spread is stored to say what the committed settings are."""
    committed = (_spread(notebook) or {}).get("settings")
    differ = differing_settings(settings, committed) if committed is not None else {}
    if differ:
        changes = "; ".join(f"{name} = {here!r} here, {there!r} committed" for name, (here, there) in differ.items())
        print(f"note: settings differ ({changes}): the text describes the committed settings")


def seed_runs(notebook: str, variant: str = AS_COMMITTED, measure: str = "validation_accuracy") -> dict[int, float]:
    """{seed: accuracy} that `make seed-spreads` stored for `notebook` (its committed settings, or one of
    its catalog `spread_variants`) and `measure` ("validation_accuracy", "test_accuracy" or a number the
    runs record under `measures`), leaving out seeds whose run failed. NotMeasured if none is stored."""
    entry = _spread_entry(notebook, variant)
    values = entry.get(measure)
    if values is None:
        values = entry.get("measures", {}).get(measure)
    if values is None:
        raise NotMeasured(
            f"seed_spreads.json keeps no {measure} for {notebook} ({variant}): "
            f"run `make seed-spreads ARGS={_number(notebook)}` to measure it."
        )
    return {seed: value for seed, value in zip(entry["seeds"], values) if value is not None}


def spread_text(values: Iterable[float]) -> str:
    """ "mean +/- sd (min-max)" of a few accuracies, as the tables print them."""
    values = list(values)
    sd = statistics.stdev(values) if len(values) > 1 else math.nan
    return f"{statistics.fmean(values):.4f} +/- {sd:.4f} ({min(values):.4f}-{max(values):.4f})"


def print_seed_spreads(notebook: str, settings: Mapping[str, Any], measure: str = "test_accuracy") -> None:
    """Print the spread over seeds of `notebook`'s `measure` with its committed settings and with each
    variant stored beside it, one line each (and which seeds of a variant failed to learn, and why);
    first, a note if this run's `settings` differ from those the seeds were measured with."""
    entry = _spread(notebook)
    if entry is None:
        print(f"{notebook}: no spread over seeds measured yet (make seed-spreads ARGS={_number(notebook)})")
        return
    note = settings_note("here", settings, entry.get("settings", {}), "measured")
    if note:
        print(note)
    rows = [(AS_COMMITTED, entry)] + [
        (f"{label} ({', '.join(f'{key} = {value!r}' for key, value in variant['parameters'].items())})", variant)
        for label, variant in entry.get("variants", {}).items()
    ]
    width = max(len(label) for label, _ in rows) + 2
    name = MEASURE_NAMES.get(measure, measure)
    print(f"{name} of {notebook} over seeds {_seed_range(entry['seeds'])}: mean +/- sd (min-max)")
    for label, shown in rows:
        values = [value for value in shown.get(measure, []) if value is not None]
        print(f"  {label:<{width}}{spread_text(values) if values else 'not measured'}")
        failed = shown.get("failed_seeds")
        if failed:
            seeds = f"seed{'s' if len(failed) > 1 else ''} {', '.join(map(str, failed))}"
            print(f"  {'':<{width}}(over the {len(values)} seeds that learned; with {seeds} it did not)")


def print_recipe_comparison(
    notebook: str,
    settings: Mapping[str, Any],
    a: str = AS_COMMITTED,
    b: str = AS_COMMITTED,
    measure: str = "validation_accuracy",
) -> significance.RecipeComparison | None:
    """Compare two recipes over the seeds stored for them (`significance.print_recipe_comparison`,
    paired by seed). Each of `a` and `b` is a variant label of `notebook`, AS_COMMITTED, or the name of
    another notebook (its committed recipe); for a measure in LOWER_IS_BETTER the recipe with the lower
    values does better. First a note for each stored recipe whose settings differ from what it is
    compared as: this run's `settings` for `notebook`'s own. Returns the comparison, or
    None (saying why) when a recipe has no stored seeds."""
    try:
        runs = {label: _recipe_runs(notebook, label, measure) for label in (a, b)}
    except NotMeasured as error:
        print(f"No comparison of {a} with {b}: {error}")
        return None
    entry = _spread(notebook) or {}
    note = settings_note("here", settings, entry.get("settings", {}), "where the seeds were measured")
    if note:
        print(note)
    common = sorted(set(runs[a]) & set(runs[b]))
    runs = {label: {seed: runs[label][seed] for seed in common} for label in runs}
    names = {label: _recipe_name(notebook, label) for label in (a, b)}
    try:
        return significance.print_recipe_comparison(
            names[a], runs[a], names[b], runs[b], MEASURE_NAMES.get(measure, measure), measure in LOWER_IS_BETTER
        )
    except ValueError as error:
        print(f"No comparison of {names[a]} with {names[b]}: {error}")
        return None


def print_network_comparison(
    notebook: str,
    settings: Mapping[str, Any],
    predictions: ArrayLike,
    labels: ArrayLike,
    earlier: str,
    images: str = "test images",
) -> significance.NetworkComparison | None:
    """Compare this run's network with the one notebook `earlier` saved, image by image on the same
    `images` (`significance.print_network_comparison`: McNemar's exact test and its interval), from the
    digits `earlier` recorded for each test image. First a note for each of the two runs whose
    settings differ from its notebook's committed ones. Says why and returns None when `earlier` has
    recorded no predictions or its record cannot be read."""
    try:
        earlier_record = results.load(earlier)
        earlier_predictions = results.test_predictions(earlier, images=len(labels))
    except results.RecordError as error:
        print(f"No comparison with {earlier}: {error}")
        return None
    if earlier_record is None or earlier_predictions is None:
        print(
            f"No comparison with {earlier}: it has not recorded its test predictions; run notebook "
            f"{_number(earlier)} first (make notebooks ARGS={_number(earlier)})."
        )
        return None
    said: set[str] = set()
    for name, used in ((notebook, settings), (earlier, earlier_record.get("hyperparameters", {}))):
        whose = "here" if name == notebook else f"in {name}'s record"
        note = settings_note(whose, used, (_spread(name, said) or {}).get("settings", used), "committed")
        if note:
            print(note)
    try:
        return significance.print_network_comparison(
            notebook, predictions, earlier, earlier_predictions, labels, images
        )
    except ValueError as error:
        print(f"No comparison with {earlier}: {error}")
        return None


def print_records(notebook: str, settings: Mapping[str, Any], accuracy: float, earlier: Iterable[str]) -> None:
    """Print the test accuracy each of the `earlier` notebooks recorded and this run's, one per line, each
    beside the spread of its notebook's committed recipe over seeds; first a note for each run whose
    settings differ from its notebook's committed ones."""
    said: set[str] = set()
    spreads = {name: _spread(name, said) or {} for name in [*earlier, notebook]}
    shown: dict[str, str] = {}
    left_out: list[str] = []
    for name in earlier:
        try:
            record = results.load(name)
        except results.RecordError as error:
            shown[name] = "unreadable: re-run it"
            left_out.append(f"Record left out: {error}")
            continue
        if record is None:
            shown[name] = "not run yet"
            continue
        shown[name] = f"{record['test_accuracy']:.4f}"
        used = record.get("hyperparameters", {})
        note = settings_note(f"in {name}'s record", used, spreads[name].get("settings", used), "committed")
        if note:
            print(note)
    note = settings_note("here", settings, spreads[notebook].get("settings", settings), "committed")
    if note:
        print(note)
    shown[notebook] = f"{accuracy:.4f}"
    width = max(len(name) for name in shown) + 2
    column = max(len(text) for text in (*shown.values(), "this run")) + 2
    print(f"{'test accuracy':<{width}}{'this run':<{column}}committed recipe over seeds: mean +/- sd (min-max)")
    for name, text in shown.items():
        values = [value for value in spreads[name].get("test_accuracy", []) if value is not None]
        seeds = f"seeds {_seed_range(spreads[name]['seeds'])}: {spread_text(values)}" if values else "not measured"
        print(f"{name:<{width}}{text:<{column}}{seeds}")
    for line in left_out:
        print(line)


def _spread_entry(notebook: str, variant: str) -> dict:
    try:
        entry = results.seed_spread(notebook)
    except results.SeedSpreadsError as error:
        raise NotMeasured(str(error)) from None
    if entry is None:
        raise NotMeasured(
            f"no spread over seeds is stored for {notebook}: run `make seed-spreads ARGS={_number(notebook)}`."
        )
    if variant == AS_COMMITTED:
        return entry
    variants = entry.get("variants", {})
    if variant not in variants:
        known = ", ".join([AS_COMMITTED, *variants])
        raise NotMeasured(f"{notebook} has no stored variant {variant!r}; it has: {known}.")
    return variants[variant]


def _recipe_runs(notebook: str, label: str, measure: str) -> dict[int, float]:
    if label in _catalog_names():
        return seed_runs(label, AS_COMMITTED, measure)
    return seed_runs(notebook, label, measure)


def _recipe_name(notebook: str, label: str) -> str:
    if label in _catalog_names():
        return label
    return notebook if label == AS_COMMITTED else label


def _catalog_names() -> set[str]:
    """The names of the series' notebooks."""
    return {entry.name for entry in catalog.NOTEBOOKS}


def _number(name: str) -> str:
    """The number that names notebook `name` on a command line, or the name itself if the catalog
    does not know it."""
    try:
        return f"{catalog.find(name).number:02d}"
    except catalog.NotebookNotFound:
        return name


def _seed_range(seeds: list[int]) -> str:
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(map(str, seeds))
