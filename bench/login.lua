-- wrk script: signs in as a demo subscriber. Each request claims a different
-- X-Forwarded-For (header text only; the server must run with
-- KABINET_TRUST_FORWARDED_FOR=1) so the per-address limit measures nothing here.
wrk.method = "POST"
wrk.body = '{"query":"mutation { login(input: {login: \\"demo\\", password: \\"demo12345\\"}) { token } }"}'
wrk.headers["Content-Type"] = "application/json"

local n = 0
request = function()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = string.format("198.18.%d.%d", (n / 250) % 250, n % 250)
  return wrk.format()
end

dofile("bench/report.lua")
