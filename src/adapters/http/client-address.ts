import type { Context, MiddlewareHandler } from 'hono';
import ipaddr from 'ipaddr.js';
import type { AppEnv } from './app-env.js';

const UNKNOWN = 'unknown';

/** An IP address in one canonical text form (IPv4-mapped IPv6 becomes IPv4), or `unknown`. */
export function normalizeAddress(raw: string | undefined): string {
  const candidate = raw?.trim().replace(/^\[(.*)\]$/, '$1');
  if (candidate === undefined || !ipaddr.isValid(candidate)) return UNKNOWN;
  return ipaddr.process(candidate).toString();
}

/**
 * The unit a client is limited as: one IPv4 address, or one IPv6 /64 (a single subscriber usually holds a
 * whole /64, so limiting single IPv6 addresses would let one client rotate through billions).
 */
export function addressBucket(address: string): string {
  if (!ipaddr.IPv6.isValid(address)) return address;
  const groups = ipaddr.IPv6.parse(address).toNormalizedString().split(':').slice(0, 4);
  return `${groups.join(':')}::/64`;
}

/**
 * Sets the client's address: from the socket, or, behind a reverse proxy, from the one header that proxy
 * sets (its last entry, the hop the proxy itself saw). Other forwarding headers are client-controlled and
 * ignored.
 */
export function resolveClientAddress(
  socketAddress: (c: Context) => string | undefined,
  trustedHeader: string | null,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const raw = trustedHeader === null ? socketAddress(c) : c.req.header(trustedHeader)?.split(',').at(-1);
    c.set('clientAddress', normalizeAddress(raw));
    await next();
  };
}
