-- Traffic as a live site sees it, picked per request: 70 % article pages (newer ones more
-- often; a third arrive with tracking parameters), 15 % home and tag pages, 10 % searches
-- (half the popular ones again, half new words), 5 % popular.
local function skewed(list)
  -- about 1/k for the k-th entry (Zipf-like): the first ones are asked most
  return list[math.min(math.floor((#list) ^ math.random()), #list)]
end

local function token(length)
  local chars = {}
  for i = 1, length do
    local n = math.random(0, 61)
    chars[i] = string.char(n < 10 and 48 + n or (n < 36 and 55 + n or 61 + n))
  end
  return table.concat(chars)
end

local function tracking()
  local kind = math.random(3)
  if kind == 1 then
    local sources = {"newsletter", "twitter", "facebook", "pinterest", "reddit"}
    local mediums = {"email", "social", "cpc", "referral"}
    return "?utm_source=" .. sources[math.random(#sources)] .. "&utm_medium="
           .. mediums[math.random(#mediums)] .. "&utm_campaign=c" .. math.random(1, 40)
  elseif kind == 2 then
    return "?fbclid=IwAR" .. token(40)
  end
  return "?gclid=Cj0KCQ" .. token(30)
end

local function new_query()
  local words = {}
  for i = 1, math.random(3) do
    words[i] = skewed(WORDS)
  end
  return table.concat(words, "+")
end

articles, tracked, home, tags, searches_again, searches_new, popular = 0, 0, 0, 0, 0, 0, 0
table.insert(COUNTERS, "articles")
table.insert(COUNTERS, "tracked")
table.insert(COUNTERS, "home")
table.insert(COUNTERS, "tags")
table.insert(COUNTERS, "searches_again")
table.insert(COUNTERS, "searches_new")
table.insert(COUNTERS, "popular")

function request()
  local headers = reader_headers()
  local r = math.random()
  local path
  if r < 0.70 then
    articles = articles + 1
    path = "/articles/" .. skewed(SLUGS) .. "/"
    if math.random(3) == 1 then
      tracked = tracked + 1
      path = path .. tracking()
    end
  elseif r < 0.775 then
    home = home + 1
    path = "/"
  elseif r < 0.85 then
    tags = tags + 1
    path = "/tags/" .. skewed(TAGS) .. "/"
  elseif r < 0.90 then
    searches_again = searches_again + 1
    path = "/search/?q=" .. REPEATED[math.random(#REPEATED)]
  elseif r < 0.95 then
    searches_new = searches_new + 1
    path = "/search/?q=" .. new_query()
  else
    popular = popular + 1
    path = "/popular/"
  end
  return wrk.format(nil, path, headers)
end
