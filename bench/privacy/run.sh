#!/usr/bin/env bash
# Issue #15 figures, printed, never asserted: a lead's write path with email and phone sealed vs the same statements
# with plain values (baseline, same run, interleaved), and the p50 of a lookup by email through the blind index on a
# business with N leads (default 100,000), and a rotation of its data key over them (rows/s, lookups p99 meanwhile).
#
#   bench/privacy/run.sh [leads, default 100000] [writes, default 2000] [lookups, default 2000]
# Uses its own PostgreSQL (test port + 720) and .data/bench-privacy/, so it runs beside ./run.sh and ./test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"
OFFSET=720
RUN_DIR="$ROOT/.data/bench-privacy"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 Logging__LogLevel__Default=Warning

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dotnet build src/StreamFlow.Standalone -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
dotnet build bench/privacy -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null

sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_start_postgres "$RUN_DIR/postgres" $((54330 + OFFSET)) fast
sf_bootstrap_database
(cd "$BIN_DIR" && dotnet StreamFlow.Standalone.dll migrate 201>&- >/dev/null)
dotnet bench/privacy/bin/Release/net10.0/StreamFlow.Bench.Privacy.dll "$@"
