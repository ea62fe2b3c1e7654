-- wrk script for scripts/bench_load.py: GET a random path of a prepared list (lookups, tiles, pages, map JSON).
-- usage: wrk -s mixed.lua URL -- paths_file seed
-- Prints "STATUS <code> <count>" per HTTP status and "LATENCY_US ..." percentiles at the end (report.lua).
dofile((debug.getinfo(1, "S").source:sub(2):match("^(.*/)") or "") .. "report.lua")

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
