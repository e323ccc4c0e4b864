-- KEYS[1]: fingerprint key, KEYS[2]: alert stream, KEYS[3]: alert counter (hash), KEYS[4]: report-to-alert
-- histogram (hash). ARGV: alert json, fp ttl, channel, counter field (the kind), latency bucket field ('' when
-- the report's time is unknown), latency in seconds, latency sum field.
-- No MAXLEN here: the leader trims the log (core/streams.py), never past what the dispatchers have not read.
-- The metrics move only when the alert is emitted: a fingerprint already emitted counts nothing.
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[2])) then
  local id = redis.call('XADD', KEYS[2], '*', 'alert', ARGV[1])
  redis.call('PUBLISH', ARGV[3], ARGV[1])
  redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
  if ARGV[5] ~= '' then
    redis.call('HINCRBY', KEYS[4], ARGV[5], 1)
    redis.call('HINCRBYFLOAT', KEYS[4], ARGV[7], ARGV[6])
  end
  return id
end
return false
