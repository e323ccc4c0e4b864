-- Give a creation number to each event of a slice of sitrep:events:index (oldest change first) that has
-- none: events stored before numbers existed. The merge script numbers an event in the same way when it
-- next changes; each checks the `seq` field in one atomic step, so no event is numbered twice.
-- ARGV: offset, count. Returns how many ids the slice held (fewer than count: the end was reached).
local ids = redis.call('ZRANGE', 'sitrep:events:index', ARGV[1], tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1)
for _, cid in ipairs(ids) do
  local skey = 'sitrep:canon:' .. cid
  if redis.call('EXISTS', skey) == 1 and not redis.call('HGET', skey, 'seq') then
    local seq = string.format('%d', redis.call('INCR', 'sitrep:events:sequence:counter'))
    redis.call('HSET', skey, 'seq', seq)
    redis.call('ZADD', 'sitrep:events:sequence', seq, cid)
  end
end
return #ids
