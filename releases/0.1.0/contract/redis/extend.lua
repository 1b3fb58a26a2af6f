-- extend: the heartbeat of a batch whose handlers are still running. For each event whose lease
-- is still this consumer's: renew the lease and reset its entries' idle time (XCLAIM to itself,
-- JUSTID: no delivery is counted), so XAUTOCLAIM elsewhere never takes a slow but healthy batch.
-- KEYS[1] the stream; KEYS[2..] handled keys.
-- ARGV: group, consumer, lease token, lease ms, then per event: n, and its n entry ids.
-- Reply, per event: 1 (extended) or 0 (the lease was lost).
local stream, group, consumer, token, lease = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local out = {}
local a = 5
for i = 2, #KEYS do
  local n = tonumber(ARGV[a])
  if redis.call('GET', KEYS[i]) == token then
    redis.call('PEXPIRE', KEYS[i], lease)
    local claim = { 'XCLAIM', stream, group, consumer, 0 }
    for j = 1, n do claim[#claim + 1] = ARGV[a + j] end
    claim[#claim + 1] = 'JUSTID'
    redis.call(unpack(claim))
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
  a = a + n + 1
end
return out
