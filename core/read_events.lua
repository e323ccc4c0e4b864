-- ARGV: index of the last mention to list ('-' for none), then event ids. Returns each event's JSON or false.
local last = ARGV[1] ~= '-' and ARGV[1] or nil
local out = {}
for k = 2, #ARGV do out[k - 1] = render(ARGV[k], last) or false end
return out
