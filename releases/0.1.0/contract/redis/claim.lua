-- claim: takes over entries pending longer than the idle timeout (a failed handler, a crashed
-- consumer) with XAUTOCLAIM, and reads each one's delivery count, in one call.
-- KEYS[1] the stream. ARGV: group, consumer, min idle ms, start id, count.
-- Reply: { next start id, entries, ids of pending entries that were trimmed away (reported, they
-- cannot be recovered), delivery count of each entry }.
local stream, group = KEYS[1], ARGV[1]
local r = redis.call('XAUTOCLAIM', stream, group, ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local counts = {}
for i, entry in ipairs(r[2]) do
  local p = redis.call('XPENDING', stream, group, entry[1], entry[1], 1)
  counts[i] = p[1] and p[1][4] or 1
end
return { r[1], r[2], r[3] or {}, counts }
