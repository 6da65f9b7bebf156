-- One article page, each request a new reader arriving from a social network with its own
-- fbclid (as every click does); each thread stops after LIMIT answers.
function request()
  local headers = reader_headers()
  local path = wrk.path .. "?fbclid=IwAR" .. string.format("%x%x%08x", RUN, tid, sent)
               .. string.format("%08x", math.random(0, 0x7fffffff))
  return wrk.format(nil, path, headers)
end
