-- Take or renew the notifier lease. KEYS[1]: the lease; ARGV: this consumer, lease in ms. Returns 1 when held.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
