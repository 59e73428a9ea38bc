#!/usr/bin/env bash
# Payment confirmations through the webhook, on PostgreSQL, side by side with
# the database floor: N sandbox payments the payer has paid (written by SQL:
# creating them is not what is measured), each notification delivered twice,
# 32 at a time (bench/load, keep-alive connections), against the release
# build; then pgbench replays the same
# statements one confirmation sends (bench/payments.pgbench) with the same
# concurrency. Afterwards every balance must equal its ledger and no payment
# may be credited twice.
#   bench/payments.sh                  # 10 000 payments
#   PAYMENTS=2000 bench/payments.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PAYMENTS=${PAYMENTS:-10000}
ACCOUNTS=${ACCOUNTS:-1000}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-18090}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}

cargo build --release -q -p kabinet -p kabinet-load
BIN=${CARGO_TARGET_DIR:-target}/release/kabinet
LOAD=${CARGO_TARGET_DIR:-target}/release/kabinet-load
work=$(mktemp -d)
db=kabinet_bench_payments
url="${PG_URL%/*}/$db"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
KABINET_DATABASE_URL=$url RUST_LOG=warn "$BIN" migrate

seed() {
psql "$url" -q -v ON_ERROR_STOP=1 <<SQL
TRUNCATE payment, sandbox_payment, ledger_entry CASCADE;
DELETE FROM account;
INSERT INTO account (number, contract_number, contract_date, holder_name, phone, address, status, created_at, balance)
  SELECT '8' || lpad(g::text, 11, '0'), 'P-' || g, DATE '2026-01-01', 'Абонент ' || g, '+7998' || lpad(g::text, 7, '0'),
         'г. Москва', 'active', now(), 0
  FROM generate_series(1, $ACCOUNTS) g;
INSERT INTO sandbox_payment (id, amount, description, return_url, reference, save_payment_method, status, created_at, expires_at, idempotence_key)
  SELECT 'bench-' || g, 10000 + g, 'bench', 'https://shop.example/', 'key-' || g, false, 'succeeded', now(), now() + interval '1 hour', 'key-' || g
  FROM generate_series(1, $PAYMENTS) g;
INSERT INTO payment (account_id, amount, commission, method, status, provider, provider_key, provider_payment_id,
                     confirmation_url, return_url, save_card, anonymous, idempotency_key, request_hash, created_at, expires_at)
  SELECT (SELECT min(id) FROM account) + (g % $ACCOUNTS), 10000 + g, 0, 'bank_card', 'pending', 'sandbox', 'key-' || g, 'bench-' || g,
         NULL, 'https://shop.example/', false, false, NULL, 'bench', now(), now() + interval '1 hour'
  FROM generate_series(1, $PAYMENTS) g;
ANALYZE;
SQL
}
seed
seq -f 'bench-%g' 1 "$PAYMENTS" > "$work/ids"

KABINET_DATABASE_URL=$url KABINET_DEMO=0 KABINET_LISTEN=127.0.0.1:$PORT RUST_LOG=warn \
  KABINET_DB_MAX_CONNECTIONS=${DB_CONNECTIONS:-16} "$BIN" &
server=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done

echo "kabinet $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, PostgreSQL $(psql "$PG_URL" -Atc 'SHOW server_version'), $PAYMENTS payments x 2 deliveries, $CONNECTIONS connections"
printf '%-34s ' "gateway: webhook deliveries"
IDS_FILE=$work/ids CONNECTIONS=$CONNECTIONS REPEAT=2 "$LOAD" "http://127.0.0.1:$PORT/webhooks/payments/sandbox" \
  '{"type":"notification","event":"payment.succeeded","object":{"id":"{id}"}}' | sed 's/^RESULT //'
psql "$url" -Atc "SELECT 'credited ' || count(*) || ' of $PAYMENTS' FROM payment WHERE status = 'succeeded'"
psql "$url" -Atc "SELECT 'payments credited twice: ' || count(*) FROM (SELECT l.account_id FROM payment p
    JOIN ledger_entry l ON l.id = p.ledger_entry_id GROUP BY p.id, l.account_id HAVING count(*) > 1) t"
psql "$url" -Atc "SELECT 'payment entries: ' || (SELECT count(*) FROM ledger_entry WHERE kind = 'payment')
  || ', accounts whose balance differs from the ledger: ' || (SELECT count(*) FROM account a
     WHERE balance <> (SELECT COALESCE(SUM(amount), 0) FROM ledger_entry l WHERE l.account_id = a.id))"
kill "$server"; wait "$server" 2>/dev/null || true

# The floor: the same statements straight from pgbench, same concurrency, the
# same deliveries (each id twice: all once, then all again).
seed
printf '%-34s ' "pgbench: the same statements"
pgbench -n -c "$CONNECTIONS" -j "$THREADS" -t $(( PAYMENTS * 2 / CONNECTIONS )) \
  -D payments="$PAYMENTS" -D clients="$CONNECTIONS" -D k=0 \
  -f bench/payments.pgbench "$url" 2>/dev/null | awk '/^tps/ { printf "deliveries/s=%.0f\n", $3 }'
psql "$url" -Atc "SELECT 'pgbench credited ' || count(*) || ' of $PAYMENTS' FROM payment WHERE status = 'succeeded'"
