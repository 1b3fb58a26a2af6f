-- commit: handlers succeeded. Each event's done mark and the XACK of its entries in one atomic
-- step, so a crash can never leave an event acked without its mark (handled again) or marked
-- without its ack. The events whose handlers finished together are committed in one call.
-- KEYS[1] the stream; KEYS[2..] the events' handled keys.
-- ARGV: group, idempotency window ms, then per event: n, and its n entry ids.
local stream, group, window = KEYS[1], ARGV[1], ARGV[2]
local acked = 0
local a = 3
for i = 2, #KEYS do
  local n = tonumber(ARGV[a])
  redis.call('SET', KEYS[i], 'done', 'PX', window)
  acked = acked + redis.call('XACK', stream, group, unpack(ARGV, a + 1, a + n))
  a = a + n + 1
end
return acked
