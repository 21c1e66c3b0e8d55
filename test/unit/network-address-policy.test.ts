import { describe, expect, it } from 'vitest';
import { isPublicUnicast } from '../../src/adapters/gateways/network-address-policy.js';

describe('isPublicUnicast', () => {
  it.each([
    ['public IPv4', '93.184.216.34'],
    ['public IPv4 next to a private range', '172.32.0.1'],
    ['public IPv6', '2606:4700:4700::1111'],
    ['IPv4-mapped public IPv4', '::ffff:8.8.8.8'],
  ])('allows %s (%s)', (_, address) => {
    expect(isPublicUnicast(address)).toBe(true);
  });

  it.each([
    ['IPv4 loopback', '127.0.0.1'],
    ['IPv4 loopback, not .1', '127.5.6.7'],
    ['private 10/8', '10.0.0.5'],
    ['private 172.16/12', '172.31.255.255'],
    ['private 192.168/16', '192.168.1.1'],
    ['link-local (cloud metadata)', '169.254.169.254'],
    ['CGNAT', '100.64.0.1'],
    ['multicast', '224.0.0.251'],
    ['unspecified', '0.0.0.0'],
    ['this-network 0/8', '0.1.2.3'],
    ['broadcast', '255.255.255.255'],
    ['reserved 240/4', '240.0.0.1'],
    ['documentation TEST-NET-1', '192.0.2.10'],
    ['benchmarking 198.18/15', '198.18.0.1'],
    ['IPv6 loopback', '::1'],
    ['IPv6 unspecified', '::'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 link-local with zone', 'fe80::1%eth0'],
    ['IPv6 unique-local', 'fd12:3456::1'],
    ['IPv6 multicast', 'ff02::1'],
    ['IPv6 documentation', '2001:db8::1'],
    ['IPv6 site-local (deprecated)', 'fec0::1'],
    ['IPv6 discard-only', '100::1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped loopback, hex form', '::ffff:7f00:1'],
    ['IPv4-mapped private', '::ffff:10.0.0.1'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
    ['IPv4-translated (RFC 6145)', '::ffff:0:7f00:1'],
    ['IPv4-compatible (deprecated)', '::127.0.0.1'],
    ['NAT64 well-known prefix', '64:ff9b::7f00:1'],
    ['NAT64 local-use prefix', '64:ff9b:1::a00:1'],
    ['6to4', '2002:7f00:1::1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['not an IP literal', 'example.com'],
    ['shorthand IPv4 (inet_aton form)', '127.1'],
    ['empty string', ''],
  ])('refuses %s (%s)', (_, address) => {
    expect(isPublicUnicast(address)).toBe(false);
  });
});
