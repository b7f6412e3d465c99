"""What a sweep found: the spread over seeds of each combination, as numbers, a table and a plot.

The table and the plot compare the validation accuracy, the set a choice between values is made on;
`summary()` gives the test accuracy too (for the spread of a final result over seeds), and any number
the runs recorded under "measures" in their records, by its name.
"""

import math
import statistics
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

from .plotting import new_figure
from .sweep_grid import SweepError
from .sweep_records import MEASURES

if TYPE_CHECKING:
    from .sweeps import Sweep


def summary(sweep: "Sweep", measure: str = "validation_accuracy") -> list[dict[str, Any]]:
    """One dict per combination of `sweep`: its values, runs, failures, and the mean, sd, min and max of
    `measure` ("validation_accuracy", what choices are made on; "test_accuracy"; or a name the runs
    recorded under "measures"), with the mean training time. A run that finished without recording
    `measure` is counted under "missing" and left out of the numbers."""
    rows = sweep.rows()
    finished = [row for row in rows if row["status"] == "ok"]
    if measure not in MEASURES and finished and not any(measure in row["measures"] for row in finished):
        recorded = sorted({name for row in finished for name in row["measures"]})
        raise SweepError(
            f"a sweep summarises {', '.join([*MEASURES, *recorded])}, what its runs recorded, not {measure!r}."
        )
    out = []
    for combination in sweep.combinations():
        mine = [row for row in rows if row["parameters"] == combination]
        ok = [row for row in mine if row["status"] == "ok"]
        values = [value for value in (_value(row, measure) for row in ok) if value is not None]
        seconds = [row["train_seconds"] for row in ok if row["train_seconds"] is not None]
        out.append(
            {
                "parameters": combination,
                "runs": len(values),
                "failed": len(mine) - len(ok),
                "missing": len(ok) - len(values),
                "mean": statistics.mean(values) if values else math.nan,
                "sd": statistics.stdev(values) if len(values) > 1 else math.nan,
                "min": min(values, default=math.nan),
                "max": max(values, default=math.nan),
                "train_seconds": statistics.mean(seconds) if seconds else math.nan,
            }
        )
    return out


def _value(row: dict[str, Any], measure: str) -> float | None:
    return row[measure] if measure in MEASURES else row["measures"].get(measure)


def print_table(sweep: "Sweep") -> None:
    """The summary of the validation accuracy as a table: one line per combination."""
    header = f"{'parameters':<36}{'runs':>5}{'validation accuracy (mean +/- sd)':>36}{'min':>8}{'max':>8}{'train s':>9}"
    seeds = sweep.seeds
    print(
        f"{sweep.path.stem}, seeds {seeds[0]}-{seeds[-1]}"
        if seeds == list(range(seeds[0], seeds[-1] + 1))
        else f"{sweep.path.stem}, seeds {seeds}"
    )
    print(header)
    for line in summary(sweep):
        described = ", ".join(f"{k}={v}" for k, v in line["parameters"].items()) or "(as committed)"
        failed = f" ({line['failed']} failed)" if line["failed"] else ""
        print(
            f"{described:<36}{line['runs']:>5}{line['mean']:>27.4f} +/- {line['sd']:.4f}"
            f"{line['min']:>8.4f}{line['max']:>8.4f}{line['train_seconds']:>9.1f}{failed}"
        )


def plot(sweep: "Sweep", save: bool = True) -> Figure:
    """Mean validation accuracy against the first swept value (one line per value of the second),
    with error bars of one standard deviation over the seeds; saved beside the CSV file."""
    names = list(sweep.grid)
    lines = summary(sweep)
    fig = new_figure(figsize=(6.5, 4))
    ax = fig.subplots()
    if not names:
        ax.errorbar([0], [lines[0]["mean"]], yerr=[lines[0]["sd"]], fmt="o", capsize=4)
        ax.set_xticks([0], [sweep.path.stem])
    else:
        x_name, others = names[0], names[1:]
        groups = {}
        for line in lines:
            rest = tuple((k, repr(line["parameters"][k])) for k in others)  # a list is a value too
            groups.setdefault(rest, []).append(line)
        categorical = not all(isinstance(v, (int, float)) for v in sweep.grid[x_name])
        for rest, group in groups.items():
            xs = [str(line["parameters"][x_name]) if categorical else line["parameters"][x_name] for line in group]
            label = ", ".join(f"{k}={v}" for k, v in rest) or None
            ax.errorbar(
                xs,
                [line["mean"] for line in group],
                yerr=[line["sd"] for line in group],
                marker="o",
                capsize=4,
                label=label,
            )
        numeric = [v for v in sweep.grid[x_name] if isinstance(v, (int, float))]
        if not categorical and min(numeric) > 0 and max(numeric) / min(numeric) >= 20:
            ax.set_xscale("log")
        ax.set_xlabel(x_name)
        if others:
            ax.legend(fontsize=8)
    ax.set_ylabel(f"validation accuracy (mean +/- sd over {len(sweep.seeds)} seeds)")
    ax.set_title(f"{sweep.path.stem}: sweep {sweep.name}")
    ax.grid(color="#dddddd")
    if save:
        fig.savefig(sweep.csv_path.with_suffix(".png"), bbox_inches="tight")
    return fig
