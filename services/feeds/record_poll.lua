-- Write back one poll of one feed, only if the feed is still followed (a feed removed meanwhile stays gone).
-- ARGV: feed key, due key, seen key, lease key, feed id, lease token, next due (ms), seen max, now (ms),
--   posted increment, count of fields to set, then (field, value) pairs, count of fields to delete, then
--   those fields, then the item markers to remember.
-- Returns 1 if written, 0 if the feed was gone. The lease is released either way, if still ours.
local feed_key, due_key, seen_key, lease_key = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local id, token = ARGV[5], ARGV[6]
local due, seen_max, now, posted = tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9], tonumber(ARGV[10])
local function release()
  if redis.call('GET', lease_key) == token then redis.call('DEL', lease_key) end
end
if redis.call('HEXISTS', feed_key, 'feed') == 0 then
  release()
  return 0
end
local a = 11
local n = tonumber(ARGV[a])
if n > 0 then redis.call('HSET', feed_key, unpack(ARGV, a + 1, a + 2 * n)) end
a = a + 1 + 2 * n
n = tonumber(ARGV[a])
if n > 0 then redis.call('HDEL', feed_key, unpack(ARGV, a + 1, a + n)) end
a = a + 1 + n
if posted > 0 then redis.call('HINCRBY', feed_key, 'posted', posted) end
for k = a, #ARGV do
  redis.call('ZADD', seen_key, 'NX', now, ARGV[k])
end
if #ARGV >= a then
  redis.call('ZREMRANGEBYRANK', seen_key, 0, -seen_max - 1)
end
redis.call('ZADD', due_key, 'XX', due, id)
release()
return 1
