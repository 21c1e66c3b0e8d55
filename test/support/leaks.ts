import { encodedForms } from '../../src/adapters/logging/secret-values.js';

/** Every place a secret must not appear in, named, so a failure says where the leak was. */
export type Haystack = Readonly<Record<string, string>>;

/** The (place, secret, form) triples where a secret appears raw, JSON-escaped, URL-encoded, base64(url) or hex. */
export function leaks(secrets: readonly string[], haystack: Haystack): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const form of encodedForms(secret)) {
      for (const [place, text] of Object.entries(haystack)) {
        if (text.includes(form)) found.push(`${place}: ${form === secret ? secret : `${secret} as ${form}`}`);
      }
    }
  }
  return found;
}

/** A response as one searchable text: status line, every header, and the body. */
export async function responseText(response: Response): Promise<string> {
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  return `${response.status}\n${headers}\n\n${await response.text()}`;
}
