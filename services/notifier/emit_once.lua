-- KEYS[1]: fingerprint key, KEYS[2]: alert stream. ARGV: alert json, fp ttl, stream maxlen, channel.
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[2])) then
  local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'alert', ARGV[1])
  redis.call('PUBLISH', ARGV[4], ARGV[1])
  return id
end
return false
