/**
 * Builds a JSON pointer (RFC 6901) from path segments, escaping `~` and `/`.
 *
 * @example
 * jsonPointer(['channels', 'payment.completed', 'address']); // '/channels/payment.completed/address'
 */
export function jsonPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}
