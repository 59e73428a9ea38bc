-- Seeds :accounts subscribers into a demo database (catalog and guide already
-- there) for bench/compare.sh: each with the demo's password (demo12345), a
-- tariff and two services from the demo catalog, a year of ledger (a monthly
-- payment and a monthly charge per item: 48 entries), a live session whose
-- token is `bench-token-<n>` (stored hashed, as the gateway stores tokens) and
-- bonus points for every other one. Set-based: a few statements, about a
-- minute for 100 000 accounts.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE bench_item AS
  SELECT id, role, monthly_fee, row_number() OVER (PARTITION BY role ORDER BY id) AS k,
         count(*) OVER (PARTITION BY role) AS of
  FROM catalog_item WHERE active AND role IN ('tariff', 'service') AND monthly_fee > 0;

INSERT INTO account (number, contract_number, contract_date, holder_name, phone, address, status, created_at, balance)
  SELECT '7' || lpad(g::text, 11, '0'), 'BENCH-' || g, DATE '2025-12-01', 'Абонент ' || g,
         '+7998' || lpad(g::text, 7, '0'), 'г. Москва, ул. Тестовая, д. ' || (g % 200 + 1),
         'active', TIMESTAMPTZ '2025-12-01 00:00:00+03', 0
  FROM generate_series(1, :accounts) g;
CREATE TEMP TABLE bench_account AS
  SELECT id, substr(number, 2)::int AS g FROM account WHERE number LIKE '7%' AND contract_number LIKE 'BENCH-%';

INSERT INTO credential (login, password_hash, role, account_id, created_at, password_changed_at)
  SELECT 'bench' || a.g, c.password_hash, 'subscriber', a.id, now(), now()
  FROM bench_account a, (SELECT password_hash FROM credential WHERE login = 'demo') c;

-- One tariff and two services each, spread over the catalog.
INSERT INTO subscription (account_id, catalog_item_id, monthly_fee, starts_on, created_at)
  SELECT a.id, i.id, i.monthly_fee, DATE '2025-12-01', TIMESTAMPTZ '2025-12-01 00:00:00+03'
  FROM bench_account a JOIN bench_item i
    ON (i.role = 'tariff' AND i.k = a.g % i.of + 1)
    OR (i.role = 'service' AND (i.k = a.g % i.of + 1 OR i.k = (a.g + 3) % i.of + 1));

-- A year of ledger: a payment on the 1st of each month, then each item's month.
INSERT INTO ledger_entry (account_id, kind, amount, occurred_at, moscow_day, description)
  SELECT a.id, 'payment', 200000, m + INTERVAL '10 hours', m::date, 'Оплата картой'
  FROM bench_account a, generate_series(TIMESTAMPTZ '2025-12-01 00:00:00+03', TIMESTAMPTZ '2026-11-01 00:00:00+03', INTERVAL '1 month') m;
INSERT INTO ledger_entry (account_id, kind, amount, occurred_at, moscow_day, description, subscription_id, charge_day)
  SELECT s.account_id, 'charge', -s.monthly_fee, m + INTERVAL '1 hour', m::date, 'Абонентская плата', s.id, m::date
  FROM subscription s JOIN bench_account a ON a.id = s.account_id,
       generate_series(TIMESTAMPTZ '2025-12-01 00:00:00+03', TIMESTAMPTZ '2026-11-01 00:00:00+03', INTERVAL '1 month') m;
UPDATE account SET balance = l.total
  FROM (SELECT account_id, sum(amount) AS total FROM ledger_entry
        WHERE account_id IN (SELECT id FROM bench_account) GROUP BY account_id) l
  WHERE account.id = l.account_id;

INSERT INTO login_session (token_hash, credential_id, user_agent, ip_address, created_at, last_seen_at, expires_at)
  SELECT encode(sha256(('bench-token-' || a.g)::bytea), 'hex'), c.id, 'bench', '127.0.0.1',
         now(), now() + INTERVAL '1 day', now() + INTERVAL '30 days'
  FROM bench_account a JOIN credential c ON c.account_id = a.id;

INSERT INTO bonus_account (account_id, points, referral_code, enrolled_at)
  SELECT id, 100 + g % 900, 'BENCH' || g, now() FROM bench_account WHERE g % 2 = 0;
COMMIT;
ANALYZE;
