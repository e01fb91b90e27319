#!/usr/bin/env bash
# Universal search figures, printed, never asserted: one business with LEADS leads (default 100,000) and as many other
# records (tasks and jobs), beside 20 other businesses with 5,000 leads each. Runs search_records — the one query
# behind GET /api/v1/search — for 24 terms (exact names, prefixes, typos, companies, task words, two letters) with
# pgbench (no statement timeout here: every latency is measured), CLIENTS connections for SECONDS seconds, and
# prints p50/p95 per class of term. Baselines in the same run:
# the naive search (ILIKE '%term%' over the same rows, no trigram index) and the write cost of the index's trigger.
# Names are drawn independently from 118 first and 201 last names, so a full name is shared by a handful of leads and a
# surname by a few hundred (an earlier draw paired them by the same residue: 40 names, each on 2,500 leads, 5,000 documents).
#
#   bench/search/run.sh [leads, default 100000] [seconds, default 20] [clients, default 4]
# Uses its own port (test port + 610, or STREAMFLOW_BENCH_OFFSET) and .data/bench-search/, so it runs beside ./run.sh and ./test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd -P)
source "$ROOT/scripts/lib/services.sh"
LEADS=${1:-100000}
SECONDS_PER_RUN=${2:-20}
CLIENTS=${3:-4}
OFFSET=${STREAMFLOW_BENCH_OFFSET:-610}
RUN_DIR="$ROOT/.data/bench-search"

sf_init_run_dir "$RUN_DIR" --wipe
trap sf_stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sf_start_bench_database "$RUN_DIR/postgres" $((54330 + OFFSET))
PGBENCH=$(dirname "$(command -v pg_ctl 2>/dev/null || echo "${SF_PG_BIN:-/usr/lib/postgresql/15/bin}/pg_ctl")")/pgbench
[[ -x "$PGBENCH" ]] || PGBENCH=/usr/lib/postgresql/15/bin/pgbench

echo "seeding: $LEADS leads and $LEADS tasks and jobs in one business, 20 x 5,000 leads elsewhere (the index's triggers fill search_documents)..."
started=$(date +%s.%N)
psql "$ADMIN_CONN" -X -q -v ON_ERROR_STOP=1 -v leads="$LEADS" <<'SQL'
CREATE TEMP TABLE first_names AS SELECT * FROM unnest(ARRAY[
  'dana','maria','james','li','olu','priya','tomas','anna','jose','grace','kofi','sara','mehmet','yuki','ivan',
  'fatima','noah','elena','raj','chloe','omar','hannah','luis','mia','ahmed','zoe','pavel','nina','samuel',
  'leah','victor','ines','david','amara','kenji','olga','peter','rosa','tariq','emma','liam','olivia','ethan',
  'ava','lucas','sophia','mason','isabella','logan','amelia','jacob','harper','michael','evelyn','daniel',
  'abigail','henry','emily','jackson','ella','sebastian','aiden','scarlett','matthew','victoria','wyatt','aria',
  'carter','jayden','luke','penelope','gabriel','layla','anthony','riley','isaac','zoey','dylan','nora','leo',
  'lily','julian','eleanor','levi','hazel','owen','violet','lincoln','aurora','jaxon','savannah','asher',
  'audrey','christopher','brooklyn','josiah','bella','andrew','claire','thomas','skylar','joshua','lucy','ezra',
  'paisley','hudson','everly','charles','caleb','caroline','isaiah','nova','ryan','genesis','nathan','emilia',
  'adrian','kennedy']) WITH ORDINALITY AS f(name, n);
CREATE TEMP TABLE last_names AS SELECT * FROM unnest(ARRAY[
  'whitfield','johnson','thomsen','garcia','nguyen','okafor','schmidt','rossi','kowalski','haddad','tanaka',
  'silva','murphy','petrov','larsen','mendes','bauer','costa','novak','fischer','moreau','sato','walker',
  'dubois','romero','keller','ibrahim','lindqvist','becker','horvat','brennan','castillo','yilmaz','ward',
  'ferreira','holt','patel','oconnor','weber','andersen','smith','williams','brown','jones','miller','davis',
  'rodriguez','martinez','hernandez','lopez','gonzalez','wilson','anderson','taylor','moore','jackson','martin',
  'lee','perez','thompson','white','harris','sanchez','clark','ramirez','lewis','robinson','young','allen',
  'king','wright','scott','torres','hill','flores','green','adams','nelson','baker','hall','rivera','campbell',
  'mitchell','carter','roberts','gomez','phillips','evans','turner','diaz','parker','cruz','edwards','collins',
  'reyes','stewart','morris','morales','rogers','reed','cook','morgan','bell','cooper','peterson','bailey',
  'kelly','howard','cox','richardson','wood','watson','brooks','bennett','gray','james','hughes','price',
  'sanders','myers','long','ross','foster','powell','jenkins','perry','russell','sullivan','butler','barnes',
  'fisher','henderson','coleman','simmons','patterson','jordan','reynolds','hamilton','graham','kim','gonzales',
  'alexander','wallace','griffin','west','cole','hayes','chavez','gibson','bryant','ellis','stevens','murray',
  'ford','marshall','owens','mcdonald','harrison','ruiz','kennedy','wells','alvarez','woods','mendoza','castro',
  'olson','webb','washington','tucker','freeman','burns','henry','vasquez','snyder','simpson','crawford',
  'jimenez','porter','mason','shaw','gordon','wagner','hunter','hicks','dixon','hunt','palmer','robertson',
  'black','holmes','stone','meyer','boyd','mills','warren','fox','rose','rice','moreno','schultz','daniels']) WITH ORDINALITY AS l(name, n);
SELECT count(*) AS first_count FROM first_names \gset
SELECT count(*) AS last_count FROM last_names \gset
CREATE TEMP TABLE companies AS SELECT * FROM unnest(ARRAY['northwind cooling','acme plumbing','bluesky roofing','evergreen landscapes',
  'brightline electric','summit hvac','harbor mechanical','redwood builders','cobalt energy','granite facilities']) WITH ORDINALITY AS c(name, n);

INSERT INTO tenants (id, slug, name, industry) VALUES ('00000000-0000-0000-0000-00000000b001', 'bench-search', 'Bench search', 'hvac');
INSERT INTO tenants (id, slug, name, industry)
SELECT gen_random_uuid(), 'bench-other-' || i, 'Other ' || i, 'plumbing' FROM generate_series(1, 20) i;
INSERT INTO users (id, tenant_id, email, name, role, status)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', 'staff' || i || '@bench.example', 'Staff ' || i, 'staff', 'active'
FROM generate_series(1, 25) i;

INSERT INTO leads (id, tenant_id, first_name, last_name, company, stage, outcome, created_at, updated_at)
SELECT gen_random_uuid(), t.id, f.name, l.name, CASE WHEN i % 3 = 0 THEN c.name END, 'new',
       CASE WHEN i % 5 = 0 THEN 'lost' END, now() - (i % 700 || ' days')::interval, now() - (i % 700 || ' days')::interval
FROM (SELECT id, CASE WHEN slug = 'bench-search' THEN :leads ELSE 5000 END AS n FROM tenants) t
CROSS JOIN LATERAL generate_series(1, t.n) i
JOIN first_names f ON f.n = 1 + (hashint4(i) & 2147483647) % :first_count
JOIN last_names l ON l.n = 1 + (hashint4(i + 7919) & 2147483647) % :last_count
JOIN companies c ON c.n = 1 + i % 10;

INSERT INTO tasks (id, tenant_id, title, status, created_by, created_at, updated_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-00000000b001',
       (ARRAY['call back about the boiler','send the maintenance plan renewal','confirm the roof inspection','chase the signed quote',
              'book the annual service'])[1 + i % 5] || ' for ' || f.name || ' ' || l.name,
       CASE WHEN i % 4 = 0 THEN 'done' ELSE 'open' END, 'bench', now() - (i % 400 || ' days')::interval, now() - (i % 400 || ' days')::interval
FROM generate_series(1, :leads / 2) i
JOIN first_names f ON f.n = 1 + (hashint4(i + 31) & 2147483647) % :first_count
JOIN last_names l ON l.n = 1 + (hashint4(i + 17) & 2147483647) % :last_count;

INSERT INTO jobs (id, tenant_id, customer_name, title, address, latitude, longitude, created_at, updated_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', f.name || ' ' || l.name,
       (ARRAY['furnace replacement','ac tune-up','water heater install','panel upgrade','gutter repair'])[1 + i % 5],
       (100 + i % 9000) || ' ' || (ARRAY['maple st','oak ave','harbor rd','summit dr','river ln'])[1 + i % 5] || ', springfield',
       39.7 + (i % 100) / 1000.0, -89.6 - (i % 100) / 1000.0, now() - (i % 300 || ' days')::interval, now() - (i % 300 || ' days')::interval
FROM generate_series(1, :leads - :leads / 2) i
JOIN first_names f ON f.n = 1 + (hashint4(i + 13) & 2147483647) % :first_count
JOIN last_names l ON l.n = 1 + (hashint4(i + 29) & 2147483647) % :last_count;
ANALYZE;
SQL
seeded=$(date +%s.%N)
# What the RefreshSearchWords timer does every minute: the seeded records' words into the dictionaries.
psql "$APP_CONN" -X -q -A -t -c "SELECT search_words_refresh(10000000)" >/dev/null
refreshed=$(date +%s.%N)
words=$(psql "$ADMIN_CONN" -X -A -t -c "SELECT count(*) FROM search_words WHERE tenant_id = '00000000-0000-0000-0000-00000000b001'")
documents=$(psql "$ADMIN_CONN" -X -A -t -c "SELECT count(*) FROM search_documents WHERE tenant_id = '00000000-0000-0000-0000-00000000b001'")
echo "  seeded in $(awk -v a="$started" -v b="$seeded" 'BEGIN { printf "%.1f", b - a }') s; the business has $documents search documents and $words dictionary words (refresh $(awk -v a="$seeded" -v b="$refreshed" 'BEGIN { printf "%.1f", b - a }') s)"

# The terms a palette sees, by class.
declare -A CLASS=(
  ["dana whitfield"]=exact ["maria johnson"]=exact ["kofi okafor"]=exact ["northwind cooling"]=exact
  [whitf]=prefix [tana]=prefix [summ]=prefix [brenn]=prefix [castil]=prefix [fisch]=prefix
  [whitfeild]=typo [jonhson]=typo [thomson]=typo [kowalsky]=typo [haddat]=typo [lindquist]=typo
  [boiler]=word [renewal]=word [inspection]=word [furnace]=word
  [da]=short [ma]=short [ok]=short [zo]=short
)
SCRIPTS_DIR="$RUN_DIR/scripts"
mkdir -p "$SCRIPTS_DIR"
args=() i=0 names=()
for term in "${!CLASS[@]}"; do
  i=$((i + 1))
  names[i]=$term
  cat >"$SCRIPTS_DIR/$i.sql" <<EOS
BEGIN;
SELECT set_config('app.tenant_id', '00000000-0000-0000-0000-00000000b001', true), set_config('pg_trgm.word_similarity_threshold', '0.5', true);
SELECT * FROM search_records('$term', '$term', ARRAY['lead','task','quote','job','invoice','rfp','user'], 20);
END;
EOS
  cat >"$SCRIPTS_DIR/naive-$i.sql" <<EOS
BEGIN;
SELECT set_config('app.tenant_id', '00000000-0000-0000-0000-00000000b001', true), set_config('enable_bitmapscan', 'off', true), set_config('enable_indexscan', 'off', true);
SELECT kind, record_id, title FROM search_documents WHERE tenant_id = '00000000-0000-0000-0000-00000000b001' AND search_text ILIKE '%$term%' ORDER BY updated_at DESC LIMIT 20;
END;
EOS
done

run_pgbench() { # PREFIX LOGNAME -> per-transaction log in $RUN_DIR/LOGNAME.*
  local prefix=$1 log=$2 files=()
  for ((s = 1; s <= i; s++)); do files+=(-f "$SCRIPTS_DIR/$prefix$s.sql@1"); done
  (cd "$RUN_DIR" && "$PGBENCH" "$APP_CONN" -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_PER_RUN" -l --log-prefix="$log" "${files[@]}" >/dev/null 2>"$RUN_DIR/$log.err") \
    || { cat "$RUN_DIR/$log.err" >&2; return 1; }
}

percentiles() { # LOGNAME [CLASS] -> "count p50 p95" in ms (sorted by sort(1): mawk has no asort); log columns: client tx time_us script epoch us
  local log=$1 class=${2:-} map
  map=$(for ((s = 1; s <= i; s++)); do printf '%d %s\n' $((s - 1)) "${CLASS[${names[s]}]}"; done)
  cat "$RUN_DIR"/"$log".* | awk -v class="$class" -v map="$map" '
    BEGIN { n = split(map, lines, "\n"); for (k = 1; k <= n; k++) { split(lines[k], p, " "); of[p[1]] = p[2] } }
    class == "" || of[$4] == class { printf "%.3f\n", $3 / 1000 }' | sort -n |
    awk 'function at(q, k) { k = int(NR * q); if (k < 1) k = 1; return t[k] }
         { t[NR] = $1 } END { if (NR == 0) { print "0 - -"; exit } printf "%d %.1f %.1f\n", NR, at(0.5), at(0.95) }'
}

echo "search_records, $CLIENTS connections for ${SECONDS_PER_RUN} s over ${#CLASS[@]} terms..."
run_pgbench "" search
echo "naive ILIKE '%term%' (no index), same terms and time..."
run_pgbench naive- naive

echo
echo "universal search on a business of $documents documents (latency per request, ms; PostgreSQL through pgbench, $CLIENTS connections):"
printf '  %-34s %8s %8s %8s\n' "" requests p50 p95
for class in exact prefix typo word short ""; do
  read -r count p50 p95 < <(percentiles search "$class")
  printf '  %-34s %8s %8s %8s\n' "search_records ${class:-all terms}" "$count" "$p50" "$p95"
done
read -r ncount np50 np95 < <(percentiles naive)
printf '  %-34s %8s %8s %8s\n' "baseline: naive ILIKE, no index" "$ncount" "$np50" "$np95"
read -r _ p50 p95 < <(percentiles search)
awk -v a="$p95" -v b="$np95" 'BEGIN { printf "  p95 %.2fx the naive scan; target p95 < 50 ms\n", a / b }'

echo
echo "write cost of the index (10,000 lead inserts in one transaction, median of 3):"
insert_time() {
  psql "$ADMIN_CONN" -X -A -t -q -v ON_ERROR_STOP=1 <<SQL | grep -o 'Time: [0-9.]*' | grep -o '[0-9.]*$' | tail -1
$1
\timing on
INSERT INTO leads (id, tenant_id, first_name, last_name, stage, created_at, updated_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', 'bench', 'writer ' || g, 'new', now(), now() FROM generate_series(1, 10000) g;
SQL
}
with=() without=()
for r in 1 2 3; do
  with+=("$(insert_time "")")
  without+=("$(insert_time "ALTER TABLE leads DISABLE TRIGGER leads_search;")")
  psql "$ADMIN_CONN" -X -q -c "ALTER TABLE leads ENABLE TRIGGER leads_search" >/dev/null
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
printf '  %-34s %8.1f ms\n' "with the search trigger" "$(median "${with[@]}")" "baseline: trigger disabled" "$(median "${without[@]}")"
