-- Per place, under the caller's WATCH: KEYS in threes (situation, notified hash, alert group). Returns
-- (situation JSON, notified fields and values, the group's first report time) per place.
local out = {}
for i = 1, #KEYS, 3 do
  out[#out + 1] = redis.call('GET', KEYS[i])
  out[#out + 1] = redis.call('HGETALL', KEYS[i + 1])
  out[#out + 1] = redis.call('HGET', KEYS[i + 2], 'report_time')
end
return out
