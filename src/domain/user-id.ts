export const USER_ID_MAX_LENGTH = 255;

/** Why a text cannot name a user, or null when it can. */
export type UserIdProblem = 'empty' | 'too_long' | 'control' | 'blank' | 'malformed' | 'invisible';

/**
 * User ids are compared and stored as text, so one must not look like, or be stored as, another: no
 * controls, no lone surrogates (the PostgreSQL driver stores them as U+FFFD, another user's id), no format
 * characters (bidi overrides, zero-width) or line and paragraph separators, and not only white space.
 */
export function userIdProblem(text: string): UserIdProblem | null {
  if (text.length === 0) return 'empty';
  if (text.length > USER_ID_MAX_LENGTH) return 'too_long';
  if (/\p{Cc}/u.test(text)) return 'control';
  if (/\p{Cs}/u.test(text)) return 'malformed';
  if (/[\p{Cf}\p{Zl}\p{Zp}]/u.test(text)) return 'invisible';
  if (text.trim().length === 0) return 'blank';
  return null;
}
