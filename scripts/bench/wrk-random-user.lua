-- Drives one bench scenario with a random user per request: wrk -s wrk-random-user.lua URL -- MODE USERS_FILE
-- MODE: get:<path> sends GET <path> with the user's bearer token; create posts a TikTok token for the user.
-- USERS_FILE: one "user_id jwt tiktok_access_token" line per user.
local users = {}
local mode, path

function init(args)
  mode = args[1]
  for line in io.lines(args[2]) do
    local id, jwt, tiktok = line:match("^(%S+) (%S+) (%S+)$")
    users[#users + 1] = { id = id, jwt = jwt, tiktok = tiktok }
  end
  if mode:sub(1, 4) == "get:" then path = mode:sub(5) end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local user = users[math.random(#users)]
  local headers = { ["Authorization"] = "Bearer " .. user.jwt }
  if path ~= nil then return wrk.format("GET", path, headers) end
  headers["Content-Type"] = "application/json"
  local body = '{"platform":"tiktok","access_token":"' .. user.tiktok .. '"}'
  return wrk.format("POST", "/api/integrations/", headers, body)
end

-- One machine-readable line; latencies in microseconds. status counts answers of 400 and above.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
