-- wrk script: every request is a write that changes something (so it records an audit
-- event): a JSON Merge Patch of an action's title, the actions ID_MIN..ID_MAX in turn, each
-- title new.
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
  local id = id_min + n % (id_max - id_min + 1)
  local body = string.format('{"title": "Maatregel %d"}', n)
  -- the headers given on the command line (the token), and the patch's media type
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/merge-patch+json"
  return wrk.format("PATCH", "/api/v1/actions/" .. id, headers, body)
end
