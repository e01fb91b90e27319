#!/usr/bin/env bash
# Runs StreamFlow locally: PostgreSQL, Azurite and maildev, then the standalone host on
# http://127.0.0.1:${STREAMFLOW_PORT:-7071}. Ctrl-C stops everything it started.
#
#   ./run.sh                        build, start the services, migrate, serve
#   STREAMFLOW_SKIP_BUILD=1 ./run.sh   use the last Release build
#   DATABASE_URL=postgres://user:pass@host:5432/postgres ./run.sh   use an existing PostgreSQL server
#
# Data (cluster, Azurite, credentials, logs) lives in .data/run/ and survives restarts.
set -euo pipefail

t0=$(date +%s%N)
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$(pwd -P)
# shellcheck source=scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed or not on PATH. $2"; }
need dotnet "Install the .NET 10 SDK (https://dot.net)."
need node "Install Node.js 20 or newer (Azurite and maildev run on it)."
need npm "Install npm (it comes with Node.js)."
need psql "Install the PostgreSQL client (Debian: postgresql-client-15)."
need curl "Install curl."

RUN_DIR="$ROOT/.data/run"
BIN_DIR="$ROOT/src/StreamFlow.Standalone/bin/Release/net10.0"
DLL="$BIN_DIR/StreamFlow.Standalone.dll"
API_PORT=${STREAMFLOW_PORT:-7071}
PG_PORT=54320
BLOB_PORT=10000 QUEUE_PORT=10001 TABLE_PORT=10002
SMTP_PORT=1025 MAIL_WEB_PORT=1080
export STREAMFLOW_PORT=$API_PORT
export Durable__SidecarPort=${Durable__SidecarPort:-7072}
# No build servers outliving the script.
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

sf_init_run_dir "$RUN_DIR"
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

sf_install_node_tools

# Up to date when no source, project or migration file is newer than the host's dll: skip MSBuild's slow no-op.
build_is_current() {
  [[ -f "$DLL" ]] || return 1
  [[ -z "$(find src functions orchestrations infra/db host.json Directory.Build.props Directory.Packages.props \
      -newer "$DLL" -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.json' -o -name '*.sql' -o -name '*.props' \) \
      -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]]
}

if [[ "${STREAMFLOW_SKIP_BUILD:-0}" != 1 ]] && build_is_current; then
  echo "run.sh: build is up to date"
elif [[ "${STREAMFLOW_SKIP_BUILD:-0}" != 1 ]]; then
  echo "run.sh: building (Release)..."
  dotnet build StreamFlow.sln -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- \
    || die "dotnet build failed"
fi
if [[ ! -f "$DLL" ]]; then
  hint="the build did not produce the standalone host"
  [[ "${STREAMFLOW_SKIP_BUILD:-0}" == 1 ]] && hint="STREAMFLOW_SKIP_BUILD=1 needs an earlier Release build"
  die "$DLL not found: $hint."
fi

sf_ensure_credentials "$RUN_DIR/credentials.env"

sf_check_port_free "$API_PORT" "StreamFlow API, STREAMFLOW_PORT"
sf_check_port_free "$Durable__SidecarPort" "durable sidecar, Durable__SidecarPort"
sf_start_postgres "$RUN_DIR/postgres" "$PG_PORT"
sf_start_azurite "$RUN_DIR/azurite" "$BLOB_PORT" "$QUEUE_PORT" "$TABLE_PORT"
sf_start_maildev "$SMTP_PORT" "$MAIL_WEB_PORT"
sf_bootstrap_database

export Durable__Backend=AzureStorage Durable__TaskHub=StreamFlow

echo "run.sh: applying database migrations..."
# The host runs from its output folder: that is where appsettings.json and host.json are.
(cd "$BIN_DIR" && dotnet "$DLL" migrate 201>&-) || die "migrations failed (dotnet $DLL migrate)"

HOST_LOG="$RUN_DIR/logs/streamflow.log"
: >"$HOST_LOG"
echo "run.sh: starting StreamFlow on http://127.0.0.1:$API_PORT (log $HOST_LOG)"
sf_spawn streamflow "$HOST_LOG" env -C "$BIN_DIR" dotnet "$DLL"
HOST_PID=$SF_LAST_PID
sf_spawn streamflow-log - tail -n +1 -F --pid="$HOST_PID" "$HOST_LOG"

HEALTH_URL="http://127.0.0.1:$API_PORT/api/health"
healthy=0
deadline=$((SECONDS + 90))
while ((SECONDS < deadline)); do
  if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$HEALTH_URL" 2>/dev/null)" == 200 ]]; then
    healthy=1
    break
  fi
  if ! sf_alive streamflow; then
    echo "run.sh: the StreamFlow host exited during start-up. Last lines of $HOST_LOG:" >&2
    tail -n 30 "$HOST_LOG" >&2
    exit 1
  fi
  sf_sleep 0.2
done
if ((!healthy)); then
  echo "run.sh: $HEALTH_URL did not answer 200 within 90 s. Last lines of $HOST_LOG:" >&2
  tail -n 30 "$HOST_LOG" >&2
  exit 1
fi
elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
elapsed=$(printf '%d.%03d' $((elapsed / 1000)) $((elapsed % 1000)))

json_escape() { local s=${1//\\/\\\\}; printf '%s' "${s//\"/\\\"}"; }
shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
login_body="{\"email\":\"$(json_escape "$STREAMFLOW_PROVIDER_EMAIL")\",\"password\":\"$(json_escape "$STREAMFLOW_PROVIDER_PASSWORD")\"}"
pg_display="psql -h $SF_PG_HOST -p $SF_PG_PORT -U streamflow_app ${STREAMFLOW_DB_NAME:-streamflow}"
[[ -n "${DATABASE_URL:-}" ]] && pg_display="$SF_PG_HOST:$SF_PG_PORT (DATABASE_URL), database ${STREAMFLOW_DB_NAME:-streamflow}"

cat <<EOF

================================================================================================
 StreamFlow is up (healthy ${elapsed} s after start)
   API base URL     http://127.0.0.1:$API_PORT/api
   OpenAPI          http://127.0.0.1:$API_PORT/api/openapi.json
   Health           $HEALTH_URL
   Mail UI          http://127.0.0.1:$MAIL_WEB_PORT   (SMTP 127.0.0.1:$SMTP_PORT)
   Azurite          blob 127.0.0.1:$BLOB_PORT, queue :$QUEUE_PORT, table :$TABLE_PORT   (task hub $Durable__TaskHub)
   PostgreSQL       $pg_display
                    app:   $Postgres__AppConnectionString
                    owner: $Postgres__OwnerConnectionString
                    backup: $Postgres__BackupConnectionString
   Provider login   $STREAMFLOW_PROVIDER_EMAIL / $STREAMFLOW_PROVIDER_PASSWORD
   Developer login  $STREAMFLOW_DEV_EMAIL / $STREAMFLOW_DEV_PASSWORD
   Credentials      $RUN_DIR/credentials.env   (delete it to generate new ones)
   Logs             $RUN_DIR/logs/

   curl -sS -X POST http://127.0.0.1:$API_PORT/api/v1/provider/auth/login \\
        -H 'Content-Type: application/json' -d $(shell_quote "$login_body")

 Press Ctrl-C to stop StreamFlow and every service run.sh started.
================================================================================================

EOF

while sf_alive streamflow; do
  sf_sleep 1
done
echo "run.sh: the StreamFlow host exited. Last lines of $HOST_LOG:" >&2
tail -n 30 "$HOST_LOG" >&2
exit 1
