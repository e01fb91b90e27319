# shellcheck shell=bash
# Local services for StreamFlow: PostgreSQL, Azurite and maildev, started and stopped by pid.
# Sourced by run.sh and test.sh; works with and without `set -euo pipefail` in the caller.
#
#   source scripts/lib/services.sh
#   sf_init_run_dir .data/run            # lock the run's data dir, clean up what a killed run left behind
#   trap sf_stop_all EXIT; trap 'exit 130' INT; trap 'exit 143' TERM
#   sf_install_node_tools
#   sf_install_chromium                  # test.sh only: the API reference page is checked in a browser
#   sf_ensure_credentials .data/run/credentials.env
#   sf_start_postgres .data/run/postgres 54320 [fast]
#   sf_start_azurite .data/run/azurite 10000 10001 10002
#   sf_start_maildev 1025 1080
#   sf_bootstrap_database
#
# Every process started here is recorded in RUN_DIR/pids/NAME.pid (pid, start time, name) and runs in a
# session of its own, so sf_stop_all can stop it together with all of its children.

if [[ -n "${_SF_SERVICES_LOADED:-}" ]]; then
  return 0
fi
_SF_SERVICES_LOADED=1

SF_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
SF_RUN_DIR="${SF_RUN_DIR:-}"
# The lock on the run dir lives on descriptor 201; every long-lived child gets it closed (201>&-), or a
# leftover child would keep the lock after the script died.
_SF_SPAWNED=()       # names of processes started by this shell, in start order
_SF_PG_STARTED=""    # data dir of the PostgreSQL cluster this shell started
_SF_SLEEP_PID=""
SF_LAST_PID=""

_SF_AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

_sf_info() { printf '[services] %s\n' "$*" >&2; }
_sf_err() { printf '[services] ERROR: %s\n' "$*" >&2; }

_sf_tail_log() { # FILE: show the end of a service log after a failed start
  local file=$1
  if [[ -s "$file" ]]; then
    printf '[services] ---- last 30 lines of %s ----\n' "$file" >&2
    tail -n 30 "$file" >&2 || true
    printf '[services] ---- end of %s ----\n' "$file" >&2
  else
    _sf_info "(log $file is empty)"
  fi
}

# Sleeps in a way a trapped signal interrupts at once (used by the callers' wait loops).
sf_sleep() {
  sleep "$1" 201>&- &
  _SF_SLEEP_PID=$!
  wait "$_SF_SLEEP_PID" 2>/dev/null || true
  _SF_SLEEP_PID=""
}

# ---------------------------------------------------------------------------------------------------------
# Run directory, lock, stale processes
# ---------------------------------------------------------------------------------------------------------

# sf_init_run_dir DIR [--wipe]
# Takes an exclusive lock for DIR (a second run on the same dir fails at once), stops whatever a killed
# earlier run left behind (recorded pids, the cluster it started), optionally wipes DIR, and creates
# DIR/logs and DIR/pids.
sf_init_run_dir() {
  local dir=$1 wipe=${2:-}
  mkdir -p "$dir" || { _sf_err "cannot create $dir"; return 1; }
  dir=$(cd "$dir" && pwd -P) || return 1
  # The lock file sits next to DIR, not inside it, so wiping DIR cannot break the lock.
  local lock
  lock="$(dirname "$dir")/.$(basename "$dir").lock"
  exec 201>>"$lock" || { _sf_err "cannot open lock file $lock"; return 1; }
  if ! flock -w 3 201; then
    _sf_err "$dir is in use by another run (lock $lock is held). Stop that run first (Ctrl-C in its terminal)."
    return 1
  fi
  SF_RUN_DIR=$dir
  mkdir -p "$SF_RUN_DIR/logs" "$SF_RUN_DIR/pids" || return 1
  _sf_cleanup_stale
  if [[ "$wipe" == "--wipe" ]]; then
    _sf_info "wiping $SF_RUN_DIR"
    # Clusters created as the postgres user are not writable by a non-root caller, but root can remove them.
    find "$SF_RUN_DIR" -mindepth 1 -maxdepth 1 -exec rm -rf {} + || { _sf_err "cannot wipe $SF_RUN_DIR"; return 1; }
    mkdir -p "$SF_RUN_DIR/logs" "$SF_RUN_DIR/pids" || return 1
  fi
  return 0
}

_sf_require_run_dir() {
  if [[ -z "$SF_RUN_DIR" ]]; then
    _sf_err "call sf_init_run_dir DIR before starting services"
    return 1
  fi
}

# Stops processes and the cluster recorded by an earlier run of this dir that died without cleaning up.
# Holding the lock proves that run is gone.
_sf_cleanup_stale() {
  local f pid st name
  for f in "$SF_RUN_DIR"/pids/*.pid; do
    [[ -e "$f" ]] || continue
    { read -r pid; read -r st; read -r name; } <"$f" || true
    if [[ -n "${pid:-}" ]] && _sf_pid_matches "$pid" "${st:-}"; then
      _sf_info "stopping ${name:-process} (pid $pid) left running by an earlier run"
      _sf_stop_pid "$pid" "${name:-process}"
    fi
    rm -f "$f"
  done
  if [[ -f "$SF_RUN_DIR/pids/postgres.cluster" ]]; then
    local pgdir
    pgdir=$(<"$SF_RUN_DIR/pids/postgres.cluster")
    if [[ -f "$pgdir/PG_VERSION" ]] && _sf_find_pg_bin 2>/dev/null && _sf_pg_user \
      && _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$pgdir" status >/dev/null 2>&1; then
      _sf_info "stopping PostgreSQL in $pgdir left running by an earlier run"
      _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$pgdir" stop -m fast -w -t 30 >/dev/null 2>&1 \
        || _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$pgdir" stop -m immediate -w >/dev/null 2>&1 || true
    fi
    rm -f "$SF_RUN_DIR/pids/postgres.cluster"
  fi
}

# ---------------------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------------------

_sf_proc_starttime() { # PID -> field 22 of /proc/PID/stat (start time in clock ticks)
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  printf '%s\n' "${20}"
}

_sf_pid_alive() { # PID: exists and is not a zombie
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ "${stat:0:1}" != "Z" ]]
}

_sf_pid_matches() { # PID STARTTIME: the recorded process, not a reused pid
  _sf_pid_alive "$1" || return 1
  [[ -z "$2" ]] && return 0
  [[ "$(_sf_proc_starttime "$1" 2>/dev/null)" == "$2" ]]
}

# PID and every process in its session or below it in the process tree.
_sf_proc_family() {
  ps -e -o pid= -o ppid= -o sid= 2>/dev/null | awk -v root="$1" -v self="$$" '
    { pid[NR]=$1; ppid[NR]=$2; sid[NR]=$3 }
    END {
      keep[root]=1
      for (i = 1; i <= NR; i++) if (sid[i] == root) keep[pid[i]] = 1
      do { changed = 0
           for (i = 1; i <= NR; i++) if ((ppid[i] in keep) && !(pid[i] in keep)) { keep[pid[i]] = 1; changed = 1 }
      } while (changed)
      for (p in keep) if (p != self) print p
    }'
}

# TERM the process, its process group and all its children; KILL what is left after 10 s.
_sf_stop_pid() {
  local pid=$1 name=$2 p i
  local -a family=()
  mapfile -t family < <(_sf_proc_family "$pid")
  [[ ${#family[@]} -gt 0 ]] || family=("$pid")
  kill -TERM -- "-$pid" 2>/dev/null || true
  kill -TERM "${family[@]}" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    local alive=0
    for p in "${family[@]}"; do _sf_pid_alive "$p" && { alive=1; break; }; done
    ((alive)) || return 0
    sleep 0.1
  done
  _sf_info "$name (pid $pid) did not stop within 10 s; killing it"
  kill -KILL -- "-$pid" 2>/dev/null || true
  kill -KILL "${family[@]}" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    local alive=0
    for p in "${family[@]}"; do _sf_pid_alive "$p" && { alive=1; break; }; done
    ((alive)) || return 0
    sleep 0.1
  done
  _sf_err "could not stop $name (pid $pid)"
  return 1
}

# sf_spawn NAME LOGFILE|- COMMAND [ARGS...]
# Starts COMMAND in the background in a new session (so it and its children form one group, and a Ctrl-C
# in the terminal reaches only the script, which then stops everything in order), records its pid in
# RUN_DIR/pids/NAME.pid and sets SF_LAST_PID. Output is appended to LOGFILE, or inherited with "-".
sf_spawn() {
  local name=$1 log=$2
  shift 2
  _sf_require_run_dir || return 1
  local pidfile="$SF_RUN_DIR/pids/$name.pid" tmp="$SF_RUN_DIR/pids/.$name.starting"
  rm -f "$tmp"
  # The inner shell writes its own pid (the one setsid leaves us with, forked or not), then execs COMMAND.
  # shellcheck disable=SC2016
  if [[ "$log" == "-" ]]; then
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$tmp" "$@" </dev/null 201>&- &
  else
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$tmp" "$@" </dev/null >>"$log" 2>&1 201>&- &
  fi
  # Tracked by pid file from here on; no "Killed" job notices from bash when it has to be killed.
  disown "$!" 2>/dev/null || true
  local i pid=""
  for ((i = 0; i < 200; i++)); do
    [[ -s "$tmp" ]] && { read -r pid <"$tmp" || true; }
    [[ -n "$pid" ]] && break
    sleep 0.05
  done
  rm -f "$tmp"
  if [[ -z "$pid" ]]; then
    _sf_err "could not start $name ($1)"
    return 1
  fi
  printf '%s\n%s\n%s\n' "$pid" "$(_sf_proc_starttime "$pid" 2>/dev/null || true)" "$name" >"$pidfile"
  _SF_SPAWNED+=("$name")
  # shellcheck disable=SC2034 # read by the callers
  SF_LAST_PID=$pid
}

# sf_stop NAME: stops one recorded process (and its children).
sf_stop() {
  local name=$1 pidfile pid st
  pidfile="$SF_RUN_DIR/pids/$name.pid"
  [[ -f "$pidfile" ]] || return 0
  { read -r pid; read -r st; } <"$pidfile" || true
  if [[ -n "${pid:-}" ]] && _sf_pid_matches "$pid" "${st:-}"; then
    _sf_info "stopping $name (pid $pid)"
    _sf_stop_pid "$pid" "$name" || true
  fi
  rm -f "$pidfile"
}

# sf_alive NAME: is the recorded process still running?
sf_alive() {
  local pidfile="$SF_RUN_DIR/pids/$1.pid" pid st
  [[ -f "$pidfile" ]] || return 1
  { read -r pid; read -r st; } <"$pidfile" || true
  [[ -n "${pid:-}" ]] && _sf_pid_matches "$pid" "${st:-}"
}

# sf_stop_all: stops everything this run started, newest first, then the PostgreSQL cluster if we started
# it. Safe to call more than once; meant for `trap sf_stop_all EXIT`.
sf_stop_all() {
  trap '' INT TERM HUP   # a second Ctrl-C must not cut the clean-up short
  if [[ -n "$_SF_SLEEP_PID" ]]; then
    kill "$_SF_SLEEP_PID" 2>/dev/null || true
    _SF_SLEEP_PID=""
  fi
  [[ -n "$SF_RUN_DIR" ]] || return 0
  local i f
  for ((i = ${#_SF_SPAWNED[@]} - 1; i >= 0; i--)); do
    sf_stop "${_SF_SPAWNED[i]}"
  done
  _SF_SPAWNED=()
  for f in "$SF_RUN_DIR"/pids/*.pid; do   # anything recorded from a subshell
    [[ -e "$f" ]] || continue
    f=${f##*/}
    sf_stop "${f%.pid}"
  done
  if [[ -n "$_SF_PG_STARTED" ]]; then
    _sf_info "stopping PostgreSQL ($_SF_PG_STARTED)"
    if ! _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$_SF_PG_STARTED" stop -m fast -w -t 30 >/dev/null 2>&1; then
      if _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$_SF_PG_STARTED" status >/dev/null 2>&1; then
        _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$_SF_PG_STARTED" stop -m immediate -w >/dev/null 2>&1 \
          || _sf_err "could not stop PostgreSQL in $_SF_PG_STARTED"
      fi
    fi
    rm -f "$SF_RUN_DIR/pids/postgres.cluster"
    _SF_PG_STARTED=""
  fi
  return 0
}

# ---------------------------------------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------------------------------------

sf_port_open() { # PORT [HOST]: does something accept TCP connections there?
  (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null
}

# sf_check_port_free PORT WHAT: fails with a message naming the port if someone already listens on it.
sf_check_port_free() {
  local port=$1 what=$2
  if sf_port_open "$port"; then
    _sf_err "port $port ($what) is already in use by another process. Stop it, or free the port, and try again."
    if command -v ss >/dev/null 2>&1; then
      ss -Hltnp "sport = :$port" 2>/dev/null | sed 's/^/[services]   /' >&2 || true
    fi
    return 1
  fi
}

_sf_wait_ports() { # NAME PID_NAME TIMEOUT PORT...: wait until all ports accept connections
  local name=$1 pname=$2 timeout=$3 i p ok
  shift 3
  for ((i = 0; i < timeout * 10; i++)); do
    ok=1
    for p in "$@"; do sf_port_open "$p" || { ok=0; break; }; done
    ((ok)) && return 0
    sf_alive "$pname" || { _sf_err "$name exited during start-up"; return 1; }
    sleep 0.1
  done
  _sf_err "$name did not listen on port(s) $* within ${timeout} s"
  return 1
}

# ---------------------------------------------------------------------------------------------------------
# Node tools (Azurite, maildev)
# ---------------------------------------------------------------------------------------------------------

_sf_node_tools_stale() {
  local nm="$SF_REPO_ROOT/node_modules"
  [[ ! -d "$nm" || ! -f "$nm/.package-lock.json" || "$SF_REPO_ROOT/package-lock.json" -nt "$nm/.package-lock.json" ]]
}

# sf_install_node_tools: `npm ci` when node_modules is missing or older than package-lock.json.
sf_install_node_tools() {
  command -v node >/dev/null 2>&1 || { _sf_err "node is not installed (Node.js 20+ is needed for Azurite and maildev)"; return 1; }
  command -v npm >/dev/null 2>&1 || { _sf_err "npm is not installed"; return 1; }
  _sf_node_tools_stale || return 0
  mkdir -p "$SF_REPO_ROOT/.data" || return 1
  (
    # run.sh and test.sh may both get here at once: one installs, the other waits and then finds it done.
    exec 202>>"$SF_REPO_ROOT/.data/.npm.lock"
    flock -w 900 202 || { _sf_err "timed out waiting for another npm ci"; exit 1; }
    _sf_node_tools_stale || exit 0
    _sf_info "installing Azurite and maildev (npm ci)"
    cd "$SF_REPO_ROOT" && npm ci --no-audit --no-fund 201>&- 202>&-
  ) || { _sf_err "npm ci failed"; return 1; }
}

# sf_install_chromium: Debian's chromium for the test that loads the API reference page in a headless browser.
# Installed with apt-get as root (or with password-less sudo); otherwise the missing browser is named and the run stops.
sf_install_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  local -a apt=(apt-get)
  if [[ $(id -u) -ne 0 ]]; then
    sudo -n true 2>/dev/null || { _sf_err "chromium is not installed and apt-get needs root: sudo apt-get install chromium"; return 1; }
    apt=(sudo -n apt-get)
  fi
  _sf_info "installing chromium (apt-get) for the API reference page test"
  local -a install=(-o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" "${install[@]}" >/dev/null 2>&1 201>&- \
    || { "${apt[@]}" -o DPkg::Lock::Timeout=600 update -qq >/dev/null 201>&- && DEBIAN_FRONTEND=noninteractive "${apt[@]}" "${install[@]}" >/dev/null 201>&-; } \
    || { _sf_err "apt-get install chromium failed"; return 1; }
}

_sf_node_bin() { # NAME -> path of node_modules/.bin/NAME
  local bin="$SF_REPO_ROOT/node_modules/.bin/$1"
  if [[ ! -x "$bin" ]]; then
    _sf_err "$bin not found: run sf_install_node_tools (npm ci) first"
    return 1
  fi
  printf '%s\n' "$bin"
}

# ---------------------------------------------------------------------------------------------------------
# Credentials
# ---------------------------------------------------------------------------------------------------------

_sf_random_bytes_b64() { # N -> base64 of N random bytes
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -base64 "$1" | tr -d '\n'
  else
    head -c "$1" /dev/urandom | base64 -w0
  fi
}

_sf_random_password() { # LENGTH -> letters and digits
  local s=""
  while ((${#s} < $1)); do
    s+=$(_sf_random_bytes_b64 48 | tr -dc 'A-Za-z0-9')
  done
  printf '%s\n' "${s:0:$1}"
}

# sf_ensure_credentials FILE
# Creates FILE (mode 600) with generated logins and keys on first use, adds keys missing from an older
# file, then exports everything in it. Variables already set (non-empty) in the environment win.
sf_ensure_credentials() {
  local file=$1 key value
  mkdir -p "$(dirname "$file")" || return 1
  if [[ ! -f "$file" ]]; then
    (umask 077 && printf '# StreamFlow local credentials, generated %s. Keep private; delete to regenerate.\n' \
      "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$file") || { _sf_err "cannot write $file"; return 1; }
  fi
  chmod 600 "$file" || return 1
  local -a wanted=(STREAMFLOW_PROVIDER_EMAIL STREAMFLOW_PROVIDER_PASSWORD STREAMFLOW_DEV_EMAIL STREAMFLOW_DEV_PASSWORD
    Jwt__ProviderSigningKey Jwt__DeveloperSigningKey Backups__EncryptionKey Webhooks__SecretEncryptionKey
    Federation__SecretEncryptionKey)
  for key in "${wanted[@]}"; do
    grep -q "^${key}=" "$file" && continue
    case $key in
      STREAMFLOW_PROVIDER_EMAIL) value=provider@streamflow.local ;;
      STREAMFLOW_DEV_EMAIL) value=dev@streamflow.local ;;
      *_PASSWORD) value=$(_sf_random_password 20) ;;
      *) value=$(_sf_random_bytes_b64 32) ;;
    esac
    [[ -n "$value" ]] || { _sf_err "could not generate $key"; return 1; }
    printf "%s='%s'\n" "$key" "$value" >>"$file" || return 1
  done
  local -A keep=()
  while IFS= read -r key; do
    [[ -n "${!key:-}" ]] && keep[$key]=${!key}
  done < <(sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' "$file")
  local had_a=0
  [[ $- == *a* ]] && had_a=1
  set -a
  # shellcheck disable=SC1090
  source "$file" || { ((had_a)) || set +a; _sf_err "cannot read $file"; return 1; }
  ((had_a)) || set +a
  for key in "${!keep[@]}"; do
    export "$key=${keep[$key]}"
  done
  sf_ensure_key_ring "$(dirname "$file")/privacy-key-ring"
}

# sf_ensure_key_ring FILE
# The local key-encryption key ring of personal data (issue #15): lines "<id> <base64 of 32 bytes>", the last the
# current key. Created (mode 600) on first use and never rewritten: the data keys in the database are wrapped by it.
# Exports Privacy__LocalKeyRingPath unless it is already set.
sf_ensure_key_ring() {
  local file=$1
  mkdir -p "$(dirname "$file")" || return 1
  if [[ ! -s "$file" ]]; then
    (umask 077 && printf 'kek-%s %s\n' "$(date -u +%Y%m%d%H%M%S)" "$(_sf_random_bytes_b64 32)" >"$file") || { _sf_err "cannot write $file"; return 1; }
  fi
  chmod 600 "$file" || return 1
  [[ -n "${Privacy__LocalKeyRingPath:-}" ]] || export Privacy__LocalKeyRingPath="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
}

# ---------------------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------------------

SF_PG_BIN="${SF_PG_BIN:-}"
SF_PG_HOST=""
SF_PG_PORT=""
SF_PG_ADMIN_CONNINFO=""   # libpq (psql) form
_SF_PG_SSL=""             # ";SSL Mode=..." for Npgsql strings, from DATABASE_URL's sslmode
_SF_PG_OSUSER=""          # root only: "postgres" or "nobody"

_sf_find_pg_bin() {
  [[ -n "$SF_PG_BIN" && -x "$SF_PG_BIN/pg_ctl" ]] && return 0
  local d
  local -a dirs=(/usr/lib/postgresql/15/bin)
  mapfile -t -O 1 dirs < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4 -rn)
  for d in "${dirs[@]}"; do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { SF_PG_BIN=$d; return 0; }
  done
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    SF_PG_BIN=$(dirname "$(command -v pg_ctl)")
    return 0
  fi
  _sf_err "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin. Install postgresql-15, set SF_PG_BIN, or set DATABASE_URL to use an existing server."
  return 1
}

# The OS user that owns and runs the cluster when we are root (initdb and pg_ctl refuse to run as root).
_sf_pg_user() {
  ((EUID == 0)) || return 0
  [[ -n "$_SF_PG_OSUSER" ]] && return 0
  if id -u postgres >/dev/null 2>&1; then
    _SF_PG_OSUSER=postgres
  else
    _SF_PG_OSUSER=nobody
  fi
}

_sf_pg_group() {
  id -gn "$_SF_PG_OSUSER"
}

# Runs a command as the cluster's OS user (root) or as ourselves, from / so that an unreadable working
# directory cannot trip the PostgreSQL tools.
_sf_as_pg() {
  if ((EUID == 0)); then
    _sf_pg_user
    if [[ "$_SF_PG_OSUSER" == postgres ]]; then
      (cd / && runuser -u postgres -- "$@" 201>&-)
    else
      (cd / && setpriv --reuid=nobody --regid="$(_sf_pg_group)" --clear-groups -- "$@" 201>&-)
    fi
  else
    (cd / && "$@" 201>&-)
  fi
}

# Root only: make every directory from / down to PATH searchable by the cluster's user. A repo under a
# 0700 home (/root) is the usual case; o+x lets the user pass through without being able to list anything.
_sf_make_traversable() {
  local target=$1 p="" comp
  local -a parts
  IFS=/ read -r -a parts <<<"${target#/}"
  for comp in "${parts[@]}"; do
    [[ -n "$comp" ]] || continue
    p+="/$comp"
    if ! _sf_as_pg test -x "$p"; then
      _sf_info "granting o+x on $p so that the '$_SF_PG_OSUSER' user can reach the cluster"
      chmod o+x "$p" || { _sf_err "cannot chmod o+x $p"; return 1; }
    fi
  done
  if ! _sf_as_pg test -x "$target"; then
    _sf_err "user '$_SF_PG_OSUSER' cannot reach $target (permissions, ACLs or mount options). Move the repo, or set DATABASE_URL."
    return 1
  fi
}

_sf_urldecode() {
  local s=${1//\\/\\\\}
  printf '%b' "${s//%/\\x}"
}

# Npgsql keyword value, quoted when it contains characters that would end or confuse the pair.
_sf_npgsql_value() {
  local v=$1
  if [[ "$v" == *[\;\"\'=]* || "$v" =~ ^[[:space:]] || "$v" =~ [[:space:]]$ ]]; then
    printf '"%s"' "${v//\"/\"\"}"
  else
    printf '%s' "$v"
  fi
}

# Parses DATABASE_URL (postgres[ql]://user:pass@host:port/db?sslmode=...) into SF_PG_* and the
# admin connection strings.
_sf_parse_database_url() {
  local url=$DATABASE_URL
  local re='^postgres(ql)?://(([^:@/]*)(:([^@/]*))?@)?(\[[^]/]*\]|[^:/?]*)(:([0-9]+))?(/([^?]*))?(\?(.*))?$'
  if [[ ! "$url" =~ $re ]]; then
    _sf_err "DATABASE_URL must look like postgres://user:password@host:port/database"
    return 1
  fi
  local user pass host port db query sslmode=""
  user=$(_sf_urldecode "${BASH_REMATCH[3]}")
  pass=$(_sf_urldecode "${BASH_REMATCH[5]}")
  host=${BASH_REMATCH[6]}
  port=${BASH_REMATCH[8]:-5432}
  db=$(_sf_urldecode "${BASH_REMATCH[10]}")
  query=${BASH_REMATCH[12]}
  host=${host#[}
  host=${host%]}
  [[ -n "$host" ]] || host=localhost
  [[ -n "$user" ]] || user=postgres
  [[ -n "$db" ]] || db=$user
  if [[ "&$query&" =~ \&sslmode=([a-z-]+)\& ]]; then
    sslmode=${BASH_REMATCH[1]}
  fi
  case $sslmode in
    disable) _SF_PG_SSL=";SSL Mode=Disable" ;;
    allow) _SF_PG_SSL=";SSL Mode=Allow" ;;
    prefer) _SF_PG_SSL=";SSL Mode=Prefer" ;;
    require) _SF_PG_SSL=";SSL Mode=Require" ;;
    verify-ca) _SF_PG_SSL=";SSL Mode=VerifyCA" ;;
    verify-full) _SF_PG_SSL=";SSL Mode=VerifyFull" ;;
    *) _SF_PG_SSL="" ;;
  esac
  SF_PG_HOST=$host
  SF_PG_PORT=$port
  SF_PG_ADMIN_CONNINFO=$url
  local admin
  admin="Host=$(_sf_npgsql_value "$host");Port=$port;Database=$(_sf_npgsql_value "$db");Username=$(_sf_npgsql_value "$user")"
  [[ -n "$pass" ]] && admin+=";Password=$(_sf_npgsql_value "$pass")"
  export STREAMFLOW_TEST_PG_ADMIN="$admin$_SF_PG_SSL"
}

_sf_psql_ok() { # CONNINFO: can we run a query?
  psql "$1" -X -A -t -q -v ON_ERROR_STOP=1 -c 'select 1' >/dev/null 2>&1
}

# sf_start_postgres DATA_DIR PORT [fast]
# Creates (initdb) and starts a local cluster on 127.0.0.1:PORT, or reuses it if it is already running.
# With DATABASE_URL set, no cluster is started: the URL's server is used (and must answer).
# "fast" turns off fsync, synchronous_commit and full_page_writes (throwaway test clusters only).
sf_start_postgres() {
  local dir=$1 port=$2 mode=${3:-}
  command -v psql >/dev/null 2>&1 || { _sf_err "psql not found (install postgresql-client)"; return 1; }
  if [[ -n "${DATABASE_URL:-}" ]]; then
    _sf_parse_database_url || return 1
    local out
    if ! out=$(psql "$DATABASE_URL" -X -A -t -q -v ON_ERROR_STOP=1 -c 'select version()' 2>&1); then
      _sf_err "cannot connect to DATABASE_URL (host $SF_PG_HOST, port $SF_PG_PORT): $out"
      return 1
    fi
    _sf_info "using the PostgreSQL server from DATABASE_URL ($SF_PG_HOST:$SF_PG_PORT)"
    return 0
  fi
  _sf_require_run_dir || return 1
  _sf_find_pg_bin || return 1
  _sf_pg_user
  mkdir -p "$dir" || return 1
  dir=$(cd "$dir" && pwd -P) || return 1
  local base logs log sock
  base=$(dirname "$dir")
  logs="$base/logs"
  log="$logs/postgres.log"
  mkdir -p "$logs" || return 1
  touch "$log" || return 1
  sock="$base/pgsock"
  # A Unix socket path must stay under ~107 bytes; fall back to /tmp for deep checkouts.
  ((${#sock} + 16 > 100)) && sock="/tmp/streamflow-pgsock-$(id -u)-$port"
  mkdir -p "$sock" || return 1
  if ((EUID == 0)); then
    local owner
    owner="$_SF_PG_OSUSER:$(_sf_pg_group)" || return 1
    _sf_make_traversable "$logs" || return 1
    chown "$owner" "$log" "$sock" || return 1
    if [[ "$(stat -c %U "$dir")" != "$_SF_PG_OSUSER" ]]; then
      chown -R "$owner" "$dir" || return 1
    fi
  fi
  if [[ ! -f "$dir/PG_VERSION" ]]; then
    if [[ -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
      _sf_err "$dir is not empty but holds no PostgreSQL cluster; remove it and try again"
      return 1
    fi
    chmod 700 "$dir" || return 1
    _sf_info "creating PostgreSQL cluster in $dir"
    if ! _sf_as_pg "$SF_PG_BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
      >>"$log" 2>&1; then
      _sf_err "initdb failed"
      _sf_tail_log "$log"
      return 1
    fi
  fi
  SF_PG_HOST=127.0.0.1
  SF_PG_PORT=$port
  SF_PG_ADMIN_CONNINFO="host=127.0.0.1 port=$port user=postgres dbname=postgres"
  _SF_PG_SSL=""
  export STREAMFLOW_TEST_PG_ADMIN="Host=127.0.0.1;Port=$port;Database=postgres;Username=postgres"
  if _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    if ! _sf_psql_ok "$SF_PG_ADMIN_CONNINFO"; then
      _sf_err "a PostgreSQL server is already running in $dir but does not answer on 127.0.0.1:$port; stop it ($SF_PG_BIN/pg_ctl -D $dir stop) and try again"
      return 1
    fi
    _sf_info "PostgreSQL already running in $dir on port $port; reusing it (it will be left running)"
    return 0
  fi
  sf_check_port_free "$port" "PostgreSQL" || return 1
  # max_connections fits the pools we run: each host's app pool is capped at 40 (Postgres:MaxPoolSize), and tests
  # run two hosts plus their own data sources next to migrations and psql.
  local opts="-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=200"
  [[ "$mode" == fast ]] && opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # Recorded before starting, so that a run killed half-way still gets its cluster stopped next time.
  printf '%s\n' "$dir" >"$SF_RUN_DIR/pids/postgres.cluster"
  _SF_PG_STARTED=$dir
  if ! _sf_as_pg "$SF_PG_BIN/pg_ctl" -D "$dir" -l "$log" -w -t 60 -o "$opts" start >/dev/null 2>&1; then
    _sf_err "PostgreSQL failed to start on port $port"
    _sf_tail_log "$log"
    return 1
  fi
  if ! _sf_psql_ok "$SF_PG_ADMIN_CONNINFO"; then
    _sf_err "PostgreSQL started but does not answer on 127.0.0.1:$port"
    _sf_tail_log "$log"
    return 1
  fi
  _sf_info "PostgreSQL listening on 127.0.0.1:$port (data $dir, log $log)"
}

# sf_bootstrap_database [ADMIN_CONNINFO]
# Idempotently creates the owner, application and backup roles and the database (infra/db/bootstrap.sql),
# then exports Postgres__OwnerConnectionString, Postgres__AppConnectionString, Postgres__BackupConnectionString
# and (local admin, used only by restores to create and drop databases) Postgres__AdminConnectionString, all in
# Npgsql format. ADMIN_CONNINFO (libpq URI or key=value) defaults to the server sf_start_postgres set up.
# shellcheck disable=SC2120 # the argument is optional
sf_bootstrap_database() {
  local admin=${1:-$SF_PG_ADMIN_CONNINFO}
  if [[ -z "$admin" ]]; then
    _sf_err "sf_bootstrap_database: no admin connection (start PostgreSQL first or pass a conninfo)"
    return 1
  fi
  local db=${STREAMFLOW_DB_NAME:-streamflow}
  local owner=streamflow_owner app=streamflow_app backup=streamflow_backup
  local owner_pw=${STREAMFLOW_DB_OWNER_PASSWORD:-streamflow_owner}
  local app_pw=${STREAMFLOW_DB_APP_PASSWORD:-streamflow_app}
  local backup_pw=${STREAMFLOW_DB_BACKUP_PASSWORD:-streamflow_backup}
  local out
  if ! out=$(psql "$admin" -X -q -v ON_ERROR_STOP=1 \
    -v owner_role="$owner" -v owner_password="$owner_pw" \
    -v app_role="$app" -v app_password="$app_pw" \
    -v backup_role="$backup" -v backup_password="$backup_pw" -v db_name="$db" \
    -f "$SF_REPO_ROOT/infra/db/bootstrap.sql" 2>&1); then
    _sf_err "database bootstrap failed:"
    printf '%s\n' "$out" >&2
    return 1
  fi
  local host=$SF_PG_HOST port=$SF_PG_PORT
  if [[ -z "$host" || -z "$port" ]]; then
    local hp
    hp=$(psql "$admin" -X -A -t -q -F ' ' -c "select coalesce(host(inet_server_addr()), '127.0.0.1'), current_setting('port')") || return 1
    read -r host port <<<"$hp"
  fi
  local common
  common="Host=$(_sf_npgsql_value "$host");Port=$port;Database=$(_sf_npgsql_value "$db")"
  Postgres__OwnerConnectionString="$common;Username=$owner;Password=$(_sf_npgsql_value "$owner_pw")$_SF_PG_SSL"
  Postgres__AppConnectionString="$common;Username=$app;Password=$(_sf_npgsql_value "$app_pw")$_SF_PG_SSL"
  Postgres__BackupConnectionString="$common;Username=$backup;Password=$(_sf_npgsql_value "$backup_pw")$_SF_PG_SSL"
  export Postgres__OwnerConnectionString Postgres__AppConnectionString Postgres__BackupConnectionString
  # Restores create databases; locally the cluster's admin does that (in Azure: the server admin, see README).
  if [[ -n "${STREAMFLOW_TEST_PG_ADMIN:-}" ]]; then
    export Postgres__AdminConnectionString="$STREAMFLOW_TEST_PG_ADMIN"
  fi
  _sf_info "database '$db' ready (roles $owner, $app, $backup)"
}

# sf_start_bench_database DATA_DIR PORT
# For benches that talk SQL directly: starts PostgreSQL, bootstraps the roles and database, applies the migrations
# and the functions as the owner role (as the host's migrate does), and sets OWNER_CONN, APP_CONN and ADMIN_CONN
# (the cluster's superuser, which bypasses row-level security: benches seed with it) in libpq form.
sf_start_bench_database() {
  local dir=$1 port=$2 sql
  sf_start_postgres "$dir" "$port" fast >/dev/null || return 1
  sf_bootstrap_database >/dev/null || return 1
  local db="host=127.0.0.1 port=$port dbname=${STREAMFLOW_DB_NAME:-streamflow}"
  OWNER_CONN="$db user=streamflow_owner password=${STREAMFLOW_DB_OWNER_PASSWORD:-streamflow_owner}"
  APP_CONN="$db user=streamflow_app password=${STREAMFLOW_DB_APP_PASSWORD:-streamflow_app}"
  ADMIN_CONN="$SF_PG_ADMIN_CONNINFO dbname=${STREAMFLOW_DB_NAME:-streamflow}"
  for sql in "$SF_REPO_ROOT"/infra/db/migrations/*.sql "$SF_REPO_ROOT"/infra/db/functions/*.sql "$SF_REPO_ROOT"/infra/db/views/*.sql; do
    sed 's/\$AppRole\$/streamflow_app/g' "$sql" | psql "$OWNER_CONN" -X -q -v ON_ERROR_STOP=1 >/dev/null || return 1
  done
}

# ---------------------------------------------------------------------------------------------------------
# Azurite
# ---------------------------------------------------------------------------------------------------------

# sf_start_azurite DATA_DIR BLOB_PORT QUEUE_PORT TABLE_PORT
sf_start_azurite() {
  local dir=$1 blob=$2 queue=$3 table=$4 bin log
  _sf_require_run_dir || return 1
  bin=$(_sf_node_bin azurite) || return 1
  sf_check_port_free "$blob" "Azurite blob" || return 1
  sf_check_port_free "$queue" "Azurite queue" || return 1
  sf_check_port_free "$table" "Azurite table" || return 1
  mkdir -p "$dir" || return 1
  dir=$(cd "$dir" && pwd -P) || return 1
  log="$SF_RUN_DIR/logs/azurite.log"
  printf -- '--- azurite starting %s ---\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$log"
  sf_spawn azurite "$log" "$bin" --silent --skipApiVersionCheck --disableTelemetry --loose \
    --location "$dir" \
    --blobHost 127.0.0.1 --blobPort "$blob" \
    --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" || return 1
  if ! _sf_wait_ports Azurite azurite 30 "$blob" "$queue" "$table"; then
    _sf_tail_log "$log"
    sf_stop azurite
    return 1
  fi
  export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$_SF_AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
  _sf_info "Azurite listening on 127.0.0.1 (blob $blob, queue $queue, table $table; data $dir)"
}

# ---------------------------------------------------------------------------------------------------------
# maildev
# ---------------------------------------------------------------------------------------------------------

# sf_start_maildev SMTP_PORT WEB_PORT
sf_start_maildev() {
  local smtp=$1 web=$2 bin log i
  _sf_require_run_dir || return 1
  command -v curl >/dev/null 2>&1 || { _sf_err "curl not found"; return 1; }
  bin=$(_sf_node_bin maildev) || return 1
  sf_check_port_free "$smtp" "maildev SMTP" || return 1
  sf_check_port_free "$web" "maildev web" || return 1
  log="$SF_RUN_DIR/logs/maildev.log"
  printf -- '--- maildev starting %s ---\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$log"
  sf_spawn maildev "$log" "$bin" --smtp "$smtp" --web "$web" --ip 127.0.0.1 --web-ip 127.0.0.1 --silent || return 1
  local ok=0
  for ((i = 0; i < 300; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$web/api/healthz" 2>/dev/null; then
      ok=1
      break
    fi
    sf_alive maildev || { _sf_err "maildev exited during start-up"; break; }
    sleep 0.1
  done
  if ((!ok)) || ! sf_port_open "$smtp"; then
    if ((ok)); then
      _sf_err "maildev does not accept SMTP on port $smtp"
    else
      _sf_err "maildev did not become healthy (GET /api/healthz on port $web) within 30 s"
    fi
    _sf_tail_log "$log"
    sf_stop maildev
    return 1
  fi
  export Smtp__Host=127.0.0.1 Smtp__Port="$smtp" Smtp__From=streamflow@localhost.test
  export MAILDEV_API_URL="http://127.0.0.1:$web"
  _sf_info "maildev listening on 127.0.0.1 (SMTP $smtp, web $web)"
}
