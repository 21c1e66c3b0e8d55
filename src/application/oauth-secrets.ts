import { webSha256Hex } from './ports/sha256.js';

const encoder = new TextEncoder();

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

const sha256 = async (text: string) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));

/** 256 random bits from the CSPRNG as 43 base64url characters: an OAuth state or a PKCE verifier. */
export function randomSecret(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The PKCE S256 challenge for a verifier (RFC 7636 §4.2). */
export async function s256Challenge(verifier: string): Promise<string> {
  return base64Url(await sha256(verifier));
}

/** How a state is stored: a hex SHA-256. The state has 256 bits of entropy, so no salt is needed. */
export const stateHash = (state: string): Promise<string> => webSha256Hex(state);
