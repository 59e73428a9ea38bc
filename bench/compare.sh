#!/usr/bin/env bash
# Kabinet side by side with PostGraphile 4 over the same PostgreSQL database,
# and with pgbench replaying the statements each one sends (the database-only
# ceiling), in one run on this machine, over loopback.
#   bench/compare.sh
#   ACCOUNTS=10000 DURATION=5s bench/compare.sh      # a quicker run
# Settings: ACCOUNTS (100000), DURATION per run (10s), CONNECTIONS ("1 16 64"),
# WEBSOCKETS (1000), SCENARIOS ("dashboard transactions grid search login
# app-dashboard app-transactions app-tvgrid app-search"; empty for the memory
# figures alone; app-*: the apps' own operations/ by hash, Kabinet alone),
# PG_URL (postgres://postgres@127.0.0.1:5432, a superuser: the database
# kabinet_bench_compare is DROPPED and re-created, and its log_statement set
# while the statements are captured).
#
# 1. Builds the release binary; installs wrk (Debian) when missing, and
#    PostGraphile 4 with the connection-filter plugin and ws (npm, pinned) into
#    a temporary folder.
# 2. Seeds the database: the demo (catalog, demo subscribers), a 14-day guide
#    (220 channels, `kabinet demo-epg --days 14`), then ACCOUNTS subscribers with
#    a year of ledger each and a live session (bench/compare/seed.sql).
# 3. Captures the statements one request of each scenario sends on each side
#    (PostgreSQL's log with log_statement = 'all', background work paused) and
#    turns them into pgbench scripts (bench/compare/replay.py), each transaction
#    for another random account.
# 4. For each scenario and connection count: Kabinet, then PostGraphile, then
#    pgbench replaying each side's statements; wrk picks another account for
#    every request (bench/compare/per_account.lua). Prints req/s, p50, p99,
#    statements per request and the ratios.
# 5. Memory: Kabinet's resident set at start, with the guide loaded, after the
#    load, and with WEBSOCKETS graphql-ws subscribers on accountEvents.
# It measures the working tree (the header says -dirty when it has uncommitted
# changes). Record the figures in bench/README.md with the commit.
set -euo pipefail
cd "$(dirname "$0")/.."

ACCOUNTS=${ACCOUNTS:-100000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-"1 16 64"}
WEBSOCKETS=${WEBSOCKETS:-1000}
SCENARIOS=${SCENARIOS-"dashboard transactions grid search login app-dashboard app-transactions app-tvgrid app-search"}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=kabinet_bench_compare
URL=$PG_URL/$DB
KPORT=${KPORT:-18090}
GPORT=${GPORT:-18091}
BIN=target/release/kabinet
CAPTURED=4242   # the account whose statements are captured

for tool in psql pgbench node npm jq curl python3; do
  command -v "$tool" >/dev/null || { echo "compare.sh needs $tool" >&2; exit 1; }
done
if ! command -v wrk >/dev/null; then
  echo "installing wrk from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if ! pg_isready -q -d "$PG_URL/postgres" && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi
cargo build --release -q

work=$(mktemp -d)
kabinet= postgraphile= holder=
stop_servers() {
  for pid in $kabinet $postgraphile; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  kabinet= postgraphile=
}
cleanup() {
  [ -n "$holder" ] && { kill "$holder" 2>/dev/null || true; }
  stop_servers
  psql "$PG_URL/postgres" -qc "ALTER DATABASE $DB RESET log_statement" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "kabinet $(git describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GiB," \
  "$(psql "$PG_URL/postgres" -Atc 'SHOW server_version'), $(TZ=Europe/Moscow date '+%F %H:%M') Moscow"

# --- 1. PostGraphile ----------------------------------------------------------
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent \
  postgraphile@4.14.1 postgraphile-plugin-connection-filter@2.3.0 ws@8.23.1 >/dev/null)
echo "PostGraphile $(node -p "require('$work/node_modules/postgraphile/package.json').version"), Node.js $(node --version)"

# --- 2. The database ----------------------------------------------------------
PGOPTIONS="-c client_min_messages=warning" psql "$PG_URL/postgres" -q -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null

export KABINET_DATABASE_URL=$URL KABINET_LISTEN=127.0.0.1:$KPORT RUST_LOG=warn
# Logins claim another X-Forwarded-For each (bench/login.lua), so the
# per-address sign-in limit measures nothing; and the cost budget is set out of
# reach (it is still metered: one statement a request, as in production).
export KABINET_TRUST_FORWARDED_FOR=1 KABINET_COST_BUDGET_PER_MINUTE=1000000000000
# The frontend's operations (operations/) are known by hash, as the apps send them.
export KABINET_PERSISTED_QUERIES_DIR=$PWD/operations

wait_for() { # URL PID WHAT
  for _ in $(seq 1 1200); do
    curl -s -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited during start-up" >&2; exit 1; }
    sleep 0.1
  done
  echo "$3 did not start in 120 s" >&2
  exit 1
}
start_kabinet() { # extra environment as NAME=VALUE words
  env "$@" "$BIN" &
  kabinet=$!
  wait_for "http://127.0.0.1:$KPORT/readyz" "$kabinet" kabinet
}
start_postgraphile() {
  NODE_ENV=production "$work/node_modules/.bin/postgraphile" -c "$URL" -s public -n 127.0.0.1 -p "$GPORT" \
    --disable-query-log --append-plugins postgraphile-plugin-connection-filter >"$work/postgraphile.log" 2>&1 &
  postgraphile=$!
  wait_for "http://127.0.0.1:$GPORT/graphql" "$postgraphile" postgraphile
}

rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
start_kabinet   # the demo data, on an empty database
stop_servers
# Memory with the demo's own guide (7 days, 33 000 programmes): a fresh
# process, then the first guide request, which loads the guide and its index.
start_kabinet
rss_demo_start=$(rss "$kabinet")
curl -s -o /dev/null -H 'Content-Type: application/json' --data-binary '{"query":"{ onAir(slots: 1) { startsAt } }"}' \
  "http://127.0.0.1:$KPORT/graphql"
sleep 1
rss_demo_guide=$(rss "$kabinet")
stop_servers
"$BIN" demo-epg --days 14 >"$work/guide.xml"
"$BIN" import-epg "$work/guide.xml"
seed_start=$(date +%s)
psql "$URL" -q -v accounts="$ACCOUNTS" -f bench/compare/seed.sql
psql "$URL" -Atc "COPY (SELECT encode(sha256(('bench-token-' || g)::bytea), 'hex') FROM generate_series(1, $ACCOUNTS) g) TO STDOUT" >"$work/hashes"
echo "seeded in $(( $(date +%s) - seed_start )) s: $(psql "$URL" -Atc "SELECT count(*) || ' accounts, ' || (SELECT count(*) FROM ledger_entry) || ' ledger entries, ' || (SELECT count(*) FROM tv_programme) || ' programmes on ' || (SELECT count(*) FROM tv_channel) || ' channels, ' || pg_size_pretty(pg_database_size('$DB'))  FROM account")"

# Seeded rows were inserted in order: account, session id = n + offset.
account_offset=$(psql "$URL" -Atc "SELECT min(id) - 1 FROM account WHERE contract_number LIKE 'BENCH-%'")
session_offset=$(psql "$URL" -Atc "SELECT min(s.id) - 1 FROM login_session s WHERE s.user_agent = 'bench'")
captured_hash=$(sed -n "${CAPTURED}p" "$work/hashes")

# --- The scenarios: each side's nearest equivalent ----------------------------
gql() {
  local variables=${2:-}
  [ -n "$variables" ] || variables='{}'
  jq -cn --arg q "$1" --argjson v "$variables" '{query: $q, variables: $v}'
}
today=$(TZ=Europe/Moscow date +%F)
from="${today}T00:00:00+03:00"
to="$(TZ=Europe/Moscow date -d "$today + 1 day" +%F)T00:00:00+03:00"
now=$(date -u +%FT%TZ)

declare -A K G AUTH_K AUTH_G
# The home screen: account, balance, bonus, promised payment, tariff and services.
K[dashboard]=$(gql '{ me { number holderName status
  summary { balance { amount } bonusPoints daysUntilBlock status promisedPayment { credit { amount } state } }
  tariff { id name speedMbps monthlyFee { amount } }
  subscriptions { id name kind monthlyFee { amount } promoUntil } } }')
G[dashboard]=$(gql 'query ($h: String!) { loginSessionByTokenHash(tokenHash: $h) { expiresAt revokedAt
  credentialByCredentialId { accountByAccountId { number holderName status balance
    bonusAccountByAccountId { points }
    promisedPaymentsByAccountId(condition: {status: "active"}) { nodes { credit status expiresAt } }
    subscriptionsByAccountId(filter: {endsOn: {isNull: true}}, orderBy: ID_ASC) { nodes { id monthlyFee promoFee promoUntil
      catalogItemByCatalogItemId { id code role name kind speedMbps } } } } } } }' '{"h":"__HASH__"}')
# The first page of the ledger (48 entries an account), newest first, with the count.
K[transactions]=$(gql '{ me { transactions(first: 20) { totalCount nodes { id kind amount { amount } occurredAt description } } } }')
G[transactions]=$(gql 'query ($h: String!) { loginSessionByTokenHash(tokenHash: $h) { expiresAt revokedAt
  credentialByCredentialId { accountByAccountId { ledgerEntriesByAccountId(first: 20, orderBy: [OCCURRED_AT_DESC, ID_DESC]) {
    totalCount nodes { id kind amount occurredAt description } } } } } }' '{"h":"__HASH__"}')
# The TV grid: today 00:00 to tomorrow 00:00 Moscow, every channel (public).
K[grid]=$(gql 'query ($from: DateTime!, $to: DateTime!) { tvSchedule(from: $from, to: $to) { channel { id name } programmes { id title startsAt endsAt category } } }' \
  "{\"from\":\"$from\",\"to\":\"$to\"}")
G[grid]=$(gql 'query ($from: Datetime!, $to: Datetime!) { allTvChannels(orderBy: NUMBER_ASC) { nodes { id name
  tvProgrammesByChannelId(filter: {startsAt: {lessThan: $to}, endsAt: {greaterThan: $from}}, orderBy: STARTS_AT_ASC) {
    nodes { id title startsAt endsAt category } } } } }' "{\"from\":\"$from\",\"to\":\"$to\"}")
# Search by title from now on, first 20 of the count (PostGraphile: ILIKE; Kabinet: its word index).
K[search]=$(gql '{ searchProgrammes(filter: {title: "новость"}, first: 20) { totalCount nodes { id title startsAt channel { name } } } }')
G[search]=$(gql 'query ($now: Datetime!) { allTvProgrammes(filter: {title: {includesInsensitive: "новость"}, endsAt: {greaterThan: $now}}, first: 20, orderBy: STARTS_AT_ASC) {
  totalCount nodes { id title startsAt tvChannelByChannelId { name } } } }' "{\"now\":\"$now\"}")
# Sign-in (argon2id): Kabinet only; PostGraphile has none without writing one.
K[login]=$(gql 'mutation { login(input: {login: "demo", password: "demo12345"}) { token } }')
G[login]=
# The apps' own operations (operations/*.graphql), sent by hash alone as the
# mobile app does (Kabinet only: they ask more than the screens above, e.g.
# the dashboard also its turbo, suspension, scheduled changes, unread count
# and service notices).
by_hash() { # FILE [VARIABLES_JSON]
  local variables=${2:-}
  [ -n "$variables" ] || variables='{}'
  jq -cn --arg h "$(sha256sum "operations/$1.graphql" | cut -d' ' -f1)" --argjson v "$variables" \
    '{extensions: {persistedQuery: {version: 1, sha256Hash: $h}}, variables: $v}'
}
K[app-dashboard]=$(by_hash Dashboard)
K[app-transactions]=$(by_hash Transactions)
# The app's grid shows an evening (6 hours) of all channels: a whole day of
# its richer programme fields is past the complexity limit, as it should be.
K[app-tvgrid]=$(by_hash TvGrid "{\"from\":\"${today}T18:00:00+03:00\",\"to\":\"$to\"}")
K[app-search]=$(by_hash SearchProgrammes '{"filter":{"title":"новость"}}')
for app in app-dashboard app-transactions app-tvgrid app-search; do G[$app]=; done
AUTH_K=([dashboard]=bearer [transactions]=bearer [grid]=none [search]=none [login]=login
  [app-dashboard]=bearer [app-transactions]=bearer [app-tvgrid]=none [app-search]=none)
AUTH_G=([dashboard]=hash [transactions]=hash [grid]=none [search]=none [login]=none)

# post PORT BODY [TOKEN]: one request; fails loudly on an HTTP error or "errors".
post() {
  local out="$work/response.json" status body=${2//__HASH__/$captured_hash}
  local auth=()
  [ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
  status=$(curl -s -o "$out" -w '%{http_code}' -H 'Content-Type: application/json' "${auth[@]}" \
    --data-binary "$body" "http://127.0.0.1:$1/graphql")
  if [ "$status" != 200 ] || grep -q '"errors"' "$out"; then
    echo "port $1: HTTP $status: $(head -c 1500 "$out")" >&2
    exit 1
  fi
}
mark() { psql "$URL" -qAtc "SELECT '$1'" >/dev/null; }

# --- 3. Capture the statements ------------------------------------------------
LOG=$(pg_lsclusters -h 2>/dev/null | awk -v port="$(psql "$PG_URL/postgres" -Atc 'SHOW port')" '$3 == port {print $7}')
psql "$PG_URL/postgres" -qc "ALTER DATABASE $DB SET log_statement = 'all'"
start_kabinet KABINET_WORKER_POLL_MS=3600000
start_postgraphile
sleep 2   # the workers' first round, before anything is captured
declare -A STATEMENTS
for scenario in $SCENARIOS; do
  [ "$scenario" = login ] && continue
  for side in K G; do
    if [ $side = K ]; then port=$KPORT body=${K[$scenario]}; else port=$GPORT body=${G[$scenario]}; fi
    [ -n "$body" ] || continue
    token=; [ $side = K ] && [ "${AUTH_K[$scenario]}" = bearer ] && token=bench-token-$CAPTURED
    post "$port" "$body" $token   # warm: prepared statements, the guide
    if [ -z "$LOG" ] || [ ! -r "$LOG" ]; then continue; fi
    first=$(( $(wc -l <"$LOG") + 1 ))
    mark kabinet-bench-mark-start
    post "$port" "$body" $token
    sleep 0.3
    mark kabinet-bench-mark-end
    sleep 0.3
    python3 bench/compare/replay.py "$LOG" "$first" "$DB" \
      "'$captured_hash'=>encode(sha256(('bench-token-' || :n)::bytea), 'hex')" \
      "'$(( CAPTURED + account_offset ))'=>:aid" \
      "'session:$(( CAPTURED + session_offset ))'=>'session:' || :sid" \
      >"$work/$side-$scenario.sql" 2>"$work/count"
    STATEMENTS[$side-$scenario]=$(cut -d' ' -f1 "$work/count")
    { echo "\\set n random(1, $ACCOUNTS)"
      echo "\\set aid :n + $account_offset"
      echo "\\set sid :n + $session_offset"
      cat "$work/$side-$scenario.sql"; } >"$work/$side-$scenario.pgbench"
  done
done
stop_servers
psql "$PG_URL/postgres" -qc "ALTER DATABASE $DB RESET log_statement"
if [ -z "$LOG" ] || [ ! -r "$LOG" ]; then echo "PostgreSQL's log is not readable here: no pgbench ceiling"; fi

# --- 4. Load ------------------------------------------------------------------
start_kabinet
rss_start=$(rss "$kabinet")
start_postgraphile
post "$KPORT" "${K[grid]}"
rss_guide=$(rss "$kabinet")
statements_sent() {
  curl -s "http://127.0.0.1:$KPORT/metrics" |
    awk '/^kabinet_db_statements_total\{.*origin="request"/ {s += $2} END {print s + 0}'
}

# wrk_run PORT BODY AUTH CONNECTIONS: prints "rps p50 p99 requests".
wrk_run() {
  local threads=$(( $4 < 2 ? $4 : 2 )) script=bench/compare/per_account.lua
  [ "$3" = login ] && script=bench/login.lua
  BODY=$2 AUTH=$3 ACCOUNTS=$ACCOUNTS HASHES="$work/hashes" \
    wrk -t"$threads" -c"$4" -d"$DURATION" -s "$script" "http://127.0.0.1:$1/graphql" |
    awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
                     print r["rps"], r["p50_ms"], r["p99_ms"], r["requests"] }'
}
# pgbench_run SCRIPT CONNECTIONS: prints "tps avg_latency_ms".
pgbench_run() {
  local threads=$(( $2 < 2 ? $2 : 2 ))
  pgbench -n -M simple -f "$1" -c "$2" -j "$threads" -T "${DURATION%s}" "$URL" 2>/dev/null |
    awk '/^latency average/ {l = $4} /^tps/ {t = $3} END {printf "%.0f %.2f\n", t, l}'
}

printf '\n%-13s %4s | %-26s | %-26s | %-16s | %-16s | %s\n' scenario conn \
  "Kabinet rps p50 p99 (stmt)" "PostGraphile rps p50 p99" "K SQL floor tps" "PG SQL floor tps" "K/PG  K/floor"
for scenario in $SCENARIOS; do
  for c in $CONNECTIONS; do
    before=$(statements_sent)
    read -r krps kp50 kp99 kreq < <(wrk_run "$KPORT" "${K[$scenario]}" "${AUTH_K[$scenario]}" "$c")
    after=$(statements_sent)
    kstmt=$(awk -v a="$after" -v b="$before" -v n="$kreq" 'BEGIN {printf "%.1f", n ? (a - b) / n : 0}')
    grps=- gp50=- gp99=- gfloor=- kfloor=- ratio=- fratio=-
    if [ -n "${G[$scenario]}" ]; then
      read -r grps gp50 gp99 _ < <(wrk_run "$GPORT" "${G[$scenario]}" "${AUTH_G[$scenario]}" "$c")
      ratio=$(awk -v k="$krps" -v g="$grps" 'BEGIN {printf "%.2f", g ? k / g : 0}')
    fi
    if [ -f "$work/K-$scenario.pgbench" ]; then
      read -r kfloor _ < <(pgbench_run "$work/K-$scenario.pgbench" "$c")
      fratio=$(awk -v k="$krps" -v f="$kfloor" 'BEGIN {printf "%.2f", f ? k / f : 0}')
    fi
    [ -f "$work/G-$scenario.pgbench" ] && read -r gfloor _ < <(pgbench_run "$work/G-$scenario.pgbench" "$c")
    printf '%-13s %4s | %6s %6s %7s (%4s) | %6s %6s %7s         | %6s (%2s stmt)   | %6s (%2s stmt)   | %s  %s\n' \
      "$scenario" "$c" "$krps" "$kp50" "$kp99" "$kstmt" "$grps" "$gp50" "$gp99" \
      "$kfloor" "${STATEMENTS[K-$scenario]:--}" "$gfloor" "${STATEMENTS[G-$scenario]:--}" "$ratio" "$fratio"
  done
done
echo "(rps: requests a second; p50, p99 in ms; stmt: statements sent per request, Kabinet's counted by its /metrics over the run, the floors' as captured)"

# --- 5. Memory ----------------------------------------------------------------
rss_loaded=$(rss "$kabinet")
# WebSockets in a fresh process, so what the load left behind (or gave back)
# does not blur the difference: the guide loaded, then settled, then sockets.
kill "$kabinet"; wait "$kabinet" 2>/dev/null || true
start_kabinet
post "$KPORT" "${K[grid]}"
sleep 3
rss_before_ws=$(rss "$kabinet")
fifo="$work/holder"
mkfifo "$fifo"
NODE_PATH="$work/node_modules" node bench/compare/websockets.js "ws://127.0.0.1:$KPORT/graphql" "$WEBSOCKETS" <"$fifo" >"$work/holder.out" &
holder=$!
exec 9>"$fifo"   # holds the holder's stdin open until we close it
for _ in $(seq 1 600); do grep -q '^open' "$work/holder.out" 2>/dev/null && break; kill -0 "$holder" 2>/dev/null || break; sleep 0.1; done
open=$(grep -o '^open [0-9]*' "$work/holder.out" | cut -d' ' -f2 || true)
rss_ws=$(rss "$kabinet")
exec 9>&-
wait "$holder" 2>/dev/null || true
holder=
echo
echo "Kabinet resident memory with the demo guide (7 days): ${rss_demo_start} MiB at start, ${rss_demo_guide} MiB idle with the guide loaded"
echo "Kabinet resident memory: ${rss_start} MiB at start, ${rss_guide} MiB with the guide loaded (220 channels x 14 days and its search index)," \
  "${rss_loaded} MiB after the load;" \
  "a fresh process with the guide: ${rss_before_ws} MiB, ${rss_ws} MiB with ${open:-0} WebSocket subscribers on accountEvents" \
  "($(awk -v a="$rss_ws" -v b="$rss_before_ws" -v n="${open:-0}" 'BEGIN {printf "%.0f", n ? (a - b) * 1024 / n : 0}') KiB each)"
echo "PostGraphile resident memory after the load: $(rss "$postgraphile") MiB"
