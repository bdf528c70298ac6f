#!/usr/bin/env bash
# The README's test command: set-up (bootstrap), the whole xunit suite, every F# script in --quick mode, then the
# packages (scripts/package_test.sh: pack, a project from the template and a #r "nuget: …" script outside the repository).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/bootstrap.sh" --configuration Release --with-browser --with-python-torch

echo "== xunit"
log="$(mktemp)"
set +e
dotnet test "$here/ReLICv2.sln" -c Release --no-build --nologo --logger "console;verbosity=normal" >"$log" 2>&1
status=$?
set -e
# Keep the log readable: per-test "Passed" lines are dropped, failures, skips (with their reasons) and summaries kept.
grep -vE "^\s+Passed " "$log" || true
passed=$({ grep -oE "Passed: +[0-9]+" "$log" || true; } | awk '{s+=$2} END {print s+0}')
failed=$({ grep -oE "Failed: +[0-9]+" "$log" || true; } | awk '{s+=$2} END {print s+0}')
skipped=$({ grep -oE "Skipped: +[0-9]+" "$log" || true; } | awk '{s+=$2} END {print s+0}')
rm -f "$log"
if [ "$status" -ne 0 ]; then
  echo "xunit: $passed passed, $failed failed, $skipped skipped"
  echo "test.sh: the xunit suite failed" >&2
  exit "$status"
fi

echo "== F# scripts"
for script in "$here"/scripts/*.fsx; do
  case "$(basename "$script")" in prelude.fsx) continue ;; esac
  echo "-- $(basename "$script") --quick"
  start=$(date +%s)
  dotnet fsi "$script" --quick
  echo "-- $(basename "$script"): ok in $(( $(date +%s) - start )) s"
done

echo "== packages"
# Packs, then uses the packages from a temporary folder outside the repository: the relic-experiment template's project
# and the README's F# example with #r "nuget: ReLICv2.FSharp" (scripts/package_test.sh).
"$here/scripts/package_test.sh"
echo "xunit: $passed passed, $failed failed, $skipped skipped"
