-- release: a handler failed and the event will be retried. Drops the lease only if it is still
-- this consumer's, so that a lease another consumer took since is never deleted.
-- KEYS[1] the event's handled key. ARGV: lease token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
