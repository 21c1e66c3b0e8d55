import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodemailerMailVerifier } from '../../src/adapters/gateways/smtp/nodemailer-mail-verifier.js';
import type { SmtpLogin } from '../../src/application/ports/mail-verifier.js';
import { type SilentServer, startSilentServer } from '../support/silent-server.js';
import {
  IMPOSSIBLE_HOSTS,
  INTERNAL_ADDRESS_LITERALS,
  INTERNAL_NAMES,
  SSRF_DNS,
  ssrfResolver,
} from '../support/ssrf-corpus.js';

let sinkhole: SilentServer;
const lookups: string[] = [];

beforeAll(async () => {
  sinkhole = await startSilentServer();
});
afterAll(() => sinkhole.close());

/** The production guard, except that the sinkhole's port counts as an SMTP port so a slip would reach it. */
const guarded = () =>
  new NodemailerMailVerifier({
    timeoutMs: 2000,
    allowPrivateHosts: false,
    allowPort: (port) => port === sinkhole.port,
    resolve: ssrfResolver(lookups),
  });

const login = (host: string, port = sinkhole.port): SmtpLogin => ({
  emailAddress: 'me@example.com',
  host,
  port,
  username: 'me@example.com',
  password: 'CANARY_PW_ssrf',
});

const hostRefused = (host: string) => ({
  ok: false,
  failure: {
    code: 'smtp_host_not_allowed',
    detail: `The SMTP host ${host} cannot be used: it was not found, or it points to a private or reserved network address, which this service does not connect to.`,
  },
});

describe('SSRF corpus: every internal target is refused without a connection', () => {
  it.each(INTERNAL_ADDRESS_LITERALS)(
    'refuses the address literal %s without a DNS lookup',
    async (host, shown) => {
      const before = lookups.length;

      const result = await guarded().verify(login(host));

      expect(result).toEqual(hostRefused(shown));
      expect(lookups.length).toBe(before);
      expect(sinkhole.connections()).toBe(0);
    },
  );

  it.each(INTERNAL_NAMES)(
    'refuses the name %s, which resolves to an internal address',
    async (host, canonical) => {
      const result = await guarded().verify(login(host));

      expect(result).toEqual(hostRefused(canonical));
      expect(lookups.at(-1)).toBe(canonical);
      expect(sinkhole.connections()).toBe(0);
    },
  );

  it.each(IMPOSSIBLE_HOSTS)('refuses %s as a host that cannot exist', async (_, host) => {
    const before = lookups.length;

    const result = await guarded().verify(login(host));

    expect(result).toEqual(hostRefused(host));
    expect(lookups.length).toBe(before);
    expect(sinkhole.connections()).toBe(0);
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
    SSRF_DNS['empty.test'] = [];

    expect(await guarded().verify(login(host))).toEqual(refusal(host));
    expect(sinkhole.connections()).toBe(0);
  });
});
