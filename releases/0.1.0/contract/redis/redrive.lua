-- redrive: sends one dead letter back to the group that gave up on it, and to no other: its
-- original fields (the deadLetter.* fields dropped, original.<name> restored to <name>) are added
-- to that group's retry stream, which the group's consumers read beside the main stream, and the
-- dead letter is deleted, in one atomic step: killed at any point, nothing is lost or duplicated.
-- KEYS[1] the dead-letter stream; KEYS[2] the group's retry stream ({<stream>}:retry:<group>).
-- ARGV: the dead letter's entry id, the dead-letter field prefix, the shadow prefix.
-- Reply: the new entry id, or false when the dead letter is gone (redriven or purged already).
local rows = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #rows == 0 then
  return false
end
local fields, out = rows[1][2], {}
local ours, shadow = ARGV[2], ARGV[3]
for i = 1, #fields, 2 do
  local name = fields[i]
  if string.sub(name, 1, #shadow) == shadow then
    out[#out + 1] = string.sub(name, #shadow + 1)
    out[#out + 1] = fields[i + 1]
  elseif string.sub(name, 1, #ours) ~= ours then
    out[#out + 1] = name
    out[#out + 1] = fields[i + 1]
  end
end
local id = redis.call('XADD', KEYS[2], '*', unpack(out))
redis.call('XDEL', KEYS[1], ARGV[1])
return id
