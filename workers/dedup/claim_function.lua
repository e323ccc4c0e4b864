-- Marks queued reports 'processing'; appends (id, status, payload) per report to `out`, the payload of
-- pending ones only.
local function claim(ids, out)
  for k = 1, #ids do
    local key = 'sitrep:report:' .. ids[k]
    local status = redis.call('HGET', key, 'status') or 'missing'
    local payload = ''
    if status == 'queued' or status == 'processing' then
      payload = redis.call('HGET', key, 'report') or ''
      if status == 'queued' then redis.call('HSET', key, 'status', 'processing') end
    end
    out[#out + 1] = ids[k]
    out[#out + 1] = status
    out[#out + 1] = payload
  end
  return out
end
