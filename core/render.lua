-- The canonical event as JSON, assembled from its stored parts (sitrep:canon:{id}, its :mentions);
-- shared by the merge script (the stream's copy of a situation event, no mentions) and the event
-- reader (the API: with the earliest mentions). Its cost does not grow with the mentions.
-- `mentions_last` is the index of the last mention to list ('2' for three), or nil for none.
-- Returns nil when the event is not stored (never was, or expired).
local function render(cid, mentions_last)
  local skey = 'sitrep:canon:' .. cid
  local f = redis.call('HMGET', skey, 'base', 'time', 'cmax', 'n', 'nonhist', 'ind', 'srcs', 'obs', 'count')
  if not f[1] then return nil end
  local ind = tonumber(f[6])
  local confidence = 1 - (1 - tonumber(f[3])) * (0.5 ^ (ind - 1))
  local mentions = ''
  if mentions_last then
    mentions = table.concat(redis.call('ZRANGE', skey .. ':mentions', '0', mentions_last), ',')
  end
  local parts = {
    '{"id":"', cid, '",', string.sub(f[1], 2, -2),
    ',"time":', f[2],
    ',"historical":', (tonumber(f[5]) or 0) > 0 and 'false' or 'true',
    ',"confidence":', string.format('%.3f', confidence),
  }
  if f[9] and f[9] ~= '' then parts[#parts + 1] = ',"count":' .. f[9] end
  parts[#parts + 1] = ',"mentions":[' .. mentions .. '],"mention_count":'
  parts[#parts + 1] = f[4]
  parts[#parts + 1] = ',"sources":'
  parts[#parts + 1] = f[7]
  parts[#parts + 1] = ',"independent_sources":'
  parts[#parts + 1] = f[6]
  if f[8] and f[8] ~= '' then parts[#parts + 1] = ',"observations":' .. f[8] end
  parts[#parts + 1] = '}'
  return table.concat(parts)
end
