#!/usr/bin/env bash
# A PostgreSQL cluster of one end-to-end test's own, which the test stops and starts (issue #19's fault test), built
# with the same functions ./test.sh uses for its own cluster.
#
#   own-postgres.sh start DIR PORT     initdb (first time), start, bootstrap roles and database; prints the
#                                       Postgres__* connection strings as NAME=VALUE lines
#   own-postgres.sh stop DIR           pg_ctl stop -m fast (the server goes away under its clients)
#   own-postgres.sh resume DIR PORT    starts the stopped cluster again
#   own-postgres.sh destroy DIR        stops it (immediate) and removes DIR
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/../../../scripts/lib/services.sh"

command=$1 dir=$2 port=${3:-}
mkdir -p "$dir/logs" "$dir/pids"
SF_RUN_DIR=$(cd "$dir" && pwd -P)

case $command in
  start)
    sf_start_postgres "$SF_RUN_DIR/postgres" "$port" fast
    sf_bootstrap_database >/dev/null
    printf 'Postgres__OwnerConnectionString=%s\nPostgres__AppConnectionString=%s\nPostgres__BackupConnectionString=%s\nAdmin=%s\n' \
      "$Postgres__OwnerConnectionString" "$Postgres__AppConnectionString" "$Postgres__BackupConnectionString" "$STREAMFLOW_TEST_PG_ADMIN"
    ;;
  stop)
    _sf_find_pg_bin
    _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$SF_RUN_DIR/postgres" stop -m fast -w -t 30 >/dev/null
    ;;
  resume)
    sf_start_postgres "$SF_RUN_DIR/postgres" "$port" fast
    ;;
  destroy)
    _sf_find_pg_bin
    if [[ -f "$SF_RUN_DIR/postgres/PG_VERSION" ]]; then
      _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$SF_RUN_DIR/postgres" stop -m immediate -w >/dev/null 2>&1 || true
    fi
    rm -rf "$SF_RUN_DIR"
    ;;
  *)
    echo "own-postgres.sh: unknown command $command" >&2
    exit 2
    ;;
esac
