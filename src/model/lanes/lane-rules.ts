import { isDns1123Label, isHeaderValue, requireHeaderName } from '../names';
import { Problems } from '../problem';

/** Longest lane name: `lane-<name>` (subset and rule name) must stay a DNS-1123 label. */
export const MAX_LANE_NAME = 58;

/**
 * Headers a lane cannot travel in: hop-by-hop headers (proxies drop them, so they never reach
 * the next service), headers that describe the message itself, and Envoy's internal ones.
 */
const RESERVED_HEADERS = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'host', 'content-length', 'content-type', 'content-encoding', 'expect', 'cookie', 'authorization',
]);

/** Asserts a lane name: a DNS-1123 label short enough for `lane-<name>`. */
export function requireLaneName(p: Problems, name: string): void {
  if (!isDns1123Label(name) || name.length > MAX_LANE_NAME) {
    p.add('name', `${JSON.stringify(name)} is not a lane name`,
      `use at most ${MAX_LANE_NAME} lowercase letters, digits and "-", starting and ending with a letter or digit (it names the lane's subset "lane-<name>" and its pods' labels)`);
  }
}

/** Asserts a header that can carry a lane from service to service. */
export function requireLaneHeader(p: Problems, header: string): void {
  requireHeaderName(p, 'header', header);
  if (RESERVED_HEADERS.has(header) || header.startsWith('x-envoy-')) {
    p.add('header', `"${header}" cannot carry a lane (proxies drop, rewrite or own it)`, 'use a header of your own, e.g. "x-lane" or the seed\'s "my-request-id"');
  }
}

/**
 * Asserts a lane value: a safe header value (printable ASCII, no `%`) that survives HTTP and
 * the `name=header:value,...` annotation intact: no comma, no leading or trailing space (HTTP
 * trims them, so an exact match would never hold).
 */
export function requireLaneValue(p: Problems, value: string, prop: string = 'value'): void {
  if (!isHeaderValue(value) || value.length > 256 || value.includes(',') || value.trim() !== value) {
    p.add(prop, `${JSON.stringify(value)} is not a lane value`,
      'use 1 to 256 printable ASCII characters without "%" or ",", not starting or ending with a space (the default is the lane name)');
  }
}
