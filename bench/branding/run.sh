#!/usr/bin/env bash
# What branding costs a mail and what a logo check costs (issue #21, item 5; docs/branding.md). CPU only: builds the
# bench beside this file and prints µs per mail without a brand (the baseline) and with one, then ms per logo check at
# the 512 KB cap. Asserts nothing.
#
#   bench/branding/run.sh [iterations, default 2000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
if [[ "${STREAMFLOW_SKIP_BUILD:-0}" != 1 ]]; then
  echo "bench: building (Release)..."
  dotnet build bench/branding -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null
fi
dotnet bench/branding/bin/Release/net10.0/StreamFlow.Bench.Branding.dll "${1:-2000}"
