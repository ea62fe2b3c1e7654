-- wrk script for scripts/bench_load.py: GET a random path of a prepared list (lookups, tiles, pages, map JSON).
-- usage: wrk -s mixed.lua URL -- paths_file seed
-- Prints "STATUS <code> <count>" per HTTP status and "LATENCY_US ..." percentiles at the end.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    local accept, path = line:match("^(%S+) (%S+)$")
    table.insert(paths, {accept, path})
  end
  math.randomseed(tonumber(args[2]) + id * 7919)
  statuses = {}
end

function request()
  local item = paths[math.random(#paths)]
  return wrk.format("GET", item[2], {Accept = item[1]})
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
