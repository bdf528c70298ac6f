#!/usr/bin/env bash
# The README's main job: set-up, then the end-to-end engine check (pre-training and evaluation join it as they land).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/bootstrap.sh" --configuration Release
relic="$here/src/Experiments/bin/Release/net10.0/relic"
"$relic" --version
"$relic" engine
dotnet fsi "$here/scripts/engine_check.fsx"
