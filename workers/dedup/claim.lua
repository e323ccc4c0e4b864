-- Returns (id, status, payload) per report. ARGV: the report ids; or KEYS = (open-job pointer, the job's
-- report list, running-job key) and ARGV = (job id, lease in ms, or 0 to run the job closed): then the
-- job is first closed to newcomers while queued (the ingest joins only the queued job the pointer names)
-- and its list gives the ids; with a lease it becomes the queue's running job, which the ingest joins
-- while its worker waits (the take script). The list stays, so a retry of the job reads the same reports.
local ids = ARGV
if #KEYS == 3 then
  if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
  ids = redis.call('LRANGE', KEYS[2], 0, -1)
  if ARGV[2] ~= '0' then
    redis.call('HSET', KEYS[3], 'job', ARGV[1], 'claimed', #ids, 'waiting', '0')
    redis.call('PEXPIRE', KEYS[3], ARGV[2])
  end
end
return claim(ids, {})
