-- A running job takes the reports that joined its list since `offset`; or, with none, ends its openness.
-- KEYS: running-job key, the job's report list, its wake list, then the RQ queue lists its worker serves.
-- ARGV: job id, offset, close ('1': take no more after these), lease ms.
-- Returns 'open' (still the running job: newcomers may come) or 'closed', then claimed rows as `claim`.
-- Closing and the last read of the list are one step: no report can join after the job's last look.
local mine = redis.call('HGET', KEYS[1], 'job') == ARGV[1]
local ids = redis.call('LRANGE', KEYS[2], tonumber(ARGV[2]), -1)
redis.call('DEL', KEYS[3])
local close = ARGV[3] == '1' or not mine
if #ids == 0 and not close then
  for k = 4, #KEYS do  -- other work waits for this worker: free it rather than wait for newcomers
    if redis.call('LLEN', KEYS[k]) > 0 then close = true; break end
  end
end
if close then
  if mine then redis.call('DEL', KEYS[1]) end
  return claim(ids, { 'closed' })
end
-- 'waiting': the worker has nothing in hand and is about to wait; only then does the ingest join.
if #ids > 0 then
  redis.call('HSET', KEYS[1], 'claimed', tonumber(ARGV[2]) + #ids, 'waiting', '0')
else
  redis.call('HSET', KEYS[1], 'waiting', '1')
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return claim(ids, { 'open' })
