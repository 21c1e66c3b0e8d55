/** SHA-256 of a text's UTF-8 bytes, as 64 lower-case hex digits. */
export type Sha256Hex = (text: string) => Promise<string>;

const encoder = new TextEncoder();

/** On Web Crypto, which every runtime has. */
export const webSha256Hex: Sha256Hex = async (text) => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
};
