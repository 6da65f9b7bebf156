-- Shared by every wrk script of bench/pages.py, which prepends RUN (a number new for every
-- wrk run), AGENTS, and the data tables a script uses (SLUGS, TAGS, WORDS, REPEATED, LIMIT).
-- wrk runs one Lua state per thread: counters are per thread, summed in done().
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  math.randomseed(RUN * 1000 + tid)
end

sent = 0   -- requests made (the last few may be cut off unanswered when wrk stops)
ok = 0     -- 2xx answers
redirected = 0
failed = 0 -- 4xx/5xx answers

-- A new reader every request: a browser's User-Agent (rotating) and a client address never
-- used before in this run (IPv6, so there are enough), as a proxy would forward them.
function reader_headers()
  sent = sent + 1
  return {
    ["User-Agent"] = AGENTS[(sent + tid) % #AGENTS + 1],
    ["X-Forwarded-For"] = string.format("fd00:%x:%x::%x:%x", RUN, tid,
                                        math.floor(sent / 65536), sent % 65536),
    ["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ["Accept-Language"] = "en-GB,en;q=0.9",
  }
end

function response(status, headers, body)
  if status < 300 then
    ok = ok + 1
  elseif status < 400 then
    redirected = redirected + 1
  else
    failed = failed + 1
  end
  if LIMIT and ok + redirected + failed >= LIMIT then
    wrk.thread:stop()
  end
end

COUNTERS = {"sent", "ok", "redirected", "failed"}

function done(summary, latency, requests)
  local parts = {}
  for _, name in ipairs(COUNTERS) do
    local total = 0
    for _, thread in ipairs(threads) do
      total = total + (thread:get(name) or 0)
    end
    table.insert(parts, name .. "=" .. total)
  end
  io.write("bench: " .. table.concat(parts, " ") .. "\n")
end
