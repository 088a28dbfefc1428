-- wrk script for bench/runner_http.sh: POSTs Bland-shaped call webhooks (the call object Bland
-- sends when a call ends) to /webhooks/bland-callback. Every request has a new call_id, so each
-- one is a real, durable update; leads cycle over REDIAL_WRK_LEADS (default 10000) so records
-- gain attempts the way a busy month file does. Prints throughput, p50/p90/p99 latency and the
-- count of non-200 answers at the end. REDIAL_WRK_DATASET=1: the leads are those of the
-- benchmark suite's generated month file (bench/dataset.cpp: lead 1000000+i, phone
-- 2000000000 + (i * 1000003) mod 7999999999), which runner_http.sh --preload loads.
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  -- REDIAL_WRK_NONCE: distinct call ids when several wrk run at once (bench/pg_runners.sh).
  thread:set("nonce", tonumber(os.getenv("REDIAL_WRK_NONCE") or "") or os.time())
  table.insert(threads, thread)
end

local outcomes = {
  { "voicemail", "VOICEMAIL" },
  { "no-answer", "NO_ANSWER" },
  { "busy", "BUSY" },
  { "human", "HUNG_UP" },
}

function init(args)
  leads = tonumber(os.getenv("REDIAL_WRK_LEADS") or "10000")
  dataset = os.getenv("REDIAL_WRK_DATASET") == "1"
  n = 0
  non200 = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  path = "/webhooks/bland-callback?token=" .. (os.getenv("REDIAL_WRK_TOKEN") or "")
end

function request()
  n = n + 1
  local lead = (tid * 7919 + n * 104729) % leads
  local o = outcomes[(n % #outcomes) + 1]
  local phone = 2000000000 + lead
  local lead_id = 5000000 + lead
  if dataset then
    phone = 2000000000 + (lead * 1000003) % 7999999999
    lead_id = 1000000 + lead
  end
  local body = string.format(
    '{"call_id":"wrk-%d-%d-%d","c_id":"wrk-%d-%d-%d","to":"+1%d","from":"+15550000000",' ..
    '"status":"completed","completed":true,"queue_status":"complete","answered_by":"%s",' ..
    '"disposition_tag":"%s","call_length":0.4,"corrected_duration":"24",' ..
    '"metadata":{"lead_id":"%d","phone_number":"+1%d","list_id":"LIST100",' ..
    '"first_name":"Ann","last_name":"Lee","state":"FL"}}',
    nonce, tid, n, nonce, tid, n, phone, o[1], o[2], lead_id, phone)
  return wrk.format(nil, path, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if non200 == 1 then io.stderr:write("first non-200 answer: " .. status .. " " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non200") or 0) end
  local secs = summary.duration / 1e6
  io.write(string.format("webhooks %d in %.2f s: %.0f/s; non-200 %d; socket errors %d\n",
    summary.requests, secs, summary.requests / secs, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3))
end
