import { lookup } from 'node:dns/promises';
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

/** Resolves a host name to IP addresses with the system resolver (`dns.lookup`, so /etc/hosts counts). */
export const systemResolve = async (host: string): Promise<string[]> =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** X.509 verification codes from OpenSSL, and Node's own TLS/SSL error codes. */
export const TLS_ERROR_CODE =
  /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|INVALID_CA)/;

/**
 * The address to connect to for a user-chosen (canonical) host, once every address it resolves to has
 * passed the network policy; null when it does not resolve or any address is not public unicast (unless
 * `allowPrivateHosts`). IPv4 first: a host with both families stays reachable without IPv6 routing.
 */
export async function allowedAddress(
  host: string,
  options: { readonly allowPrivateHosts: boolean; readonly resolve: (host: string) => Promise<string[]> },
): Promise<string | null> {
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await options.resolve(host);
  } catch {
    return null;
  }
  if (!options.allowPrivateHosts && !addresses.every(isPublicUnicast)) return null;
  return addresses.find((candidate) => isIP(candidate) === 4) ?? addresses[0] ?? null;
}
