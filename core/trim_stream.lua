-- Trim a stream by length and/or age, but never past an entry a consumer group has not read and
-- acknowledged: the cut stops at each group's oldest pending entry, or its last-delivered id.
-- KEYS[1]: the stream. ARGV: maxlen (0: no length rule), the age rule's min id ('' for none), most entries
-- to look at for the length rule in one call.
-- Returns {entries removed, 1 if a group held the cut back (else 0), entries left}.
local key = KEYS[1]
local maxlen, age_id, cap = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local length = redis.call('XLEN', key)
if length == 0 then return { 0, 0, 0 } end

local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-?(%d*)$')
  return tonumber(ms), tonumber(seq ~= '' and seq or '0')
end
local function before(a, b)  -- id a orders before id b
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end

-- The groups' floor first (cheap): the length rule then reads only entries up to it, never the whole
-- excess of a stream that a lagging group holds far over its length (once a second, per writer).
local floor = nil
for _, group in ipairs(redis.call('XINFO', 'GROUPS', key)) do
  local info = {}
  for k = 1, #group, 2 do info[group[k]] = group[k + 1] end
  local mine = info['last-delivered-id']
  if tonumber(info['pending']) > 0 then
    mine = redis.call('XPENDING', key, info['name'])[2]
  end
  if floor == nil or before(mine, floor) then floor = mine end
end

-- The first id the rules keep: everything before it may go.
local cut = nil
local held = 0
if maxlen > 0 and length > maxlen then
  local excess = math.min(length - maxlen, cap)
  local head = redis.call('XRANGE', key, '-', floor or '+', 'COUNT', excess + 1)
  if #head > excess then
    cut = head[excess + 1][1]
  elseif floor ~= nil then
    cut = floor; held = 1  -- fewer than `excess` entries before the floor: it holds the cut
  end
end
if age_id ~= '' and (cut == nil or before(cut, age_id)) then cut = age_id; held = 0 end
if cut == nil then return { 0, held, length } end
if floor ~= nil and before(floor, cut) then cut = floor; held = 1 end
local removed = redis.call('XTRIM', key, 'MINID', cut)
return { removed, held, length - removed }
