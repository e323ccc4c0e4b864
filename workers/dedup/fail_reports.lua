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
settle_reports(0, n)
return n
