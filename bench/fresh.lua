-- wrk script: every request asks a URL no earlier request of the run asked, so the response
-- cache cannot answer it and each one goes to the database. In the path, `{since}` becomes a
-- distinct time in the year 2000 (an `updated_since` that keeps every row), `{id}` the ids
-- ID_MIN..ID_MAX in turn, and `{n}` the request's number.
local counter = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads * 10000000)
  threads = threads + 1
end

local id_min = tonumber(os.getenv("ID_MIN") or "1")
local id_max = tonumber(os.getenv("ID_MAX") or "1")

function request()
  counter = counter + 1
  local n = (offset or 0) + counter
  local path = wrk.path
  path = path:gsub("{since}", os.date("!%Y-%m-%dT%H:%M:%SZ", 946684800 + n))
  path = path:gsub("{id}", tostring(id_min + n % (id_max - id_min + 1)))
  path = path:gsub("{n}", tostring(n))
  return wrk.format(nil, path)
end
