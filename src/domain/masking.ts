/** What a token shows as when none of it may be shown. */
export const TOKEN_MASK = '****';
const PASSWORD_MASK = '********';
const SHORTEST_TOKEN_TO_HINT = 16;

/** A token shows only its last four characters, and only when that reveals little of it. */
export function maskToken(token: string): string;
export function maskToken(token: string | null): string | null;
export function maskToken(token: string | null): string | null {
  if (token === null) return null;
  return token.length < SHORTEST_TOKEN_TO_HINT ? TOKEN_MASK : TOKEN_MASK + token.slice(-4);
}

/** A password never shows any of its characters, nor its length. */
export function maskPassword(password: string | null): string | null {
  return password === null ? null : PASSWORD_MASK;
}
