-- Merge a whole batch of processed reports into the canonical events, atomically (docs/dedup.md).
--
-- ARGV: now (whole epoch seconds), now (ISO), event ttl, lsh ttl, (unused: the worker trims the stream
-- apart, never past what the notifier has not read: core/streams.py), slots needed for a
-- near-duplicate, hex width of a slot, number of reports; then per report:
--   id, source, published_at, stamp (fixed-width UTC publication time, then id), signature,
--   nbands, band names..., outcome ('done'|'failed'), error, nitems,
--   per item: canonical id, mention id, mention json, score, rank, base json, time rank, time json,
--             confidence, historical ('1'|'0'), observation ('' or day\31min\31max), kind, nindex,
--             index keys...
-- Returns, per report: id, status ('done'|'failed'|'skipped'), story, near_duplicate_of, nchanges,
--   then (canonical id, mention id, change) per item.
--
-- Every change is a set insert or keeps a minimum/maximum, so the state after any set of reports
-- does not depend on the order they came in; a report already done is skipped whole. Inputs are
-- built by workers/dedup/event_store.py; a runtime error here would leave a partial batch (Redis does not
-- roll scripts back), so the script does no parsing that can fail on user text.
-- Numbers handed to redis.call are passed as strings made once: Lua formats a number argument with
-- "%.14g", which cost about a twentieth of the script; index scores are whole seconds, which Redis
-- keeps as integers in a small sorted set (a fractional score is re-parsed at each insert's scan).
local now_s, now_iso = ARGV[1], ARGV[2]
local now = tonumber(now_s)
local ttl, lsh_ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl_s = ARGV[3]
local need, width = tonumber(ARGV[6]), tonumber(ARGV[7])
local nreports = tonumber(ARGV[8])
local SEP = '\31'
local REFRESH = 10
local OBSERVATION_DAYS = 31
local out = {}
local settled = 0
local failed_now = 0
local i = 9

-- LSH bands live in one hash per time bucket of `lsh_ttl` seconds (field: band name, value: the first
-- report seen with it), looked up in this bucket and the one before: a report stays findable for at
-- least `lsh_ttl` and at most twice that. One HMGET per bucket and one HSET per report, where one key
-- per band (16 keys, each with an expiry) cost a tenth more Redis CPU and more memory. The bucket
-- before the previous one is unlinked here (freed in the background, where an expiring big hash would
-- be freed inline); its expiry is only a backstop for a deployment whose workers have stopped.
local lsh_now, lsh_prev, lsh_old, lsh_expire = 'sitrep:lsh:all', nil, nil, nil
if lsh_ttl > 0 then
  -- Redis's clock, not the worker's: a worker whose clock runs ahead must not unlink a bucket that
  -- the others still read (effects replication, the default since Redis 5, allows writes after TIME).
  local bucket = math.floor(tonumber(redis.call('TIME')[1]) / lsh_ttl)
  lsh_now = 'sitrep:lsh:' .. string.format('%d', bucket)
  lsh_prev = 'sitrep:lsh:' .. string.format('%d', bucket - 1)
  lsh_old = 'sitrep:lsh:' .. string.format('%d', bucket - 2)
  lsh_expire = (bucket + 3) * lsh_ttl
end
local lsh_written = false

-- Slots two signatures share: compared a band (4 slots) at a time first, since near-duplicates agree
-- on most bands, then slot by slot inside the bands that differ.
local function same_slots(a, b)
  local n, band = 0, width * 4
  for s = 1, math.min(#a, #b), band do
    if string.sub(a, s, s + band - 1) == string.sub(b, s, s + band - 1) then
      n = n + 4
    else
      for t = s, s + band - 1, width do
        if string.sub(a, t, t + width - 1) == string.sub(b, t, t + width - 1) then n = n + 1 end
      end
    end
  end
  return n
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

-- One day of a quantity: its facts ("min\31max\31source", \30-joined) as the day's observation JSON,
-- and the day's range as a count JSON.
local function observation_day(day, facts)
  local values, order = {}, {}
  for fact in string.gmatch(facts, '[^\30]+') do
    local low, high, source = string.match(fact, '^([^\31]*)\31([^\31]*)\31(.*)$')
    local vk = low .. SEP .. high
    local value = values[vk]
    if value == nil then
      value = { low = low, high = high, sources = {} }
      values[vk] = value
      order[#order + 1] = value
    end
    value.sources[#value.sources + 1] = source
  end
  table.sort(order, function(a, b)
    local al, bl = tonumber(a.low) or -1, tonumber(b.low) or -1
    if al ~= bl then return al < bl end
    return (tonumber(a.high) or math.huge) < (tonumber(b.high) or math.huge)
  end)
  local lowest, highest, open = nil, nil, false
  local parts = {}
  for v, value in ipairs(order) do
    local low, high = tonumber(value.low), tonumber(value.high)
    if low and (lowest == nil or low < lowest) then lowest = low end
    if high == nil then open = true elseif highest == nil or high > highest then highest = high end
    parts[v] = '{"min":' .. num(value.low) .. ',"max":' .. num(value.high) .. ',"sources":'
      .. sorted_sources(value.sources) .. '}'
  end
  local low_s = lowest and string.format('%d', lowest) or 'null'
  local high_s = (open or highest == nil) and 'null' or string.format('%d', highest)
  local exact = (#order == 1 and low_s == high_s and low_s ~= 'null') and 'true' or 'false'
  return '{"date":"' .. day .. '","min":' .. low_s .. ',"max":' .. high_s .. ',"values":['
    .. table.concat(parts, ',') .. ']}', '{"min":' .. low_s .. ',"max":' .. high_s .. ',"exact":' .. exact .. '}'
end

-- Add a quantity fact (day\31min\31max from one outlet) to the event's `:obs` hash, which keeps per
-- day: f\31<day> the facts, j\31<day> the day's JSON. Returns nil when the fact was there, else the
-- new JSON of the observations (the latest OBSERVATION_DAYS days) and the count (the latest day's
-- range). Only the day that changed is rebuilt, so the cost does not grow with the history.
local function observe(okey, days, observation, source)
  local day, figure = string.match(observation, '^([^\31]*)\31(.*)$')
  local fact = figure .. SEP .. source
  local facts = redis.call('HGET', okey, 'f' .. SEP .. day)
  if facts then
    for existing in string.gmatch(facts, '[^\30]+') do
      if existing == fact then return nil end
    end
    facts = facts .. '\30' .. fact
  else
    facts = fact
  end
  local day_json, day_count = observation_day(day, facts)
  redis.call('HSET', okey, 'f' .. SEP .. day, facts, 'j' .. SEP .. day, day_json, 'c' .. SEP .. day, day_count)
  local list = {}
  local known = false
  for d in string.gmatch(days or '', '[^\30]+') do
    list[#list + 1] = d
    if d == day then known = true end
  end
  if not known then
    list[#list + 1] = day
    table.sort(list)
  end
  if #list == 1 then return '[' .. day_json .. ']', day_count, day end  -- one day: nothing else to read
  local first = math.max(1, #list - OBSERVATION_DAYS + 1)
  local wanted = {}
  for k = first, #list do wanted[#wanted + 1] = 'j' .. SEP .. list[k] end
  wanted[#wanted + 1] = 'c' .. SEP .. list[#list]
  local got = redis.call('HMGET', okey, unpack(wanted))
  local count = table.remove(got)
  return '[' .. table.concat(got, ',') .. ']', count, table.concat(list, '\30')
end

local touched_events, touched_list, entries, trimmed = {}, {}, {}, {}

-- Add one mention to its canonical event's state; returns the change kind ('none' when it was there).
-- Only set inserts and minima/maxima, so the state does not depend on the order of mentions. The
-- event's JSON, expiry and indexes are written once per batch (below), not once per mention.
local function merge(source, story, stamp, o)
  local cid = ARGV[o]
  local skey = 'sitrep:canon:' .. cid
  if redis.call('ZADD', skey .. ':mentions', 'NX', ARGV[o + 3], ARGV[o + 2]) == 0 then return 'none' end
  local origin_field, seen_field = 'so' .. SEP .. story, 'sn' .. SEP .. source
  local cur = redis.call('HMGET', skey, 'rank', 'trank', 'cmax', 'n', 'nonhist', 'ind', 'srcs', origin_field,
    seen_field, 'ix', 'days', 'seq')
  local rank, trank, cmax, n = cur[1], cur[2], cur[3], tonumber(cur[4]) or 0
  local nonhist, ind, srcs, origin = tonumber(cur[5]) or 0, tonumber(cur[6]) or 0, cur[7], cur[8]
  -- Independent sources: each story is credited to the outlet of its earliest report (by publication
  -- time, then id: not by arrival); the event counts the distinct outlets credited with a story.
  local delta = 0
  local mine = stamp .. SEP .. source
  if not origin or mine < origin then
    if redis.call('HINCRBY', skey, 'oc' .. SEP .. source, '1') == 1 then delta = delta + 1 end
    if origin then
      local previous = string.sub(origin, string.find(origin, SEP, 1, true) + 1)
      if redis.call('HINCRBY', skey, 'oc' .. SEP .. previous, '-1') == 0 then delta = delta - 1 end
    end
  end
  local update = { 'n', string.format('%d', n + 1), 'ind', string.format('%d', ind + delta), origin_field, (origin and origin < mine) and origin or mine }
  if not cur[9] then
    local list = srcs and cjson.decode(srcs) or {}
    list[#list + 1] = source
    update[#update + 1] = seen_field; update[#update + 1] = '1'
    update[#update + 1] = 'srcs'; update[#update + 1] = sorted_sources(list)
  end
  local item_rank, item_trank, confidence = ARGV[o + 4], ARGV[o + 6], ARGV[o + 8]
  if not rank or item_rank < rank then
    update[#update + 1] = 'rank'; update[#update + 1] = item_rank
    update[#update + 1] = 'base'; update[#update + 1] = ARGV[o + 5]
  end
  if not trank or item_trank < trank then
    update[#update + 1] = 'trank'; update[#update + 1] = item_trank
    update[#update + 1] = 'time'; update[#update + 1] = ARGV[o + 7]
  end
  if not cmax or tonumber(confidence) > tonumber(cmax) then
    update[#update + 1] = 'cmax'; update[#update + 1] = confidence
  end
  if ARGV[o + 9] == '0' then
    update[#update + 1] = 'nonhist'; update[#update + 1] = string.format('%d', nonhist + 1)
  end
  local touched = touched_events[cid]
  if touched == nil then
    -- Expiry and the global index are refreshed at most every REFRESH seconds: a busy
    -- event (a burst of copies) does not pay them for every batch.
    touched = { index = {}, refresh = not cur[10] or now - tonumber(cur[10]) >= REFRESH, kind = ARGV[o + 11] }
    touched_events[cid] = touched
    touched_list[#touched_list + 1] = cid
    if touched.refresh then
      update[#update + 1] = 'ix'; update[#update + 1] = now_s
    end
    -- Its creation number, once (an event stored before numbers existed gets one when next touched): the
    -- order GET /v1/events pages in, which new events only extend.
    if not cur[12] then
      touched.seq = string.format('%d', redis.call('INCR', 'sitrep:events:sequence:counter'))
      update[#update + 1] = 'seq'; update[#update + 1] = touched.seq
    end
  end
  for x = 1, tonumber(ARGV[o + 12]) do
    local index = ARGV[o + 12 + x]
    if x > 2 or touched.refresh then touched.index[index] = true end  -- 1: the global index (workers/dedup/canonical.py)
    trimmed[index] = true
  end
  local observation = ARGV[o + 10]
  if observation ~= '' then
    touched.has_obs = true
    local obs, count, days = observe(skey .. ':obs', cur[11], observation, source)
    if obs then
      touched.obs = true
      update[#update + 1] = 'obs'; update[#update + 1] = obs
      update[#update + 1] = 'count'; update[#update + 1] = count
      update[#update + 1] = 'days'; update[#update + 1] = days
    end
  end
  redis.call('HSET', skey, unpack(update))
  if not rank then return 'created' end
  if delta > 0 then return 'corroborated' end
  return 'mention'
end

-- render(cid, mentions_last) is defined in render.lua, which is loaded in front of this script.

local STRENGTH = { none = 0, mention = 1, corroborated = 2, created = 3 }

for _ = 1, nreports do
  local id, source, published, stamp, sig = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local nbands = tonumber(ARGV[i + 5])
  local bands = {}
  for b = 1, nbands do bands[b] = ARGV[i + 5 + b] end
  i = i + 6 + nbands
  local outcome, err, nitems = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  i = i + 3
  -- Items stay in ARGV: each is the offset of its first argument (a Lua table per item cost more).
  local items = {}
  for k = 1, nitems do
    items[k] = i
    i = i + 13 + tonumber(ARGV[i + 12])
  end
  local rkey = 'sitrep:report:' .. id
  local status = redis.call('HGET', rkey, 'status')
  if status ~= 'queued' and status ~= 'processing' then
    out[#out + 1] = id; out[#out + 1] = 'skipped'; out[#out + 1] = ''; out[#out + 1] = ''; out[#out + 1] = 0
  elseif outcome == 'failed' then
    redis.call('HSET', rkey, 'status', 'failed', 'error', err, 'failed_at', now_iso)
    redis.call('ZADD', 'sitrep:reports:failed', now_s .. '000', id)
    settled = settled + 1
    failed_now = failed_now + 1
    out[#out + 1] = id; out[#out + 1] = 'failed'; out[#out + 1] = ''; out[#out + 1] = ''; out[#out + 1] = 0
  else
    -- Near-duplicate: a report that shares a whole band with this one, and enough slots overall.
    local story, near = id, ''
    if nbands > 0 then
      local candidates = redis.call('HMGET', lsh_now, unpack(bands))
      local older = lsh_prev and redis.call('HMGET', lsh_prev, unpack(bands)) or {}
      local tried = {}
      for b = 1, nbands do
        local candidate = candidates[b] or older[b]
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
      -- A band held by an earlier report (in either bucket) keeps it; a free one is claimed. Nothing
      -- else runs between the HMGETs above and this HSET, so two workers never both claim a band.
      local claim = {}
      for b = 1, nbands do
        if not candidates[b] and not older[b] then
          claim[#claim + 1] = bands[b]; claim[#claim + 1] = id
        end
      end
      if #claim > 0 then
        redis.call('HSET', lsh_now, unpack(claim))
        lsh_written = true
      end
    end
    local contributions, events, listed = {}, {}, {}
    out[#out + 1] = id; out[#out + 1] = 'done'; out[#out + 1] = story; out[#out + 1] = near
    out[#out + 1] = #items
    local strongest, order, kinds = {}, {}, {}
    for _, o in ipairs(items) do
      local cid, mention_id = ARGV[o], ARGV[o + 1]
      local change = merge(source, story, stamp, o)
      out[#out + 1] = cid; out[#out + 1] = mention_id; out[#out + 1] = change
      contributions[#contributions + 1] = '{"event_id":' .. cjson.encode(cid) .. ',"mention_id":'
        .. cjson.encode(mention_id) .. ',"change":"' .. change .. '"}'
      if not listed[cid] then
        listed[cid] = true
        events[#events + 1] = cjson.encode(cid)
        order[#order + 1] = cid
        strongest[cid] = change
        kinds[cid] = ARGV[o + 11]
      elseif STRENGTH[change] > STRENGTH[strongest[cid]] then
        strongest[cid] = change
      end
    end
    -- One stream entry per canonical event this report changed (none for a mention already there).
    for _, cid in ipairs(order) do
      if strongest[cid] ~= 'none' then
        entries[#entries + 1] = { cid, id, source, published, strongest[cid], kinds[cid] }
      end
    end
    local fields = { 'status', 'done', 'story', story, 'minhash', sig, 'done_at', now_iso,
      'events', '[' .. table.concat(events, ',') .. ']',
      'contributions', '[' .. table.concat(contributions, ',') .. ']' }
    if near ~= '' then
      fields[#fields + 1] = 'near_duplicate_of'; fields[#fields + 1] = near
    end
    redis.call('HSET', rkey, unpack(fields))
    settled = settled + 1
  end
end
settle_reports(settled - failed_now, failed_now)

-- Every entry names its event; only the kinds a place's situation is made of carry its JSON (the
-- notifier's input), and that with an empty `mentions` list. Attacks, strikes, talks... and the
-- mentions are rendered from the event's state by whoever wants them (core/event_reader.py): they were
-- most of the stream's memory.
local SITUATION = { control_change = true, control_state = true, control_denial = true, civilian_count = true }

-- Once per changed event: its expiry and index entries, and for the kinds the notifier reads, the JSON
-- the stream carries; then the stream entries, in report order, each with its event as it stands at
-- the end of the batch; then trim what expired from the indexes. The event's full JSON is not written:
-- readers render it from the same state (render.lua), which cost a tenth of this script per batch.
for _, cid in ipairs(touched_list) do
  local touched = touched_events[cid]
  local skey = 'sitrep:canon:' .. cid
  if SITUATION[touched.kind] then touched.slim = render(cid, nil) end
  if ttl > 0 then
    if touched.refresh then
      redis.call('EXPIRE', skey, ttl_s)
      redis.call('EXPIRE', skey .. ':mentions', ttl_s)
    end
    if touched.obs or (touched.refresh and touched.has_obs) then redis.call('EXPIRE', skey .. ':obs', ttl_s) end
  end
  for index, _ in pairs(touched.index) do redis.call('ZADD', index, now_s, cid) end
  if touched.seq then redis.call('ZADD', 'sitrep:events:sequence', touched.seq, cid) end
end
for _, entry in ipairs(entries) do
  if SITUATION[entry[6]] then
    redis.call('XADD', 'sitrep:events', '*', 'kind', entry[6], 'event_id', entry[1],
      'event', touched_events[entry[1]].slim, 'report_id', entry[2], 'source', entry[3],
      'published_at', entry[4], 'change', entry[5])
  else
    redis.call('XADD', 'sitrep:events', '*', 'kind', entry[6], 'event_id', entry[1],
      'report_id', entry[2], 'source', entry[3], 'published_at', entry[4], 'change', entry[5])
  end
end
if lsh_written and lsh_expire then
  redis.call('EXPIREAT', lsh_now, lsh_expire)
  redis.call('UNLINK', lsh_old)
end
if ttl > 0 then
  local cutoff = string.format('%d', now - ttl)
  -- Expired events leave the sequence with the global index, a bounded number per batch.
  local gone = redis.call('ZRANGEBYSCORE', 'sitrep:events:index', '-inf', cutoff, 'LIMIT', '0', '500')
  if #gone > 0 then
    redis.call('ZREM', 'sitrep:events:sequence', unpack(gone))
    redis.call('ZREM', 'sitrep:events:index', unpack(gone))
  end
  trimmed['sitrep:events:index'] = nil
  for index, _ in pairs(trimmed) do redis.call('ZREMRANGEBYSCORE', index, '-inf', cutoff) end
end
return out
