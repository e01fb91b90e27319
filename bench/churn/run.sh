#!/usr/bin/env bash
# Churn model backtest (issue #21): simulates a year of 200 client businesses with known churners (seeded, so every run
# is the same history), writes it into a database of its own, reads every business's signals through the real
# client_success_signals function at monthly cutoffs, fits the logistic model on the early cutoffs and scores the late
# ones (a time split). Prints AUC and precision at the top 10 % for the model and for the naive baseline (last-30-day
# activity drop) side by side, and the fitted weights. Asserts nothing.
#
#   bench/churn/run.sh [--businesses 200] [--seed 2126] [--select] [--write-model]
# --select first prints the factor selection on the training cutoffs alone (FactorSelection.cs; no test cutoff read).
# --write-model replaces src/StreamFlow.Core/ClientSuccess/churn-model.json with the model fitted here.
# Uses its own port (test port + 630 + STREAMFLOW_TEST_PORT_OFFSET) and .data/bench-churn/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"
OFFSET=$((630 + ${STREAMFLOW_TEST_PORT_OFFSET:-0}))
RUN_DIR="$ROOT/.data/bench-churn"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "${STREAMFLOW_SKIP_BUILD:-0}" != 1 ]]; then
  echo "bench: building (Release)..."
  dotnet build bench/churn -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
fi
sf_start_bench_database "$RUN_DIR/postgres" $((54330 + OFFSET))

dotnet bench/churn/bin/Release/net10.0/StreamFlow.Bench.Churn.dll --admin "$ADMIN_CONN" --app "$APP_CONN" --repo "$ROOT" "$@" 201>&-
