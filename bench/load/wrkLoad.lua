-- wrk script: POSTs pre-generated signed callbacks, each thread its own share of them, and prints the result as JSON.
-- Usage: wrk -t T -c C -d Ds --timeout 10s -s wrkLoad.lua <url> -- <requests file> <first index> <T> [<ready marker>]
-- The requests file holds one `<path>\t<body>` per line (bench/lib/bodies.ts). Thread k of T sends lines
-- first + k, first + k + T, ... so no two threads repeat each other; a later run starts where an earlier one stopped.
-- Every request is formatted once in init(), before the thread starts: request() only hands out the next string.
-- No response() hook (it would make wrk parse every answer): answers of 400 and above are counted by wrk itself
-- (summary.errors.status, "Non-2xx or 3xx responses"); the servers under test answer 200 or an error status.

local counter = 0

-- Runs in wrk's main Lua state, once per thread before its init(): numbers the threads.
function setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
end

-- The process's CPU so far (utime + stime, clock ticks, every thread).
local function cpu_ticks()
  local f = io.open("/proc/self/stat", "r")
  if f == nil then return nil end
  local stat = f:read("*a")
  f:close()
  local after = stat:match("^.*%)%s(.*)$")
  local fields = {}
  for field in after:gmatch("%S+") do fields[#fields + 1] = field end
  -- Fields after the command name: state is the first, utime and stime the 12th and 13th.
  return tonumber(fields[12]) + tonumber(fields[13])
end

local requests = {}
local count = 0
local next_request = 1

function init(args)
  local file, first, total, marker = args[1], tonumber(args[2]), tonumber(args[3]), args[4]
  local index = thread_index
  local headers = { ["Content-Type"] = "application/json" }
  local lines = {}
  for line in io.lines(file) do
    if line ~= "" then lines[#lines + 1] = line end
  end
  local n = #lines
  -- This thread's share, in order, from its first line on (wrapping round when the run outlasts the file).
  for i = 0, n - 1 do
    local at = first + index + i * total
    if i * total >= n then break end
    local line = lines[(at % n) + 1]
    local tab = line:find("\t", 1, true)
    count = count + 1
    requests[count] = wrk.format("POST", line:sub(1, tab - 1), headers, line:sub(tab + 1))
  end
  lines = nil
  collectgarbage()
  -- The marker tells the benchmark that this thread is about to start, with the CPU wrk has used so far (set-up).
  if marker ~= nil then
    io.stderr:write(marker .. " " .. tostring(cpu_ticks() or "null") .. "\n")
    io.stderr:flush()
  end
end

function request()
  local r = requests[next_request]
  next_request = next_request + 1
  if next_request > count then next_request = 1 end
  return r
end

function done(summary, latency, _requests)
  local e = summary.errors
  local out = string.format(
    '{"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f},"cpuTicks":%s}',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
    tostring(cpu_ticks() or "null"))
  io.write(out .. "\n")
end
