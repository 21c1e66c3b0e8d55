import { beforeEach, describe, expect, it } from 'vitest';
import {
  getAllCapabilities,
  getPlatformCapability,
} from '../../../src/application/use-cases/get-capabilities.js';
import { PLATFORMS } from '../../../src/domain/platform.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

describe('getAllCapabilities and getPlatformCapability', () => {
  let ports: UnitPorts;
  const userId = uniqueUserId();

  beforeEach(async () => {
    ports = await unitPorts();
  });

  it('answers every platform in the fixed order, connected or not', async () => {
    await ports.repository.upsert(instagramDraft({ userId }));

    const capabilities = await getAllCapabilities(ports)(userId);

    expect(capabilities.map((capability) => capability.platform)).toEqual([...PLATFORMS]);
    expect(capabilities[0]).toMatchObject({ platform: 'instagram', isConnected: true, canSendDm: true });
    expect(
      capabilities
        .slice(1)
        .map(({ isConnected, canSendDm, reasonCode }) => ({ isConnected, canSendDm, reasonCode })),
    ).toEqual([
      { isConnected: false, canSendDm: false, reasonCode: 'not_connected' },
      // TikTok's API sends no DMs at all, which says more than "not connected".
      { isConnected: false, canSendDm: false, reasonCode: 'dm_not_supported' },
      { isConnected: false, canSendDm: false, reasonCode: 'not_connected' },
    ]);
  });

  it('takes the token expiry at the clock: one second past it, the account cannot send', async () => {
    const expiresAt = new Date(ports.clock.now().getTime() + 1000);
    await ports.repository.upsert(instagramDraft({ userId, tokenExpiresAt: expiresAt }));
    const capability = getPlatformCapability(ports);

    expect(await capability(userId, 'instagram')).toMatchObject({ canSendDm: true });
    ports.clock.advance(1000);
    expect(await capability(userId, 'instagram')).toMatchObject({
      canSendDm: false,
      connectionStatus: 'expired',
      reasonCode: 'token_expired',
    });
  });

  it('names a missing scope rather than just refusing', async () => {
    await ports.repository.upsert(
      instagramDraft({ userId, scopesGranted: ['instagram_basic', 'pages_show_list'] }),
    );

    expect(await getPlatformCapability(ports)(userId, 'instagram')).toMatchObject({
      canSendDm: false,
      reasonCode: 'missing_scope',
      missingScopes: ['instagram_manage_messages'],
    });
  });

  it('says email cannot be checked on a runtime whose mail verifier cannot, even when connected', async () => {
    await ports.repository.upsert(emailDraft({ userId }));
    const verifier = Object.assign(ports.mailVerifier, {
      unsupportedReason: 'No SMTP client on this runtime.',
    });

    const email = await getPlatformCapability({ ...ports, mailVerifier: verifier })(userId, 'email');

    expect(email).toMatchObject({ canSendDm: false, reasonCode: 'unsupported_on_runtime' });
  });
});
