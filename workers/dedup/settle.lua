-- Shared by merge.lua and fail_reports.lua: what every script that settles reports must do after.

-- `settled` reports no longer wait: the admission backlog counter drops (services/api/admission.py), never
-- below zero (reports stored before the counter existed would otherwise hide as many new ones). With
-- `failed` new entries in the failed index, it forgets as many of its oldest entries whose record expired
-- (report TTL), and one more, so it never outgrows the reports it names.
local function settle_reports(settled, failed)
  if settled > 0 and redis.call('DECRBY', 'sitrep:reports:backlog', settled) < 0 then
    redis.call('SET', 'sitrep:reports:backlog', 0)
  end
  if failed > 0 then
    for _, old in ipairs(redis.call('ZRANGE', 'sitrep:reports:failed', 0, failed)) do
      if redis.call('EXISTS', 'sitrep:report:' .. old) == 0 then redis.call('ZREM', 'sitrep:reports:failed', old) end
    end
  end
end

