#!/usr/bin/env bash
# The README's main job: set-up (bootstrap), then ReLICv2 pre-training on Fashion-MNIST within a time budget,
# evaluation (linear probe and k-NN of the online and EMA target encoders beside the random-init baseline and the supervised recipe
# trained for the same wall-clock, docs/evaluation.md §2), the accuracy table and the
# path of the HTML report.   scripts/main.sh [extra relic pretrain options, e.g. --set timeBudgetMinutes=5]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/bootstrap.sh" --configuration Release
relic="$here/src/Experiments/bin/Release/net10.0/relic"
"$relic" --version
run_dir="$here/runs/fashion-mnist-$(date +%Y%m%d-%H%M%S)"
"$relic" pretrain --preset fashion-mnist --run-dir "$run_dir" "$@"
