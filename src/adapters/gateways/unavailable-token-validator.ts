import type { PlatformTokenValidator } from '../../application/ports/platform-token-validator.js';
import { PLATFORM_NAMES } from '../../domain/platform.js';
import { fail } from '../../domain/result.js';

/** Stands in until the Meta and TikTok gateways exist: a token that cannot be checked is never saved. */
export const unavailableTokenValidator: PlatformTokenValidator = {
  validate: async (platform) =>
    fail(
      'platform_validation_unavailable',
      `${PLATFORM_NAMES[platform]} tokens cannot be validated by this service yet, so they are not saved.`,
    ),
};
