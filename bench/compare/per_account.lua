-- wrk script for bench/compare.sh: POSTs BODY, each request as another of the
-- ACCOUNTS seeded subscribers, picked at random.
--   AUTH=bearer  Authorization: Bearer bench-token-<n> (Kabinet)
--   AUTH=hash    the body's __HASH__ replaced by that token's stored hash, read
--                from the file HASHES, line n (PostGraphile, which has no
--                sign-in of its own and looks the session up by its hash)
--   AUTH=none    no account (public queries)
local body = os.getenv("BODY")
local auth = os.getenv("AUTH") or "none"
local accounts = tonumber(os.getenv("ACCOUNTS") or "1")
local headers = { ["Content-Type"] = "application/json" }
local hashes = {}

init = function(args)
  -- Each wrk thread has its own Lua state: seed each differently.
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6) + #tostring({}))
  if auth == "hash" then
    for line in io.lines(os.getenv("HASHES")) do
      hashes[#hashes + 1] = line
    end
    accounts = #hashes
  end
end

request = function()
  local n = math.random(1, accounts)
  if auth == "bearer" then
    headers["Authorization"] = "Bearer bench-token-" .. n
    return wrk.format("POST", nil, headers, body)
  elseif auth == "hash" then
    local b = body:gsub("__HASH__", hashes[n])
    return wrk.format("POST", nil, headers, b)
  end
  return wrk.format("POST", nil, headers, body)
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f http_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
