-- Drives one bench scenario with a random user per request: wrk -s wrk-random-user.lua URL -- MODE USERS_FILE RUN
-- MODE: get:<path> sends GET <path> with the user's bearer token; create posts a TikTok token for the user;
-- precheck:<platform> asks about a random recipient; send:<platform>[:<senders>] sends it a message, under an
-- Idempotency-Key unique to this request (RUN, this wrk thread, a counter), from one of the first <senders>
-- users (all of them without it).
-- USERS_FILE: one "user_id jwt tiktok_access_token" line per user.
-- Recipients: PSIDs 2000010000-2000010999 (the fake Meta knows them, send-targets.ts), r1-r1000@example.org.
local users = {}
local mode, path, platform, run, senders
local sent = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  mode = args[1]
  for line in io.lines(args[2]) do
    local id, jwt, tiktok = line:match("^(%S+) (%S+) (%S+)$")
    users[#users + 1] = { id = id, jwt = jwt, tiktok = tiktok }
  end
  run = args[3] or "run"
  if mode:sub(1, 4) == "get:" then path = mode:sub(5) end
  local count
  platform, count = mode:match("^%a+:(%a+):?(%d*)$")
  senders = math.min(tonumber(count) or #users, #users)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + (thread_id or 0) * 7919)
end

local function recipient()
  if platform == "email" then return "r" .. math.random(1000) .. "@example.org" end
  return "20000" .. (10000 + math.random(0, 999))
end

function request()
  local user = users[math.random(senders or #users)]
  local headers = { ["Authorization"] = "Bearer " .. user.jwt }
  if path ~= nil then return wrk.format("GET", path, headers) end
  if mode:sub(1, 9) == "precheck:" then
    local encoded = recipient():gsub("@", "%%40")
    return wrk.format("GET", "/api/outreach/" .. platform .. "/recipients/" .. encoded, headers)
  end
  headers["Content-Type"] = "application/json"
  if mode:sub(1, 5) == "send:" then
    sent = sent + 1
    headers["Idempotency-Key"] = run .. "-" .. (thread_id or 0) .. "-" .. sent
    local body
    if platform == "email" then
      body = '{"to":"' .. recipient() .. '","subject":"Bench","text":"Hello from the bench."}'
    else
      body = '{"recipient_id":"' .. recipient() .. '","text":"Hello from the bench."}'
    end
    return wrk.format("POST", "/api/outreach/" .. platform .. "/messages", headers, body)
  end
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
