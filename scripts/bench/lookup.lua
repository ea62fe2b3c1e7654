-- wrk script for scripts/bench_lookup.py: GET /api/v1/lookup at uniformly random points.
-- usage: wrk -s lookup.lua URL -- x0 y0 x1 y1 seed
-- Prints "STATUS <code> <count>" per HTTP status and "LATENCY_US ..." percentiles at the end (report.lua).
dofile((debug.getinfo(1, "S").source:sub(2):match("^(.*/)") or "") .. "report.lua")

function init(args)
  x0, y0, x1, y1 = tonumber(args[1]), tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
  math.randomseed(tonumber(args[5]) + id * 7919)
  statuses = {}
end

function request()
  local lon = x0 + math.random() * (x1 - x0)
  local lat = y0 + math.random() * (y1 - y0)
  return wrk.format("GET", string.format("/api/v1/lookup?lon=%.7f&lat=%.7f", lon, lat))
end
