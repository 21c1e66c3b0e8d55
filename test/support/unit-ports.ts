import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { wireFormat } from '../../src/adapters/http/presenters.js';
import { integrationAnnouncements } from '../../src/application/integration-announcements.js';
import type { Clock } from '../../src/application/ports/clock.js';
import { webSha256Hex } from '../../src/application/ports/sha256.js';
import {
  ScriptedGateway,
  ScriptedMailboxReader,
  ScriptedMailSender,
  ScriptedMailVerifier,
  ScriptedMessenger,
} from './fakes.js';
import { inMemoryStores } from './in-memory/in-memory-stores.js';

export const REDIRECT_URI = 'https://app.example.com/oauth/callback';

/** A clock that stands still until a test moves it. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/**
 * Every port a use case takes, with no server, database or network beneath: the in-memory stores, a real
 * Fernet cipher under a fresh key, a manual clock, and scripted platforms, Send APIs and SMTP.
 */
export async function unitPorts(now = new Date('2026-03-01T12:00:00.000Z')) {
  const clock = new ManualClock(now);
  const key = generateFernetKey();
  const gateway = new ScriptedGateway();
  const messenger = new ScriptedMessenger();
  const cipher = await FernetSecretCipher.fromKeyList(key);
  const mailVerifier = new ScriptedMailVerifier();
  const mailboxReader = new ScriptedMailboxReader();
  return {
    ...inMemoryStores(clock),
    clock,
    key,
    cipher,
    mailVerifier,
    mailboxReader,
    announcements: integrationAnnouncements({ cipher, clock, mailVerifier, wireFormat }),
    wireFormat,
    gateway,
    gateways: gateway.asGateways(),
    oauthRedirectUris: [REDIRECT_URI],
    mailSender: new ScriptedMailSender(),
    messenger,
    directMessages: messenger.asGateways(),
    sha256Hex: webSha256Hex,
    outreach: { emailDailyLimit: 3, publicBaseUrl: 'https://outreach.example.com', attemptLeaseMs: 300_000 },
  };
}

export type UnitPorts = Awaited<ReturnType<typeof unitPorts>>;
