-- KEYS[1]: fingerprint key, KEYS[2]: alert stream. ARGV: alert json, fp ttl, channel.
-- No MAXLEN here: the leader trims the log (core/streams.py), never past what the dispatchers have not read.
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[2])) then
  local id = redis.call('XADD', KEYS[2], '*', 'alert', ARGV[1])
  redis.call('PUBLISH', ARGV[3], ARGV[1])
  return id
end
return false
