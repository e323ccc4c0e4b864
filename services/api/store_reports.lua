-- ARGV: received_at, ttl_seconds, job_max_reports, the RQ queue's list key, open-job key, job report-list
--   key prefix, running-job key, job wake-list key prefix, most reports a running job may have waiting,
--   report count N, then (id, content_hash, payload) per report, then per job prepared by the caller:
--   its id, the count of words that follow, and RQ's commands that enqueue it, each as (argument count,
--   arguments...).
-- Returns a flat list of (position, duplicate_of) for the duplicates only: the usual reply is empty.
local received_at = ARGV[1]
local ttl = tonumber(ARGV[2])
local job_max = tonumber(ARGV[3])
local queue_key = ARGV[4]
local open_key = ARGV[5]
local list_prefix = ARGV[6]
local running_key = ARGV[7]
local wake_prefix = ARGV[8]
local backlog_max = tonumber(ARGV[9])
local n = tonumber(ARGV[10])
local out = {}
local new_ids = {}
for p = 0, n - 1 do
  local i = 11 + 3 * p
  local id, content_hash, payload = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local report_key = 'sitrep:report:' .. id
  local content_key = 'sitrep:report-content:' .. content_hash
  if redis.call('EXISTS', report_key) == 1 then
    out[#out + 1] = p
    out[#out + 1] = redis.call('HGET', report_key, 'duplicate_of') or id
  else
    local claimed
    if ttl > 0 then
      claimed = redis.call('SET', content_key, id, 'NX', 'EX', ttl)
    else
      claimed = redis.call('SET', content_key, id, 'NX')
    end
    if claimed then
      redis.call('HSET', report_key, 'status', 'queued', 'received_at', received_at, 'report', payload)
      new_ids[#new_ids + 1] = id
    else
      local first = redis.call('GET', content_key)
      redis.call('HSET', report_key, 'status', 'duplicate', 'duplicate_of', first,
                 'received_at', received_at, 'report', payload)
      out[#out + 1] = p
      out[#out + 1] = first
    end
    if ttl > 0 then redis.call('EXPIRE', report_key, ttl) end
  end
end

local function add_to(list_key, first, last)
  for k = first, last, 1000 do
    redis.call('RPUSH', list_key, unpack(new_ids, k, math.min(k + 999, last)))
  end
  if ttl > 0 then redis.call('EXPIRE', list_key, ttl) end
end

if #new_ids == 0 then return out end
-- Reports waiting for a worker: the admission control's backlog (services/api/admission.py).
redis.call('INCRBY', 'sitrep:reports:backlog', #new_ids)
-- Join the open job only while it still waits in the queue list: once a worker has taken it (or it
-- was cancelled, or the queue emptied) it is no longer there, and a worker that took it and died
-- before running it must not keep swallowing reports. The open job is the newest, near the tail.
-- (The job also closes itself to newcomers when it runs, which a retried job relies on.)
-- pcall: a server without LPOS (before Redis 6.0.6) must not fail the script after the reports were
-- written; it makes a new job every time instead.
local open = redis.call('GET', open_key)
if open then
  local list_key = list_prefix .. open
  local waiting = redis.pcall('LPOS', queue_key, open, 'RANK', -1, 'MAXLEN', 1000)
  if waiting and type(waiting) ~= 'table' and redis.call('LLEN', list_key) + #new_ids <= job_max then
    add_to(list_key, 1, #new_ids)
    return out
  end
end
-- Else join the job a worker is running and keeps open (workers/processing.py), but only while that
-- worker waits with nothing in hand (a busy one would make newcomers wait while another worker may be
-- idle), and with at most `backlog_max` reports not yet claimed (a worker that died draws no more than
-- that, until its lease lapses). The token wakes the waiting worker.
local running = redis.call('HMGET', running_key, 'job', 'claimed', 'waiting')
if running[1] then
  local list_key = list_prefix .. running[1]
  local length = redis.call('LLEN', list_key)
  if running[3] == '1' and length - (tonumber(running[2]) or length) + #new_ids <= backlog_max
      and length + #new_ids <= job_max then
    add_to(list_key, 1, #new_ids)
    redis.call('RPUSH', wake_prefix .. running[1], '1')
    redis.call('PEXPIRE', wake_prefix .. running[1], 60000)
    return out
  end
  -- The new job below is now the newest: the running one takes no more, and its worker, if it waits,
  -- is woken to end it and free itself for the queue.
  redis.call('DEL', running_key)
  redis.call('RPUSH', wake_prefix .. running[1], '1')
  redis.call('PEXPIRE', wake_prefix .. running[1], 60000)
end
-- Otherwise enqueue the prepared jobs, job_max reports each, and leave the last one open.
local a = 11 + 3 * n
local first = 1
local job_id
while first <= #new_ids do
  job_id = ARGV[a]
  local stop = a + 2 + tonumber(ARGV[a + 1])
  a = a + 2
  while a < stop do
    local argc = tonumber(ARGV[a])
    redis.call(unpack(ARGV, a + 1, a + argc))
    a = a + 1 + argc
  end
  local last = math.min(first + job_max - 1, #new_ids)
  add_to(list_prefix .. job_id, first, last)
  first = last + 1
end
redis.call('SET', open_key, job_id)
return out
