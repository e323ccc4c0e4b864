-- Merge a whole batch of processed reports into the canonical events, atomically (docs/dedup.md).
--
-- ARGV: now (epoch s), now (ISO), event ttl, lsh ttl, stream maxlen, mentions shown, slots needed
-- for a near-duplicate, hex width of a slot, number of reports; then per report:
--   id, source, published_at, signature, nbands, band names..., outcome ('done'|'failed'), error, nitems,
--   per item: canonical id, mention id, mention json, score, rank, base json, time rank, time json,
--             confidence, historical ('1'|'0'), observation ('' or day\31min\31max), nindex, index keys...
-- Returns, per report: id, status ('done'|'failed'|'skipped'), story, near_duplicate_of, nchanges,
--   then (canonical id, mention id, change) per item.
--
-- Every change is a set insert or keeps a minimum/maximum, so the state after any set of reports
-- does not depend on the order they came in; a report already done is skipped whole.
local now, now_iso = tonumber(ARGV[1]), ARGV[2]
local ttl, lsh_ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local maxlen, shown = ARGV[5], tonumber(ARGV[6])
local need, width = tonumber(ARGV[7]), tonumber(ARGV[8])
local nreports = tonumber(ARGV[9])
local SEP = '\31'
local out, touched = {}, {}
local i = 10

local function expire(key)
  if ttl > 0 then redis.call('EXPIRE', key, ttl) end
end

local function same_slots(a, b)
  local n = 0
  for s = 1, math.min(#a, #b), width do
    if string.sub(a, s, s + width - 1) == string.sub(b, s, s + width - 1) then n = n + 1 end
  end
  return n
end

local function find(parent, x)
  while parent[x] ~= x do
    parent[x] = parent[parent[x]]
    x = parent[x]
  end
  return x
end

local function sorted_sources(list)
  table.sort(list)
  local parts = {}
  for k, s in ipairs(list) do parts[k] = cjson.encode(s) end
  return '[' .. table.concat(parts, ',') .. ']'
end

local function num(x)
  if x == '' then return 'null' end
  return x
end

-- Build the canonical event JSON from its whole state; returns json, independent sources.
local function render(cid, skey, mkey)
  local state = redis.call('HGETALL', skey)
  local f, pair_list, obs = {}, {}, {}
  for k = 1, #state, 2 do
    local name, value = state[k], state[k + 1]
    local tag = string.sub(name, 1, 2)
    if tag == 'p' .. SEP then
      pair_list[#pair_list + 1] = string.sub(name, 3)
    elseif tag == 'o' .. SEP then
      obs[#obs + 1] = string.sub(name, 3)
    else
      f[name] = value
    end
  end
  -- Outlets and stories joined by the pairs they share: each connected group is one independent source.
  local parent, sources, seen = {}, {}, {}
  for _, p in ipairs(pair_list) do
    local sep = string.find(p, SEP, 1, true)
    local source, story = string.sub(p, 1, sep - 1), string.sub(p, sep + 1)
    if not seen[source] then
      seen[source] = true
      sources[#sources + 1] = source
    end
    local a, b = 's' .. source, 't' .. story
    if parent[a] == nil then parent[a] = a end
    if parent[b] == nil then parent[b] = b end
    local ra, rb = find(parent, a), find(parent, b)
    if ra ~= rb then parent[ra] = rb end
  end
  local roots, independent = {}, 0
  for node, _ in pairs(parent) do
    local root = find(parent, node)
    if not roots[root] then
      roots[root] = true
      independent = independent + 1
    end
  end
  -- Observations: day -> figure (min, max) -> outlets.
  local days, day_list = {}, {}
  for _, o in ipairs(obs) do
    local d, low, high, source = string.match(o, '^([^\31]*)\31([^\31]*)\31([^\31]*)\31(.*)$')
    local day = days[d]
    if day == nil then
      day = { values = {}, order = {} }
      days[d] = day
      day_list[#day_list + 1] = d
    end
    local vk = low .. SEP .. high
    local value = day.values[vk]
    if value == nil then
      value = { low = low, high = high, sources = {} }
      day.values[vk] = value
      day.order[#day.order + 1] = value
    end
    value.sources[#value.sources + 1] = source
  end
  table.sort(day_list)
  local obs_parts, count_json = {}, nil
  for k, d in ipairs(day_list) do
    local day = days[d]
    table.sort(day.order, function(a, b)
      local al, bl = tonumber(a.low) or -1, tonumber(b.low) or -1
      if al ~= bl then return al < bl end
      return (tonumber(a.high) or math.huge) < (tonumber(b.high) or math.huge)
    end)
    local lowest, highest, open = nil, nil, false
    local values = {}
    for v, value in ipairs(day.order) do
      local low, high = tonumber(value.low), tonumber(value.high)
      if low and (lowest == nil or low < lowest) then lowest = low end
      if high == nil then open = true elseif highest == nil or high > highest then highest = high end
      values[v] = '{"min":' .. num(value.low) .. ',"max":' .. num(value.high) .. ',"sources":'
        .. sorted_sources(value.sources) .. '}'
    end
    local low_s = lowest and string.format('%d', lowest) or 'null'
    local high_s = (open or highest == nil) and 'null' or string.format('%d', highest)
    obs_parts[k] = '{"date":"' .. d .. '","min":' .. low_s .. ',"max":' .. high_s .. ',"values":['
      .. table.concat(values, ',') .. ']}'
    if k == #day_list then
      local exact = (#day.order == 1 and low_s == high_s and low_s ~= 'null') and 'true' or 'false'
      count_json = '{"min":' .. low_s .. ',"max":' .. high_s .. ',"exact":' .. exact .. '}'
    end
  end
  local confidence = 1 - (1 - tonumber(f['cmax'])) * (0.5 ^ (independent - 1))
  local mentions = redis.call('ZRANGE', skey .. ':mentions', 0, shown - 1)
  local parts = {
    '{"id":', cjson.encode(cid), ',', string.sub(f['base'], 2, -2),
    ',"time":', f['time'],
    ',"historical":', (tonumber(f['nonhist'] or '0') > 0) and 'false' or 'true',
    ',"confidence":', string.format('%.3f', confidence),
  }
  if count_json then parts[#parts + 1] = ',"count":' .. count_json end
  parts[#parts + 1] = ',"sources":' .. sorted_sources(sources)
  parts[#parts + 1] = ',"independent_sources":' .. independent
  if #obs_parts > 0 then parts[#parts + 1] = ',"observations":[' .. table.concat(obs_parts, ',') .. ']' end
  -- The core is what the notifier acts on; one more mention that leaves it as it was is not news.
  local core = table.concat(parts)
  local json = core .. ',"mentions":[' .. table.concat(mentions, ',') .. '],"mention_count":' .. f['n'] .. '}'
  return json, independent, redis.sha1hex(core)
end

local function merge(report_id, source, published, story, item)
  local cid = item.cid
  local skey = 'sitrep:canon:' .. cid
  local mkey = skey .. ':mentions'
  if redis.call('ZADD', mkey, 'NX', item.score, item.mention) == 0 then return 'none' end
  local cur = redis.call('HMGET', skey, 'rank', 'trank', 'cmax', 'ind', 'core')
  local update = { 'p' .. SEP .. source .. SEP .. story, '1' }
  if not cur[1] or item.rank < cur[1] then
    update[#update + 1] = 'rank'; update[#update + 1] = item.rank
    update[#update + 1] = 'base'; update[#update + 1] = item.base
  end
  if not cur[2] or item.trank < cur[2] then
    update[#update + 1] = 'trank'; update[#update + 1] = item.trank
    update[#update + 1] = 'time'; update[#update + 1] = item.time
  end
  if not cur[3] or tonumber(item.confidence) > tonumber(cur[3]) then
    update[#update + 1] = 'cmax'; update[#update + 1] = item.confidence
  end
  if item.observation ~= '' then
    update[#update + 1] = 'o' .. SEP .. item.observation .. SEP .. source; update[#update + 1] = '1'
  end
  redis.call('HSET', skey, unpack(update))
  redis.call('HINCRBY', skey, 'n', 1)
  if item.historical == '0' then redis.call('HINCRBY', skey, 'nonhist', 1) end
  local json, independent, core = render(cid, skey, mkey)
  redis.call('HSET', skey, 'ind', independent, 'core', core)
  local ekey = 'sitrep:event:' .. cid
  if ttl > 0 then
    redis.call('SET', ekey, json, 'EX', ttl)
  else
    redis.call('SET', ekey, json)
  end
  expire(skey)
  expire(mkey)
  for _, index in ipairs(item.index) do
    redis.call('ZADD', index, now, cid)
    touched[index] = true
  end
  local change = 'mention'
  if not cur[1] then
    change = 'created'
  elseif independent > (tonumber(cur[4]) or 0) then
    change = 'corroborated'
  end
  if core ~= cur[5] then
    redis.call('XADD', 'sitrep:events', 'MAXLEN', '~', maxlen, '*', 'event', json, 'report_id', report_id,
      'source', source, 'published_at', published, 'change', change)
  end
  return change
end

for _ = 1, nreports do
  local id, source, published, sig = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local nbands = tonumber(ARGV[i + 4])
  local bands = {}
  for b = 1, nbands do bands[b] = 'sitrep:lsh:' .. ARGV[i + 4 + b] end
  i = i + 5 + nbands
  local outcome, err, nitems = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  i = i + 3
  local items = {}
  for k = 1, nitems do
    local item = {
      cid = ARGV[i], mention_id = ARGV[i + 1], mention = ARGV[i + 2], score = ARGV[i + 3], rank = ARGV[i + 4],
      base = ARGV[i + 5], trank = ARGV[i + 6], time = ARGV[i + 7], confidence = ARGV[i + 8],
      historical = ARGV[i + 9], observation = ARGV[i + 10], index = {},
    }
    local nindex = tonumber(ARGV[i + 11])
    for x = 1, nindex do item.index[x] = ARGV[i + 11 + x] end
    i = i + 12 + nindex
    items[k] = item
  end
  local rkey = 'sitrep:report:' .. id
  local status = redis.call('HGET', rkey, 'status')
  if status ~= 'queued' and status ~= 'processing' then
    out[#out + 1] = id; out[#out + 1] = 'skipped'; out[#out + 1] = ''; out[#out + 1] = ''; out[#out + 1] = 0
  elseif outcome == 'failed' then
    redis.call('HSET', rkey, 'status', 'failed', 'error', err)
    out[#out + 1] = id; out[#out + 1] = 'failed'; out[#out + 1] = ''; out[#out + 1] = ''; out[#out + 1] = 0
  else
    -- Near-duplicate: a report that shares a whole band with this one, and enough slots overall.
    local story, near = id, ''
    if nbands > 0 then
      local candidates = redis.call('MGET', unpack(bands))
      local tried = {}
      for _, candidate in ipairs(candidates) do
        if candidate and candidate ~= id and not tried[candidate] then
          tried[candidate] = true
          local info = redis.call('HMGET', 'sitrep:report:' .. candidate, 'minhash', 'story')
          if info[1] and same_slots(sig, info[1]) >= need then
            story = info[2] or candidate
            near = candidate
            break
          end
        end
      end
      for _, band in ipairs(bands) do
        if lsh_ttl > 0 then
          redis.call('SET', band, id, 'NX', 'EX', lsh_ttl)
        else
          redis.call('SET', band, id, 'NX')
        end
      end
    end
    local contributions, events, listed = {}, {}, {}
    out[#out + 1] = id; out[#out + 1] = 'done'; out[#out + 1] = story; out[#out + 1] = near
    out[#out + 1] = #items
    for _, item in ipairs(items) do
      local change = merge(id, source, published, story, item)
      out[#out + 1] = item.cid; out[#out + 1] = item.mention_id; out[#out + 1] = change
      contributions[#contributions + 1] = '{"event_id":' .. cjson.encode(item.cid) .. ',"mention_id":'
        .. cjson.encode(item.mention_id) .. ',"change":"' .. change .. '"}'
      if not listed[item.cid] then
        listed[item.cid] = true
        events[#events + 1] = cjson.encode(item.cid)
      end
    end
    local fields = { 'status', 'done', 'story', story, 'minhash', sig, 'done_at', now_iso,
      'events', '[' .. table.concat(events, ',') .. ']',
      'contributions', '[' .. table.concat(contributions, ',') .. ']' }
    if near ~= '' then
      fields[#fields + 1] = 'near_duplicate_of'; fields[#fields + 1] = near
    end
    redis.call('HSET', rkey, unpack(fields))
  end
end

if ttl > 0 then
  for index, _ in pairs(touched) do redis.call('ZREMRANGEBYSCORE', index, '-inf', now - ttl) end
end
return out
