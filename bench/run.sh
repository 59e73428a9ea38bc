#!/usr/bin/env bash
# Load benchmark of a release build on this machine, against loopback only.
#   bench/run.sh                  # SQLite (a fresh demo database)
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kabinet_bench bench/run.sh
# Settings: DURATION (default 10s), CONNECTIONS (default 16), THREADS (default 2).
# Prints one RESULT line per scenario; record the figures in bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}

if ! command -v wrk >/dev/null; then
  echo "installing wrk from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -q

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
export KABINET_DATABASE_URL=${BENCH_DATABASE_URL:-"sqlite://$work/bench.db?mode=rwc"}
export KABINET_LISTEN=127.0.0.1:$PORT RUST_LOG=warn KABINET_TRUST_FORWARDED_FOR=1
target/release/kabinet &
server=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done

echo "kabinet $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, ${KABINET_DATABASE_URL%%:*}, $CONNECTIONS connections, $DURATION"
run() {
  local name=$1 body=$2 script=${3:-bench/graphql.lua} connections=${4:-$CONNECTIONS}
  local threads=$(( connections < THREADS ? connections : THREADS ))
  printf '%-22s ' "$name"
  BODY=$body wrk -t"$threads" -c"$connections" -d"$DURATION" -s "$script" \
    "http://127.0.0.1:$PORT/graphql" | grep '^RESULT' | sed 's/^RESULT //'
}
run typename '{"query":"{ __typename }"}'
run supportContacts '{"query":"{ supportContacts { phone email hours } }"}'
run serviceNotices '{"query":"{ serviceNotices(includeEnded: true, first: 20) { totalCount nodes { id title startsAt } } }"}'
run nodes '{"query":"query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on ServiceNotice { title } } }","variables":{"ids":["U2VydmljZU5vdGljZTox","U2VydmljZU5vdGljZToy","U2VydmljZU5vdGljZToz"]}}'
# Sign-in is argon2id-bound: one connection shows the latency of one login,
# 16 show the throughput with KABINET_PASSWORD_HASH_CONCURRENCY hashes at once.
run login-1-connection '' bench/login.lua 1
run login '' bench/login.lua
# Public queries while logins saturate the hashers: bounded hashing keeps them fast.
BODY='{"query":"mutation { login(input: {login: \\"demo\\", password: \\"demo12345\\"}) { token } }"}' \
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s bench/login.lua "http://127.0.0.1:$PORT/graphql" >/dev/null &
flood=$!
sleep 1
run supportContacts-during-login-flood '{"query":"{ supportContacts { phone } }"}' bench/graphql.lua 4
wait "$flood"
