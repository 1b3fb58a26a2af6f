-- dead-letter: copies an entry to its stream's dead-letter stream, then acks it, atomically. If
-- the copy cannot be written (the key holds another type, Redis is out of memory), nothing else
-- happens: the error is the reply and the entry stays pending, so it is never lost.
-- KEYS[1] the stream; KEYS[2] its dead-letter stream; KEYS[3] (optional) the event's handled key.
-- ARGV: group, lease token, entry id, then the dead-letter entry's field/value pairs.
local added = redis.pcall('XADD', KEYS[2], '*', unpack(ARGV, 4))
if type(added) == 'table' and added.err then
  return added
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
if KEYS[3] and redis.call('GET', KEYS[3]) == ARGV[2] then
  redis.call('DEL', KEYS[3])
end
return added
