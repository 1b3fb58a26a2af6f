-- begin: leases the events of a batch before their handlers run (one call per batch).
-- KEYS[1] the stream; KEYS[2..] one handled key per event ({<stream>}:handled:<group>:<eventId>).
-- ARGV: group, lease token, lease ms, then per event: n, and its n entry ids (an event published
-- twice can arrive twice in one batch).
-- Reply, per event: 'leased' (run its handler), 'done' (handled before: its entries are acked
-- here, the handler is not run again) or 'busy' (another consumer holds its lease: left pending).
local stream, group, token, lease = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local out = {}
local a = 4
for i = 2, #KEYS do
  local n = tonumber(ARGV[a])
  local state = redis.call('GET', KEYS[i])
  if state == 'done' then
    for j = 1, n do redis.call('XACK', stream, group, ARGV[a + j]) end
    out[#out + 1] = 'done'
  elseif state then
    out[#out + 1] = 'busy'
  else
    redis.call('SET', KEYS[i], token, 'PX', lease)
    out[#out + 1] = 'leased'
  end
  a = a + n + 1
end
return out
