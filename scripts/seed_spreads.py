"""Measure how much each training notebook's test accuracy varies with the seed alone.

    python scripts/seed_spreads.py            # or: make seed-spreads   (about 40 minutes on two cores)
    python scripts/seed_spreads.py 09 10      # only the notebooks whose names start with 09 or 10

Sweeps the training notebooks (01-04, 07-10) over seeds 1 to 5 with their committed hyperparameters and writes
notebooks/seed_spreads.json: for each, the settings of its parameters cell, the five accuracies,
their mean, standard deviation, min and max. The notebooks print these spreads when they compare two networks (`results.print_comparison`),
so that "better" means a difference larger than what the seed alone moves; the README's table
quotes them too.
"""

import json
import platform
import sys
import time

from mnist_tutorial import paths, sweeps

NOTEBOOKS = ("01_softmax", "02_sigmoid_hidden25", "03_five_layers_sigmoid", "04_relu_hidden300",
             "07_vanishing_gradients", "08_dropout", "09_convolutional", "10_batch_norm")
SEEDS = 5


def main(argv=None):
    prefixes = tuple(sys.argv[1:] if argv is None else argv)
    chosen = [name for name in NOTEBOOKS if not prefixes or name.startswith(prefixes)]
    if not chosen:
        print(f"No training notebook starts with {' or '.join(prefixes)}; they are: {', '.join(NOTEBOOKS)}")
        return 2
    path = paths.REPO_ROOT / "notebooks" / "seed_spreads.json"
    spreads = json.loads(path.read_text())["notebooks"] if path.exists() else {}
    for name in chosen:
        sweep = sweeps.Sweep(name, seeds=SEEDS, name=f"{name}_seeds")
        rows = sweep.run()
        if any(row["status"] != "ok" for row in rows):
            print(f"{name}: a run failed; see {sweep.csv_path}. Nothing written.")
            return 1
        line = sweep.summary()[0]
        settings = {key: value for key, value in sweep.defaults.items() if key != "seed"}
        spreads[name] = {"settings": settings, "seeds": sweep.seeds,
                         "accuracies": [row["test_accuracy"] for row in rows],
                         **{key: round(line[key], 6) for key in ("mean", "sd", "min", "max")}}
        print(f"{name:<24} {line['mean']:.4f} +/- {line['sd']:.4f}  (min {line['min']:.4f}, max {line['max']:.4f})")
    spreads = {name: spreads[name] for name in NOTEBOOKS if name in spreads}
    path.write_text(json.dumps({"measured": time.strftime("%Y-%m-%d"), "machine": platform.machine(),
                                "notebooks": spreads}, indent=2) + "\n")
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
