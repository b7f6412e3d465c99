"""Measure how much each training notebook's test accuracy varies with the seed alone.

    python scripts/seed_spreads.py          # or: make seed-spreads   (about ten minutes on two cores)

Sweeps notebooks 01-04 over seeds 1 to 5 with their committed hyperparameters and writes
notebooks/seed_spreads.json: for each, the five accuracies, their mean, standard deviation, min
and max. The notebooks print these spreads when they compare two networks (`results.print_comparison`),
so that "better" means a difference larger than what the seed alone moves; the README's table
quotes them too.
"""

import json
import platform
import sys
import time

from mnist_tutorial import paths, sweeps

NOTEBOOKS = ("01_softmax", "02_sigmoid_hidden25", "03_five_layers_sigmoid", "04_relu_hidden300")
SEEDS = 5


def main():
    spreads = {}
    for name in NOTEBOOKS:
        sweep = sweeps.Sweep(name, seeds=SEEDS, name=f"{name}_seeds")
        rows = sweep.run()
        if any(row["status"] != "ok" for row in rows):
            print(f"{name}: a run failed; see {sweep.csv_path}. Nothing written.")
            return 1
        line = sweep.summary()[0]
        spreads[name] = {"seeds": sweep.seeds, "accuracies": [row["test_accuracy"] for row in rows],
                         **{key: round(line[key], 6) for key in ("mean", "sd", "min", "max")}}
        print(f"{name:<24} {line['mean']:.4f} +/- {line['sd']:.4f}  (min {line['min']:.4f}, max {line['max']:.4f})")
    path = paths.REPO_ROOT / "notebooks" / "seed_spreads.json"
    path.write_text(json.dumps({"measured": time.strftime("%Y-%m-%d"), "machine": platform.machine(),
                                "notebooks": spreads}, indent=2) + "\n")
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
