-- wrk script for GET /health (the HTTP floor: no cache, no model), with the JSON report.
--   wrk -c64 -t2 -d15s -s tests/load/health.lua http://127.0.0.1:8001
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
local report = require("report")
wrk.path = "/health"
done = report.done
