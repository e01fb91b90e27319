#!/usr/bin/env bash
# Builds StreamFlow and runs every test against fresh local services (PostgreSQL, Azurite, maildev) on
# ports of its own, so it can run while ./run.sh is running. Extra arguments go to `dotnet test`:
#
#   ./test.sh
#   ./test.sh --filter "FullyQualifiedName~Leads"
#
# .data/test/ is wiped at the start of every run. The last line is "Tests: N passed, N failed[, N skipped]";
# the exit code is dotnet test's (non-zero as well when no test results were produced).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$(pwd -P)
# shellcheck source=scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed or not on PATH. $2"; }
need dotnet "Install the .NET 10 SDK (https://dot.net)."
need node "Install Node.js 20 or newer (Azurite and maildev run on it)."
need npm "Install npm (it comes with Node.js)."
need psql "Install the PostgreSQL client (Debian: postgresql-client-15)."
need curl "Install curl."

# STREAMFLOW_TEST_PORT_OFFSET shifts every port (and the data folder) so that several checkouts can test at once.
OFFSET=${STREAMFLOW_TEST_PORT_OFFSET:-0}
RUN_DIR="$ROOT/.data/test${OFFSET#0}"
RESULTS_DIR="$RUN_DIR/results"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
DLL="$BIN_DIR/StreamFlow.Standalone.dll"
export STREAMFLOW_TEST_API_PORT=$((7171 + OFFSET)) STREAMFLOW_TEST_SIDECAR_PORT=$((7172 + OFFSET)) Durable__TaskHub=StreamFlowTest
export STREAMFLOW_TEST_DATA_DIR="$RUN_DIR"
# No build servers outliving the script (they would also hold a CI job's output open).
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

sf_install_node_tools
sf_install_chromium
# Kiota, which the OpenAPI tests run against the live document (.config/dotnet-tools.json).
dotnet tool restore >/dev/null 201>&- || die "dotnet tool restore failed"

echo "test.sh: building (Release)..."
dotnet build StreamFlow.sln -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- || die "dotnet build failed"
[[ -f "$DLL" ]] || die "$DLL not found: the build did not produce the standalone host."

sf_ensure_credentials "$RUN_DIR/credentials.env"

# Any service that does not come up fails the run here (set -e): tests never run against missing services.
sf_check_port_free "$STREAMFLOW_TEST_API_PORT" "StreamFlow API for end-to-end tests, STREAMFLOW_TEST_API_PORT"
sf_check_port_free "$STREAMFLOW_TEST_SIDECAR_PORT" "durable sidecar for end-to-end tests, STREAMFLOW_TEST_SIDECAR_PORT"
sf_start_postgres "$RUN_DIR/postgres" $((54330 + OFFSET)) fast
sf_start_azurite "$RUN_DIR/azurite" $((10010 + OFFSET)) $((10011 + OFFSET)) $((10012 + OFFSET))
sf_start_maildev $((1125 + OFFSET)) $((1180 + OFFSET))
sf_bootstrap_database

echo "test.sh: applying database migrations..."
# From the host's output folder, where its appsettings.json is.
(cd "$BIN_DIR" && dotnet "$DLL" migrate 201>&-) || die "migrations failed (dotnet $DLL migrate)"

# The end-to-end suite's hosts get a database of their own (STREAMFLOW_E2E_* settings override theirs): their outbox
# listeners would otherwise claim and deliver the events the integration suite, running beside it, dispatches itself.
main_owner=$Postgres__OwnerConnectionString main_app=$Postgres__AppConnectionString main_backup=$Postgres__BackupConnectionString
STREAMFLOW_DB_NAME=streamflow_e2e sf_bootstrap_database
export STREAMFLOW_E2E_Postgres__OwnerConnectionString=$Postgres__OwnerConnectionString
export STREAMFLOW_E2E_Postgres__AppConnectionString=$Postgres__AppConnectionString
export STREAMFLOW_E2E_Postgres__BackupConnectionString=$Postgres__BackupConnectionString
(cd "$BIN_DIR" && dotnet "$DLL" migrate 201>&-) || die "migrations of the end-to-end database failed (dotnet $DLL migrate)"
export Postgres__OwnerConnectionString=$main_owner Postgres__AppConnectionString=$main_app Postgres__BackupConnectionString=$main_backup
# The end-to-end hosts verify QuickBooks notifications (intuit-signature) with this verifier token; the tests sign with it.
export STREAMFLOW_E2E_Connectors__QuickBooks__WebhookVerifierToken=e2e-intuit-verifier-token

mkdir -p "$RESULTS_DIR"
set +e
dotnet test StreamFlow.sln -c Release --no-build --nologo --logger "trx" --results-directory "$RESULTS_DIR" "$@" 201>&-
rc=$?
set -e

# Sums ResultSummary/Counters over every .trx file: prints "total passed failed skipped files".
trx_counts() {
  if command -v python3 >/dev/null 2>&1 && python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1; then
    python3 - "$RESULTS_DIR" <<'PY'
import pathlib, sys, xml.etree.ElementTree as ET
t = {"total": 0, "passed": 0, "failed": 0, "skipped": 0}
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.trx"))
for f in files:
    for el in ET.parse(f).iter():
        if el.tag.rsplit("}", 1)[-1] != "Counters":
            continue
        n = lambda a: int(el.get(a, "0") or 0)
        t["total"] += n("total")
        t["passed"] += n("passed")
        t["failed"] += n("failed") + n("error") + n("timeout") + n("aborted")
        t["skipped"] += n("notExecuted")
print(t["total"], t["passed"], t["failed"], t["skipped"], len(files))
PY
  else
    local total=0 passed=0 failed=0 skipped=0 files=0 f counters
    attr() { local v; v=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"); echo "${v:-0}"; }
    while IFS= read -r -d '' f; do
      files=$((files + 1))
      while IFS= read -r counters; do
        total=$((total + $(attr total)))
        passed=$((passed + $(attr passed)))
        failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
        skipped=$((skipped + $(attr notExecuted)))
      done < <(tr '\n' ' ' <"$f" | grep -o '<Counters [^>]*>' || true)
    done < <(find "$RESULTS_DIR" -name '*.trx' -print0)
    echo "$total $passed $failed $skipped $files"
  fi
}

counts=$(trx_counts) || { echo "test.sh: could not read the .trx files in $RESULTS_DIR" >&2; counts=""; ((rc != 0)) || rc=1; }
read -r total passed failed skipped files <<<"${counts:-0 0 0 0 0}"
if ((files == 0)); then
  echo "test.sh: dotnet test produced no .trx results in $RESULTS_DIR" >&2
  ((rc != 0)) || rc=1
fi
((failed > 0 && rc == 0)) && rc=1

sf_stop_all
summary="Tests: $passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"
exit "$rc"
