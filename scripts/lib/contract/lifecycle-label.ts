import type { Lifecycle } from './load-contract.js';

/**
 * A lifecycle in words, for the docs: `dual-publish since 2026-11-27`, `deprecated, use x.y`.
 *
 * @example
 * lifecycleLabel({ state: 'dual-publish', dualPublishSince: '2026-11-27' }); // 'lifecycle: dual-publish since 2026-11-27'
 */
export function lifecycleLabel(lifecycle: Lifecycle): string {
  const since = lifecycle.state === 'enforced' ? lifecycle.enforcedSince : lifecycle.state === 'deprecated' ? lifecycle.deprecatedSince : lifecycle.dualPublishSince;
  const when = lifecycle.state !== 'draft' && since ? ` since ${since}` : '';
  const replacement = lifecycle.state === 'deprecated' && lifecycle.replacement ? `, use ${lifecycle.replacement}` : '';
  return `lifecycle: ${lifecycle.state}${when}${replacement}`;
}
