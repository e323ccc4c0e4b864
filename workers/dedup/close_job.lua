-- A job that failed takes no newcomers: its retry reads its list, joined reports included.
if redis.call('HGET', KEYS[1], 'job') == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('DEL', KEYS[2])
