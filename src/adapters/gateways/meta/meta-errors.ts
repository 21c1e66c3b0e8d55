import { z } from 'zod';
import { fail, type Result } from '../../../domain/result.js';
import { type HttpClient, platformUnavailable } from '../http-client.js';

/** Meta's error object, as in `{"error": {...}}` and in `debug_token`'s `data.error` (which says `subcode`). */
export const MetaError = z
  .object({
    code: z.number(),
    error_subcode: z.number().optional(),
    subcode: z.number().optional(),
  })
  .transform((error) => ({ code: error.code, subcode: error.error_subcode ?? error.subcode ?? null }));

export type MetaError = z.output<typeof MetaError>;

export const MetaErrorBody = z.object({ error: MetaError });

/**
 * What a Meta error is about: the user's token, this service's app credentials (`debug_token`'s own
 * `access_token`), or an authorization code being exchanged.
 */
export type MetaErrorSubject = 'token' | 'app' | 'code';

// 4 app, 17 user, 32 page, 613 custom limits; 80000-80014 Business Use Case limits.
export const isRateLimit = (code: number) =>
  [4, 17, 32, 613].includes(code) || (code >= 80_000 && code <= 80_014);
export const isPermission = (code: number) => code === 10 || (code >= 200 && code <= 299);

const REVOKED_BECAUSE: Readonly<Record<number, string>> = {
  458: 'the app was removed from the Facebook account',
  460: 'the Facebook password was changed',
  467: 'the session was logged out or invalidated',
};

function tokenFailure({ code, subcode }: MetaError, name: string, client: HttpClient): Result<never> {
  if (code === 190 || code === 102) {
    if (subcode === 463)
      return fail('token_expired', `Your ${name} token has expired. Reconnect your account.`);
    const revokedBecause = subcode === null ? undefined : REVOKED_BECAUSE[subcode];
    if (revokedBecause !== undefined) {
      return fail(
        'token_revoked',
        `Your ${name} access was revoked: ${revokedBecause}. Reconnect your account.`,
      );
    }
    if (subcode === 459 || subcode === 464) {
      return fail(
        'credentials_rejected',
        `Facebook needs you to log in on facebook.com and confirm your account before ${name} can be connected.`,
      );
    }
    return fail('credentials_rejected', `Meta does not accept this ${name} token. Reconnect your account.`);
  }
  if (isPermission(code)) {
    return fail(
      'credentials_rejected',
      `Meta refused access with this ${name} token because a permission is missing. Reconnect and grant every requested permission.`,
    );
  }
  return platformUnavailable(client, `answered with an unexpected error (code ${code})`);
}

/** Sorts a Meta error into the service's outcomes by its code and subcode (the HTTP status is not reliable). */
export function metaFailure(
  error: MetaError,
  subject: MetaErrorSubject,
  name: string,
  client: HttpClient,
): Result<never> {
  if (isRateLimit(error.code)) return platformUnavailable(client, 'is limiting requests right now');
  if (error.code === 1 || error.code === 2) return platformUnavailable(client, 'had a temporary problem');
  switch (subject) {
    case 'code':
      return fail(
        'authorization_code_rejected',
        'Meta refused the authorization code: it expired, was already used, or was issued for another redirect URI. Start connecting again.',
      );
    case 'app':
      return platformUnavailable(
        client,
        'refused this service’s app credentials (an operator must check them)',
      );
    case 'token':
      return tokenFailure(error, name, client);
  }
}
