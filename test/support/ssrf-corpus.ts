// The internal targets every outbound mail connection (SMTP, IMAP) must refuse without connecting.

/** A stand-in for DNS: names only this table knows, so no lookup ever leaves the machine. */
export const SSRF_DNS: Record<string, string[]> = {
  localhost: ['127.0.0.1', '::1'],
  'localhost.': ['127.0.0.1'],
  'metadata.google.internal': ['169.254.169.254'],
  'private.test': ['10.0.0.5'],
  'v6-loopback.test': ['::1'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'public-and-private.test': ['93.184.216.34', '127.0.0.1'],
  'public-and-v6-loopback.test': ['93.184.216.34', '::1'],
};

/** Resolves from SSRF_DNS, recording each name asked for; unknown names do not resolve. */
export function ssrfResolver(lookups: string[]) {
  return async (host: string): Promise<string[]> => {
    lookups.push(host);
    const found = SSRF_DNS[host];
    if (found === undefined) throw new Error(`ENOTFOUND ${host}`);
    return found;
  };
}

/** [address literal as given, as the refusal shows it]: refused without a DNS lookup. */
export const INTERNAL_ADDRESS_LITERALS: readonly (readonly [string, string])[] = [
  // loopback, spelled every way getaddrinfo or a URL parser accepts
  ['127.0.0.1', '127.0.0.1'],
  ['127.1', '127.0.0.1'],
  ['2130706433', '127.0.0.1'],
  ['0x7f000001', '127.0.0.1'],
  ['0177.0.0.1', '127.0.0.1'],
  ['017700000001', '127.0.0.1'],
  ['127.000.000.001', '127.0.0.1'],
  ['127.0.0.1.', '127.0.0.1'],
  ['１２７.０.０.１', '127.0.0.1'],
  ['0.0.0.0', '0.0.0.0'],
  ['0', '0.0.0.0'],
  // private, shared and link-local ranges, cloud metadata
  ['10.0.0.5', '10.0.0.5'],
  ['172.16.0.1', '172.16.0.1'],
  ['192.168.0.1', '192.168.0.1'],
  ['100.64.0.1', '100.64.0.1'],
  ['169.254.169.254', '169.254.169.254'],
  ['0xa9fea9fe', '169.254.169.254'],
  ['224.0.0.1', '224.0.0.1'],
  // IPv6 loopback and the forms that embed an IPv4 address
  ['[::1]', '::1'],
  ['::1', '::1'],
  ['::ffff:127.0.0.1', '::ffff:127.0.0.1'],
  ['[::ffff:7f00:1]', '::ffff:7f00:1'],
  ['64:ff9b::a9fe:a9fe', '64:ff9b::a9fe:a9fe'],
  ['2002:7f00:1::', '2002:7f00:1::'],
  ['fe80::1', 'fe80::1'],
  ['fd00::1', 'fd00::1'],
];

/** [name as given, canonical name]: names SSRF_DNS resolves to an internal address. */
export const INTERNAL_NAMES: readonly (readonly [string, string])[] = [
  ['localhost', 'localhost'],
  ['LOCALHOST.', 'localhost.'],
  ['ⓛⓞⓒⓐⓛⓗⓞⓢⓣ', 'localhost'],
  ['metadata.google.internal', 'metadata.google.internal'],
  ['private.test', 'private.test'],
  ['v6-loopback.test', 'v6-loopback.test'],
  ['mapped.test', 'mapped.test'],
  ['public-and-private.test', 'public-and-private.test'],
  ['public-and-v6-loopback.test', 'public-and-v6-loopback.test'],
];

/** [what it is, host]: hosts that cannot exist, refused without a DNS lookup. */
export const IMPOSSIBLE_HOSTS: readonly (readonly [string, string])[] = [
  ['an invalid IPv4 number', '999.1.1.1'],
  ['user info smuggled into the host', 'smtp.example.com@127.0.0.1'],
  ['a port smuggled into the host', 'smtp.example.com:25'],
  ['a path', 'smtp.example.com/x'],
];
