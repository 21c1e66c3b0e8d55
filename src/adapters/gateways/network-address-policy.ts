import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

// Global unicast is only ever allocated from 2000::/3; anything else (including the deprecated
// IPv4-compatible ::a.b.c.d form, which ipaddr.js calls `unicast`) is no public destination.
const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * True when `address` is an IP literal that is safe for an outbound connection to a user-chosen host:
 * a public unicast address. Loopback, private, link-local, unique-local, CGNAT, multicast, unspecified,
 * broadcast, documentation/reserved ranges and the IPv6 forms that embed an IPv4 address (mapped,
 * 6to4, Teredo, NAT64) are all refused, as is anything that is not a plain IP literal.
 */
export function isPublicUnicast(address: string): boolean {
  if (isIP(address) === 0) return false;
  // process() turns ::ffff:a.b.c.d into a.b.c.d, so a mapped address is judged as the IPv4 it reaches.
  const parsed = ipaddr.process(address);
  if (parsed.range() !== 'unicast') return false;
  return parsed.kind() === 'ipv4' || parsed.match(IPV6_GLOBAL_UNICAST);
}

/**
 * The host as a connection would reach it: a lower-case ASCII name or a plain IP literal, or null when it
 * is neither. WHATWG URL parsing applies UTS-46 (fullwidth digits, case, IDN to punycode) and reads the
 * IPv4 number forms that `getaddrinfo` accepts (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`) as the
 * address they mean, so every spelling is judged by the address it reaches.
 */
export function canonicalHost(host: string): string | null {
  const unbracketed = /^\[(.*)\]$/.exec(host)?.[1] ?? host;
  if (isIP(unbracketed) === 6) return unbracketed;
  if (/[\s/?#@:\\%[\]]/u.test(host)) return null;
  try {
    return new URL(`http://${host}/`).hostname || null;
  } catch {
    return null;
  }
}
