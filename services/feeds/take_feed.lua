-- Take a due feed for one poll: a lease on it (one poller at a time), and its next due moved past the
-- lease so other pollers do not keep finding it; a poller that dies leaves both to lapse.
-- The feed must still be due at `now`: another poller may have polled it (and moved its due time, say
-- past a Retry-After) between this poller's read of the due list and this call.
-- ARGV: lease key, due key, feed id, token, lease (ms), now (ms). Returns 1 if taken.
local lease_key, due_key, id, token = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local lease_ms, now = tonumber(ARGV[5]), tonumber(ARGV[6])
local due = redis.call('ZSCORE', due_key, id)
if not due or tonumber(due) > now then return 0 end
if not redis.call('SET', lease_key, token, 'NX', 'PX', lease_ms) then return 0 end
redis.call('ZADD', due_key, 'XX', now + lease_ms, id)
return 1
