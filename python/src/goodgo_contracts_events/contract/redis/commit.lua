-- commit: a handler succeeded. The done mark and the XACK in one atomic step, so a crash can
-- never leave an event acked without its mark (handled again) or marked without its ack.
-- KEYS[1] the stream; KEYS[2] the event's handled key.
-- ARGV: group, idempotency window ms, then the event's entry ids.
redis.call('SET', KEYS[2], 'done', 'PX', ARGV[2])
return redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 3))
