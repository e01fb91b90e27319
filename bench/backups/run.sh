#!/usr/bin/env bash
# Backup benchmark: StreamFlow's encrypted backup (snapshot -> deflate -> AES-256-GCM -> Blob storage) next to plain
# `pg_dump -Fc` of the same database, then restore-and-verify of that backup (and, for context, pg_restore of the dump).
#
#   bench/backups/run.sh                       1,000,000 lead-like rows
#   BENCH_ROWS=100000 bench/backups/run.sh     smaller
#
# Starts its own PostgreSQL and Azurite on 127.0.0.1 only (ports BENCH_PG_PORT, default 55480, and BENCH_BLOB_PORT
# .. +2, default 11480), keeps everything in .data/bench-backups/ (wiped at start), stops everything at the end.
# Both tools read as the same role (streamflow_backup: BYPASSRLS + pg_read_all_data); pg_dump writes a local file,
# StreamFlow uploads to Azurite on the same machine. Each is run twice, alternating; the better run counts.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
# shellcheck source=../../scripts/lib/services.sh
source "$ROOT/scripts/lib/services.sh"

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
for tool in dotnet node npm psql pg_dump pg_restore python3; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed"
done

ROWS=${BENCH_ROWS:-1000000}
PG_PORT=${BENCH_PG_PORT:-55480}
BLOB_PORT=${BENCH_BLOB_PORT:-11480}
RUN_DIR="$ROOT/.data/bench-backups"
BENCH_DLL="$ROOT/bench/backups/BackupBench/bin/Release/net10.0/BackupBench.dll"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

sf_install_node_tools
echo "bench: building BackupBench (Release)..."
dotnet build "$ROOT/bench/backups/BackupBench" -c Release --nologo -v q -p:UseSharedCompilation=false 201>&- >/dev/null \
  || die "dotnet build failed"

sf_ensure_credentials "$RUN_DIR/credentials.env"
sf_start_postgres "$RUN_DIR/postgres" "$PG_PORT"
sf_start_azurite "$RUN_DIR/azurite" "$BLOB_PORT" $((BLOB_PORT + 1)) $((BLOB_PORT + 2))
sf_bootstrap_database

bench() { dotnet "$BENCH_DLL" "$@" 201>&-; }
now() { date +%s.%N; }
json() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
calc() { python3 -c "print($1)"; }

ADMIN="host=127.0.0.1 port=$PG_PORT user=postgres"
BACKUP_ROLE="host=127.0.0.1 port=$PG_PORT user=streamflow_backup password=${STREAMFLOW_DB_BACKUP_PASSWORD:-streamflow_backup} dbname=streamflow"

bench migrate >/dev/null || die "migrations failed"
psql "$ADMIN dbname=template1" -X -q -v ON_ERROR_STOP=1 -f "$ROOT/bench/backups/bench_leads.sql"
psql "$ADMIN dbname=streamflow" -X -q -v ON_ERROR_STOP=1 -f "$ROOT/bench/backups/bench_leads.sql"

echo "bench: filling bench_leads with $ROWS rows..."
t=$(now)
psql "$ADMIN dbname=streamflow" -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -f "$ROOT/bench/backups/fill.sql"
fill_s=$(calc "$(now) - $t")
db_bytes=$(psql "$ADMIN dbname=streamflow" -X -A -t -c "SELECT pg_database_size('streamflow')")
table_bytes=$(psql "$ADMIN dbname=streamflow" -X -A -t -c "SELECT pg_table_size('bench_leads')")

dump_file="$RUN_DIR/streamflow.dump"
best_dump=""
best_ours=""
backup_id=""
for round in 1 2; do
  rm -f "$dump_file"
  t=$(now)
  pg_dump "$BACKUP_ROLE" -Fc -f "$dump_file"
  dump_s=$(calc "$(now) - $t")
  dump_bytes=$(stat -c %s "$dump_file")
  echo "bench: round $round pg_dump -Fc     $(printf '%7.2f' "$dump_s") s  ($dump_bytes bytes)"
  if [[ -z "$best_dump" ]] || (($(calc "int($dump_s < $best_dump)"))); then best_dump=$dump_s; fi

  out=$(bench backup) || die "backup failed: $out"
  ours_s=$(json "$out" Seconds)
  backup_id=$(json "$out" BackupId)
  cipher_bytes=$(json "$out" CiphertextBytes)
  plain_bytes=$(json "$out" PlaintextBytes)
  echo "bench: round $round StreamFlow      $(printf '%7.2f' "$ours_s") s  ($cipher_bytes bytes encrypted, $plain_bytes plaintext)"
  if [[ -z "$best_ours" ]] || (($(calc "int($ours_s < $best_ours)"))); then best_ours=$ours_s; fi
done

echo "bench: restore and verify of $backup_id..."
t=$(now)
verify=$(bench verify "$backup_id") || die "verification failed: $verify"
verify_total_s=$(calc "$(now) - $t")
restore_s=$(json "$verify" RestoreSeconds)
check_s=$(json "$verify" VerifySeconds)

echo "bench: pg_restore of the dump, for comparison..."
psql "$ADMIN dbname=postgres" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE bench_pg_restore OWNER streamflow_owner TEMPLATE template0"
t=$(now)
pg_restore -d "$ADMIN dbname=bench_pg_restore" "$dump_file" 2>"$RUN_DIR/logs/pg_restore.log" \
  || echo "bench: pg_restore reported errors (see $RUN_DIR/logs/pg_restore.log)"
pg_restore_s=$(calc "$(now) - $t")
psql "$ADMIN dbname=postgres" -X -q -c "DROP DATABASE bench_pg_restore"

mb() { calc "round($1 / 1048576, 1)"; }
cat <<EOF

================================================================================================
 Backup benchmark ($ROWS lead-like rows, 17 columns, forced RLS; PostgreSQL $(psql "$ADMIN dbname=postgres" -X -A -t -c 'SHOW server_version'), $(nproc) cores)
   database size                 $(mb "$db_bytes") MiB (bench_leads heap $(mb "$table_bytes") MiB), filled in $(printf '%.1f' "$fill_s") s
   pg_dump -Fc (best of 2)       $(printf '%6.2f' "$best_dump") s   $(calc "round($db_bytes / 1048576 / $best_dump, 1)") MiB/s of database   dump $(mb "$dump_bytes") MiB
   StreamFlow backup (best of 2) $(printf '%6.2f' "$best_ours") s   $(calc "round($db_bytes / 1048576 / $best_ours, 1)") MiB/s of database   blob $(mb "$cipher_bytes") MiB (container $(mb "$plain_bytes") MiB)
   throughput ratio              $(calc "round($best_dump / $best_ours, 2)")  (StreamFlow / pg_dump -Fc; target >= 0.5)
   restore + verify              $(printf '%6.2f' "$verify_total_s") s   (restore $(printf '%.2f' "$restore_s") s: create, migrate, load, re-add keys; checksum re-read $(printf '%.2f' "$check_s") s)
   pg_restore of the dump        $(printf '%6.2f' "$pg_restore_s") s   (for comparison; no verification)
================================================================================================
EOF
