-- wrk script: POSTs one GraphQL operation, taken from the BODY environment variable.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"

dofile("bench/report.lua")
