-- Give up the notifier lease if this consumer still holds it. KEYS[1]: the lease; ARGV[1]: the consumer.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0
