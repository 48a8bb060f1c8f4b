-- wrk script for POST /predict with a real image.
--   wrk -c64 -t2 -d15s -s tests/load/predict.lua http://127.0.0.1:8001 -- IMAGE [MODE] [MISS_PERCENT] [multipart]
-- MODE: hit (the same image every time: answered from the prediction cache), miss (every
-- request a new image: bytes appended after the JPEG's end make a new SHA-256, so the model
-- runs), mix (MISS_PERCENT of requests miss, default 10). With "multipart" the image goes
-- as field `file` of multipart/form-data, else as a raw image/jpeg body. MODE keys: each
-- request one of MISS_PERCENT (here: a count, default 1000) distinct images picked at
-- random — a key space that repeats, as a fleet sharing Redis sees it.
-- At the end it prints one JSON line (throughput, latency percentiles, errors) after
-- wrk's own report; tests/load/run_load.sh and bench_server read that line.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
local report = require("report")

local image, mode, miss_percent, multipart
local counter = 0
local thread_id = 0
local threads = {}
local boundary = "tierscopeLoadBoundary7MA4YWxkTrZu0gW"

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local function read_file(path)
  local f = assert(io.open(path, "rb"), "cannot open image " .. tostring(path))
  local data = f:read("*a")
  f:close()
  return data
end

function init(args)
  image = read_file(args[1])
  mode = args[2] or "hit"
  miss_percent = tonumber(args[3] or "10")
  multipart = args[4] == "multipart"
  thread_id = id or 0
  math.randomseed(os.time() + thread_id)
end

local function body_for(data)
  if not multipart then
    return data, "image/jpeg"
  end
  local body = "--" .. boundary .. "\r\n" ..
      "Content-Disposition: form-data; name=\"file\"; filename=\"load.jpg\"\r\n" ..
      "Content-Type: image/jpeg\r\n\r\n" .. data .. "\r\n--" .. boundary .. "--\r\n"
  return body, "multipart/form-data; boundary=" .. boundary
end

local hit_request  -- built once: the hit path's client cost stays small on a shared machine

function request()
  if mode == "hit" then
    if not hit_request then
      local body, content_type = body_for(image)
      hit_request = wrk.format("POST", "/predict", { ["Content-Type"] = content_type }, body)
    end
    return hit_request
  end
  local data = image
  if mode == "keys" then
    data = image .. string.format("key-%d", math.random(miss_percent))
    local body, content_type = body_for(data)
    return wrk.format("POST", "/predict", { ["Content-Type"] = content_type }, body)
  end
  local miss = mode == "miss" or (mode == "mix" and math.random(100) <= miss_percent)
  if miss then
    counter = counter + 1
    data = image .. string.format("miss-%d-%d-%d", thread_id, counter, math.random(1000000000))
  end
  local body, content_type = body_for(data)
  return wrk.format("POST", "/predict", { ["Content-Type"] = content_type }, body)
end

done = report.done
