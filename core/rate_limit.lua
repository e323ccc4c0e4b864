-- One token bucket: refill at ARGV[1] tokens a second up to ARGV[2], then take up to ARGV[3] of them (at least 1).
-- KEYS[1]: the bucket (hash: tokens, at). Redis's own clock, so every API process shares one time.
-- Returns {tokens taken (0: refused), tokens left (floored), ms until a token is there, ms until full}.
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(stored[1])
local at = tonumber(stored[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
end
local taken = math.min(math.floor(tokens), want)
if taken < 1 then
  taken = 0
end
tokens = tokens - taken
local wait = 0
if tokens < 1 then
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
local full = math.ceil((burst - tokens) * 1000 / rate)
-- A float as a string keeps its fraction (a number reply would be cut to an integer).
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], full + 1000)
return {taken, math.floor(tokens), wait, full}
