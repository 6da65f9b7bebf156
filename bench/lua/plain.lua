-- A page asked again and again by the same anonymous client, as wrk does without a script,
-- but with answers counted by status.
function request()
  sent = sent + 1
  return wrk.format(nil, nil, {["User-Agent"] = AGENTS[1]})
end
