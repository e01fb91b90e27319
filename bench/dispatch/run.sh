#!/usr/bin/env bash
# A simulated day planned by the dispatch planner next to nearest-first and round-robin, and re-plan-after-cancel time.
#
#   bench/dispatch/run.sh [days, default 5] [cancellations per day, default 20]
# Pure computation: no database or other service.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
dotnet build bench/dispatch -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
dotnet bench/dispatch/bin/Release/net10.0/StreamFlow.Bench.Dispatch.dll "$@"
