-- wrk script for scripts/bench_lookup.py: GET /api/v1/lookup at uniformly random points.
-- usage: wrk -s lookup.lua URL -- x0 y0 x1 y1 seed
-- Prints "STATUS <code> <count>" per HTTP status and "LATENCY_US ..." percentiles at the end.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

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

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      total[code] = (total[code] or 0) + n
    end
  end
  for code, n in pairs(total) do
    io.write(string.format("STATUS %d %d\n", code, n))
  end
  io.write(string.format("LATENCY_US p50=%d p90=%d p99=%d p999=%d max=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
