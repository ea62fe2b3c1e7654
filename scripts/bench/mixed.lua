-- wrk script for scripts/bench_load.py: GET a random path of a prepared list (lookups, tiles, pages, map JSON).
-- usage: wrk -t N -c N -s mixed.lua URL -- paths_file seed [revalidate]
-- Like a browser, each thread remembers the ETag of every path it fetched and, with probability
-- ``revalidate`` (default 0), asks again with If-None-Match (a 304 is a success). One connection per
-- thread (-t equal to -c): the response that comes back is the answer to the thread's last request.
-- Prints "STATUS <code> <count>" per HTTP status and "LATENCY_US ..." percentiles at the end (report.lua).
dofile((debug.getinfo(1, "S").source:sub(2):match("^(.*/)") or "") .. "report.lua")

local count_status = response

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    local accept, path = line:match("^(%S+) (%S+)$")
    table.insert(paths, {accept, path})
  end
  math.randomseed(tonumber(args[2]) + id * 7919)
  revalidate = tonumber(args[3] or "0")
  statuses = {}
  etags = {}
end

function request()
  local item = paths[math.random(#paths)]
  last = item[2]
  local headers = {Accept = item[1]}
  local tag = etags[last]
  if tag and math.random() < revalidate then
    headers["If-None-Match"] = tag
  end
  return wrk.format("GET", last, headers)
end

function response(status, headers, body)
  local tag = headers["ETag"] or headers["etag"]
  if tag and last then
    etags[last] = tag
  end
  count_status(status, headers, body)
end
