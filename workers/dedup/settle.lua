-- Shared by merge.lua and fail_reports.lua: what every script that settles reports must do after.

-- `done` and `failed` reports no longer wait: the admission backlog counter drops
-- (services/api/admission.py), never below zero (reports stored before the counter existed would
-- otherwise hide as many new ones). Each outcome is counted in sitrep_reports_processed_total here, in
-- the write that settles the reports (core/metrics.py): a worker killed after it, or a retry that finds
-- them settled, neither loses nor repeats the count. With `failed` new entries in the failed index, it
-- forgets as many of its oldest entries whose record expired (report TTL), and one more, so it never
-- outgrows the reports it names.
local function settle_reports(done, failed)
  local settled = done + failed
  if settled > 0 and redis.call('DECRBY', 'sitrep:reports:backlog', settled) < 0 then
    redis.call('SET', 'sitrep:reports:backlog', 0)
  end
  if done > 0 then redis.call('HINCRBY', 'sitrep:metric:sitrep_reports_processed_total', 'done', done) end
  if failed > 0 then
    redis.call('HINCRBY', 'sitrep:metric:sitrep_reports_processed_total', 'failed', failed)
    for _, old in ipairs(redis.call('ZRANGE', 'sitrep:reports:failed', 0, failed)) do
      if redis.call('EXISTS', 'sitrep:report:' .. old) == 0 then redis.call('ZREM', 'sitrep:reports:failed', old) end
    end
  end
end
