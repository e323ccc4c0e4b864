-- Failed reports go back to work: each id whose report is 'failed' becomes 'queued' again (its error
-- kept as `last_error`), leaves the failed index and rejoins the admission backlog; together they become
-- the list of one new RQ job, enqueued by replaying RQ's own commands (as the store script does).
-- An id whose report is not failed (done meanwhile, or expired) only leaves the failed index.
-- ARGV: job report-list key prefix, job id, ttl seconds, word count W, W words (argument count,
-- arguments...) per command, then the report ids. Returns the ids queued again.
local prefix, job_id, ttl, words = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local queued = {}
for k = 5 + words, #ARGV do
  local id = ARGV[k]
  local key = 'sitrep:report:' .. id
  if redis.call('HGET', key, 'status') == 'failed' then
    local last = redis.call('HGET', key, 'error') or ''
    redis.call('HSET', key, 'status', 'queued', 'last_error', last)
    redis.call('HDEL', key, 'error', 'failed_at')
    queued[#queued + 1] = id
  end
  redis.call('ZREM', 'sitrep:reports:failed', id)
end
if #queued == 0 then return queued end
redis.call('INCRBY', 'sitrep:reports:backlog', #queued)
local a = 5
while a < 5 + words do
  local argc = tonumber(ARGV[a])
  redis.call(unpack(ARGV, a + 1, a + argc))
  a = a + 1 + argc
end
local list_key = prefix .. job_id
for k = 1, #queued, 1000 do
  redis.call('RPUSH', list_key, unpack(queued, k, math.min(k + 999, #queued)))
end
if ttl > 0 then redis.call('EXPIRE', list_key, ttl) end
return queued
