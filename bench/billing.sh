#!/usr/bin/env bash
# Times one billing day for many accounts (three charged items each) with the
# release build, on PostgreSQL and on SQLite, and a repeat of the same day
# (which must charge nothing).
#   bench/billing.sh                      # 100 000 accounts
#   ACCOUNTS=10000 bench/billing.sh
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres bench/billing.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ACCOUNTS=${ACCOUNTS:-100000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DAY=2026-11-26
cargo build --release -q
BIN=target/release/kabinet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_day() {
  local url=$1 label=$2
  local start end
  start=$(date +%s.%N)
  KABINET_DATABASE_URL=$url RUST_LOG=warn "$BIN" billing-run --date "$DAY"
  end=$(date +%s.%N)
  printf '%-34s %6.2f s\n' "$label" "$(echo "$end - $start" | bc)"
}

echo "kabinet $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, $ACCOUNTS accounts x 3 items"

# PostgreSQL
db=kabinet_bench_billing
psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
url="${PG_URL%/*}/$db"
KABINET_DATABASE_URL=$url RUST_LOG=warn "$BIN" migrate
psql "$url" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO catalog_item (code, role, kind, name, description, monthly_fee, sort_order, active) VALUES
  ('b-internet', 'tariff', 'internet', 'Интернет 500', '', 85000, 1, true),
  ('b-kino', 'service', 'tv_package', 'Кино и сериалы', '', 29900, 2, true),
  ('b-router', 'service', 'equipment', 'Wi-Fi роутер', '', 15000, 3, true);
INSERT INTO account (number, contract_number, contract_date, holder_name, phone, address, status, created_at, balance)
  SELECT '9' || lpad(g::text, 11, '0'), 'B-' || g, DATE '2026-01-01', 'Абонент ' || g, '+7999' || lpad(g::text, 7, '0'),
         'г. Москва', 'active', now(), CASE WHEN g % 10 = 0 THEN 1000 ELSE 500000 END
  FROM generate_series(1, $ACCOUNTS) g;
INSERT INTO ledger_entry (account_id, kind, amount, occurred_at, moscow_day, description)
  SELECT id, 'payment', balance, now(), DATE '2026-11-01', 'Оплата' FROM account;
INSERT INTO subscription (account_id, catalog_item_id, monthly_fee, starts_on, created_at)
  SELECT a.id, c.id, c.monthly_fee, DATE '2026-01-01', now() FROM account a CROSS JOIN catalog_item c;
ANALYZE;
SQL
run_day "$url" "PostgreSQL: one day"
run_day "$url" "PostgreSQL: the same day again"
psql "$url" -Atc "SELECT 'PostgreSQL: charges ' || (SELECT count(*) FROM ledger_entry WHERE kind = 'charge')
  || ', blocked ' || (SELECT count(*) FROM account WHERE status = 'blocked')
  || ', accounts whose balance differs from the ledger: ' || (SELECT count(*) FROM account a
       WHERE balance <> (SELECT COALESCE(SUM(amount), 0) FROM ledger_entry l WHERE l.account_id = a.id))"
psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null

# SQLite
file="$work/bench.db"
url="sqlite://$file?mode=rwc"
KABINET_DATABASE_URL=$url RUST_LOG=warn "$BIN" migrate
python3 - "$file" "$ACCOUNTS" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
db.executescript(f"""
INSERT INTO catalog_item (code, role, kind, name, description, monthly_fee, sort_order, active) VALUES
  ('b-internet', 'tariff', 'internet', 'Интернет 500', '', 85000, 1, 1),
  ('b-kino', 'service', 'tv_package', 'Кино и сериалы', '', 29900, 2, 1),
  ('b-router', 'service', 'equipment', 'Wi-Fi роутер', '', 15000, 3, 1);
WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {n})
INSERT INTO account (number, contract_number, contract_date, holder_name, phone, address, status, created_at, balance)
  SELECT printf('9%011d', x), 'B-' || x, '2026-01-01', 'Абонент ' || x, '+7999' || printf('%07d', x),
         'г. Москва', 'active', '2026-11-01T00:00:00+00:00', CASE WHEN x % 10 = 0 THEN 1000 ELSE 500000 END FROM g;
INSERT INTO ledger_entry (account_id, kind, amount, occurred_at, moscow_day, description)
  SELECT id, 'payment', balance, '2026-11-01T00:00:00+00:00', '2026-11-01', 'Оплата' FROM account;
INSERT INTO subscription (account_id, catalog_item_id, monthly_fee, starts_on, created_at)
  SELECT a.id, c.id, c.monthly_fee, '2026-01-01', '2026-11-01T00:00:00+00:00' FROM account a CROSS JOIN catalog_item c;
ANALYZE;
""")
db.commit()
PY
run_day "$url" "SQLite: one day"
run_day "$url" "SQLite: the same day again"
python3 - "$file" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
charges = db.execute("SELECT count(*) FROM ledger_entry WHERE kind = 'charge'").fetchone()[0]
blocked = db.execute("SELECT count(*) FROM account WHERE status = 'blocked'").fetchone()[0]
mismatch = db.execute("SELECT count(*) FROM account a WHERE balance <> (SELECT COALESCE(SUM(amount), 0) FROM ledger_entry l WHERE l.account_id = a.id)").fetchone()[0]
print(f"SQLite: charges {charges}, blocked {blocked}, accounts whose balance differs from the ledger: {mismatch}")
PY
