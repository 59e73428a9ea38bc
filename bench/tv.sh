#!/usr/bin/env bash
# TV guide benchmark of a release build on this machine, against loopback only.
#   bench/tv.sh                   # SQLite (fresh files in a temporary directory)
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kabinet_bench_tv bench/tv.sh
# With PostgreSQL the database named in BENCH_DATABASE_URL is DROPPED and
# re-created (twice: once for the import, once for the server), so the script
# only accepts names starting with `kabinet_bench`; the `postgres` database of
# the same server is used to drop and create it.
# Settings: DURATION (default 10s), CONNECTIONS (default 16), THREADS (default 2).
#
# 1. Import: `kabinet import-epg` of the demo week (`kabinet demo-epg`) into a
#    migrated database with an empty guide, then the same file again (it
#    replaces the range it covers). Prints the wall time of each (process start,
#    connect and migrations check included).
# 2. Queries: a fresh demo database served by `kabinet`, each scenario driven by
#    wrk with 1 connection (latency) and CONNECTIONS connections (throughput).
#    The grid is today 00:00 to tomorrow 00:00 Moscow time, all channels;
#    `TvChannel.programmes(date:)` takes a `Date`, so it gets today's Moscow date.
#    Each query is checked once with curl first: the script stops on "errors".
# It builds and measures the working tree (the header says `-dirty` when it has
# uncommitted changes); to measure a commit, run it in an export of that commit
# (`git archive`), with BENCH_COMMIT=<hash> to label it.
# Prints one line per scenario; record the figures in bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-18081}
BIN=target/release/kabinet

if ! command -v wrk >/dev/null; then
  echo "installing wrk from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -q

work=$(mktemp -d)
server=
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

# fresh_db NAME: prints the URL of an empty database (SQLite file NAME, or the
# PostgreSQL database of BENCH_DATABASE_URL dropped and created anew).
fresh_db() {
  if [ -z "${BENCH_DATABASE_URL:-}" ]; then
    echo "sqlite://$work/$1.db?mode=rwc"
    return
  fi
  local url=${BENCH_DATABASE_URL%%\?*}
  local db=${url##*/}
  case $db in
    kabinet_bench*) ;;
    *) echo "BENCH_DATABASE_URL must name a database kabinet_bench…, it is dropped: $db" >&2; exit 1 ;;
  esac
  PGOPTIONS="-c client_min_messages=warning" psql "${url%/*}/postgres" -q -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  echo "$BENCH_DATABASE_URL"
}

backend=sqlite
[ -n "${BENCH_DATABASE_URL:-}" ] && backend=postgres
echo "kabinet $(git describe --always --dirty 2>/dev/null || echo "${BENCH_COMMIT:-?}"), $(nproc) cores, $backend, $(TZ=Europe/Moscow date '+%F %H:%M') Moscow"

# --- 1. Import ---------------------------------------------------------------
"$BIN" demo-epg > "$work/week.xml"
echo "demo week: $(( $(stat -c %s "$work/week.xml") / 1024 )) KiB, $(grep -o '<programme ' "$work/week.xml" | wc -l) programmes, $(grep -o '<channel ' "$work/week.xml" | wc -l) channels"
import_url=$(fresh_db import)
KABINET_DATABASE_URL=$import_url RUST_LOG=warn "$BIN" migrate
import() {
  local label=$1 start end log
  log="$work/import.log"
  start=$(date +%s.%N)
  if ! KABINET_DATABASE_URL=$import_url RUST_LOG=warn,kabinet=info KABINET_LOG_FORMAT=text \
      "$BIN" import-epg "$work/week.xml" 2>"$log"; then
    cat "$log" >&2
    echo "import-epg failed" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  printf '%-34s %6.2f s   %s\n' "$label" "$(echo "$end - $start" | bc)" \
    "$(grep -o 'channels=.*' "$log" | tail -1)"
}
import "import: empty guide"
import "import: same file again"

# --- 2. Queries --------------------------------------------------------------
export KABINET_DATABASE_URL
KABINET_DATABASE_URL=$(fresh_db serve)
export KABINET_LISTEN=127.0.0.1:$PORT RUST_LOG=warn
"$BIN" &
server=$!
ready=
for _ in $(seq 1 1200); do   # demo seeding runs before the listener: up to 120 s
  if curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; then ready=1; break; fi
  kill -0 "$server" 2>/dev/null || { echo "kabinet exited during start-up" >&2; exit 1; }
  sleep 0.1
done
[ -n "$ready" ] || { echo "kabinet not ready after 120 s" >&2; exit 1; }

today=$(TZ=Europe/Moscow date +%F)
from="${today}T00:00:00+03:00"
to="$(TZ=Europe/Moscow date -d "$today + 1 day" +%F)T00:00:00+03:00"

# gql QUERY [VARIABLES_JSON]: the POST body.
gql() {
  local variables=${2:-'{}'}
  jq -cn --arg q "$1" --argjson v "$variables" '{query: $q, variables: $v}'
}

# check NAME BODY: one request with curl, kept in $work/response.json; fails
# loudly on an HTTP error or a response with "errors".
check() {
  local name=$1 body=$2 out="$work/response.json" status
  status=$(curl -s -o "$out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "$body" "http://127.0.0.1:$PORT/graphql")
  if [ "$status" != 200 ] || grep -q '"errors"' "$out"; then
    echo "$name: HTTP $status, response:" >&2
    head -c 2000 "$out" >&2; echo >&2
    exit 1
  fi
}

run() {
  local name=$1 body=$2 connections=$3
  local threads=$(( connections < THREADS ? connections : THREADS ))
  printf '%-18s c=%-3s ' "$name" "$connections"
  BODY=$body wrk -t"$threads" -c"$connections" -d"$DURATION" -s bench/graphql.lua \
    "http://127.0.0.1:$PORT/graphql" | grep '^RESULT' | sed 's/^RESULT //'
}

scenario() {
  local name=$1 body=$2
  check "$name" "$body"
  run "$name" "$body" 1
  run "$name" "$body" "$CONNECTIONS"
}

grid=$(gql 'query ($from: DateTime!, $to: DateTime!) { tvSchedule(from: $from, to: $to) { channel { id name } programmes { id title startsAt endsAt category } } }' \
  "{\"from\":\"$from\",\"to\":\"$to\"}")
check grid "$grid"
echo "grid $from .. $to: $(jq '.data.tvSchedule | length' "$work/response.json") channels, $(jq '[.data.tvSchedule[].programmes | length] | add' "$work/response.json") programmes, $(( $(wc -c < "$work/response.json") / 1024 )) KiB"
onair=$(gql '{ onAir(slots: 2) { startsAt items { channel { name } programme { title startsAt } } } }')
check onAir "$onair"
echo "onAir: $(jq -c '[.data.onAir[].items | length]' "$work/response.json") items per slot, $(( $(wc -c < "$work/response.json") / 1024 )) KiB"

search='query ($f: ProgrammeSearchInput!) { searchProgrammes(filter: $f, first: 20) { totalCount nodes { id title startsAt channel { name } } } }'
for filter in '{"title":"новость"}' '{"person":"Рязанов"}' '{"genre":"комедия","category":"FILM"}' '{"title":"сез"}'; do
  check "search $filter" "$(gql "$search" "{\"f\":$filter}")"
  echo "search $filter: totalCount $(jq '.data.searchProgrammes.totalCount' "$work/response.json")"
done
channels=$(gql 'query ($d: Date!) { tvChannels(first: 100) { nodes { name programmes(date: $d) { title startsAt } } } }' "{\"d\":\"$today\"}")
check tvChannels "$channels"
echo "tvChannels(first: 100) today: $(jq '[.data.tvChannels.nodes[].programmes | length] | add' "$work/response.json") programmes, $(( $(wc -c < "$work/response.json") / 1024 )) KiB"

echo "wrk: $DURATION per run; load average before: $(cut -d" " -f1-3 /proc/loadavg)"
scenario grid "$grid"
scenario onAir "$onair"
scenario search-title "$(gql "$search" '{"f":{"title":"новость"}}')"
scenario search-person "$(gql "$search" '{"f":{"person":"Рязанов"}}')"
scenario search-genre-film "$(gql "$search" '{"f":{"genre":"комедия","category":"FILM"}}')"
scenario search-prefix "$(gql "$search" '{"f":{"title":"сез"}}')"
scenario tvChannels-today "$channels"
