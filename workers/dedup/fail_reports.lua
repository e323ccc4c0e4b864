-- A report job failed for good: its reports still pending (queued or processing) become 'failed' with
-- the reason, are listed in the failed index (scored by ARGV[1], ms) and leave the admission backlog.
-- ARGV: now (ms), now (ISO), reason, report ids... Returns how many it marked.
local n = 0
for k = 4, #ARGV do
  local key = 'sitrep:report:' .. ARGV[k]
  local status = redis.call('HGET', key, 'status')
  if status == 'queued' or status == 'processing' then
    redis.call('HSET', key, 'status', 'failed', 'error', ARGV[3], 'failed_at', ARGV[2])
    redis.call('ZADD', 'sitrep:reports:failed', ARGV[1], ARGV[k])
    n = n + 1
  end
end
-- Never below zero: reports stored before the counter existed would otherwise hide as many new ones.
if n > 0 and redis.call('DECRBY', 'sitrep:reports:backlog', n) < 0 then
  redis.call('SET', 'sitrep:reports:backlog', 0)
end
-- The index forgets its oldest entries whose record expired (report TTL), as many as it gained and one more,
-- so it never outgrows the reports it names.
for _, old in ipairs(redis.call('ZRANGE', 'sitrep:reports:failed', 0, n)) do
  if redis.call('EXISTS', 'sitrep:report:' .. old) == 0 then redis.call('ZREM', 'sitrep:reports:failed', old) end
end
return n
