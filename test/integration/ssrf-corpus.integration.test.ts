import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodemailerMailVerifier } from '../../src/adapters/gateways/smtp/nodemailer-mail-verifier.js';
import type { SmtpLogin } from '../../src/application/ports/mail-verifier.js';

// A stand-in for DNS: names only this table knows, so no lookup ever leaves the machine.
const DNS: Record<string, string[]> = {
  localhost: ['127.0.0.1', '::1'],
  'localhost.': ['127.0.0.1'],
  'metadata.google.internal': ['169.254.169.254'],
  'private.test': ['10.0.0.5'],
  'v6-loopback.test': ['::1'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'public-and-private.test': ['93.184.216.34', '127.0.0.1'],
  'public-and-v6-loopback.test': ['93.184.216.34', '::1'],
};

let sinkhole: Server;
let sinkholePort: number;
let connections = 0;
const sockets = new Set<Socket>();
const lookups: string[] = [];

beforeAll(async () => {
  sinkhole = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => sinkhole.listen(0, '127.0.0.1', resolve));
  sinkholePort = (sinkhole.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => sinkhole.close(resolve));
});

/** The production guard, except that the sinkhole's port counts as an SMTP port so a slip would reach it. */
const guarded = () =>
  new NodemailerMailVerifier({
    timeoutMs: 2000,
    allowPrivateHosts: false,
    allowPort: (port) => port === sinkholePort,
    resolve: async (host) => {
      lookups.push(host);
      const found = DNS[host];
      if (found === undefined) throw new Error(`ENOTFOUND ${host}`);
      return found;
    },
  });

const login = (host: string, port = sinkholePort): SmtpLogin => ({
  emailAddress: 'me@example.com',
  host,
  port,
  username: 'me@example.com',
  password: 'CANARY_PW_ssrf',
});

describe('SSRF corpus: every internal target is refused without a connection', () => {
  it.each([
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
  ])('refuses the address literal %s without a DNS lookup', async (host, shown) => {
    const before = lookups.length;

    const result = await guarded().verify(login(host));

    expect(result).toEqual({
      ok: false,
      failure: {
        code: 'smtp_host_not_allowed',
        detail: `The SMTP host ${shown} cannot be used: it was not found, or it points to a private or reserved network address, which this service does not connect to.`,
      },
    });
    expect(lookups.length).toBe(before);
    expect(connections).toBe(0);
  });

  it.each([
    ['localhost', 'localhost'],
    ['LOCALHOST.', 'localhost.'],
    ['ⓛⓞⓒⓐⓛⓗⓞⓢⓣ', 'localhost'],
    ['metadata.google.internal', 'metadata.google.internal'],
    ['private.test', 'private.test'],
    ['v6-loopback.test', 'v6-loopback.test'],
    ['mapped.test', 'mapped.test'],
    ['public-and-private.test', 'public-and-private.test'],
    ['public-and-v6-loopback.test', 'public-and-v6-loopback.test'],
  ])('refuses the name %s, which resolves to an internal address', async (host, canonical) => {
    const result = await guarded().verify(login(host));

    expect(result).toEqual({
      ok: false,
      failure: {
        code: 'smtp_host_not_allowed',
        detail: `The SMTP host ${canonical} cannot be used: it was not found, or it points to a private or reserved network address, which this service does not connect to.`,
      },
    });
    expect(lookups.at(-1)).toBe(canonical);
    expect(connections).toBe(0);
  });

  it.each([
    ['an invalid IPv4 number', '999.1.1.1'],
    ['user info smuggled into the host', 'smtp.example.com@127.0.0.1'],
    ['a port smuggled into the host', 'smtp.example.com:25'],
    ['a path', 'smtp.example.com/x'],
  ])('refuses %s as a host that cannot exist', async (_, host) => {
    const before = lookups.length;

    const result = await guarded().verify(login(host));

    expect(result).toEqual({
      ok: false,
      failure: {
        code: 'smtp_host_not_allowed',
        detail: `The SMTP host ${host} cannot be used: it was not found, or it points to a private or reserved network address, which this service does not connect to.`,
      },
    });
    expect(lookups.length).toBe(before);
    expect(connections).toBe(0);
  });
});

describe('SMTP port allowlist', () => {
  it.each([22, 80, 443, 2587, 3306, 5432, 6379, 8080, 11211])(
    'refuses port %i before resolving or connecting, even where private hosts are allowed',
    async (port) => {
      const before = lookups.length;
      const verifier = new NodemailerMailVerifier({
        timeoutMs: 2000,
        allowPrivateHosts: true,
        resolve: async (host) => {
          lookups.push(host);
          return ['127.0.0.1'];
        },
      });

      const result = await verifier.verify(login('smtp.example.com', port));

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_port_not_allowed',
          detail: `The SMTP port ${port} is not one this service connects to; use 465 (TLS) or 587 (STARTTLS).`,
        },
      });
      expect(lookups.length).toBe(before);
    },
  );

  it.each([25, 465, 587, 2525])('lets port %i through to the address check', async (port) => {
    const verifier = new NodemailerMailVerifier({ timeoutMs: 2000, allowPrivateHosts: false });

    const result = await verifier.verify(login('10.0.0.5', port));

    expect(result).toMatchObject({ ok: false, failure: { code: 'smtp_host_not_allowed' } });
  });
});

describe('one refusal for hosts that do not resolve and hosts that are internal (R14, issue 14)', () => {
  const refusal = (host: string) => ({
    ok: false,
    failure: {
      code: 'smtp_host_not_allowed',
      detail: `The SMTP host ${host} cannot be used: it was not found, or it points to a private or reserved network address, which this service does not connect to.`,
    },
  });

  it.each([
    ['a name that resolves to an internal address', 'private.test'],
    ['a name that does not resolve', 'nowhere.test'],
    ['a name that resolves to no address at all', 'empty.test'],
    ['a host that cannot exist', '999.1.1.1'],
    ['an internal address literal', '10.0.0.5'],
  ])('answers %s with the same refusal', async (_, host) => {
    DNS['empty.test'] = [];

    expect(await guarded().verify(login(host))).toEqual(refusal(host));
    expect(connections).toBe(0);
  });
});
