const REDACTED = '[REDACTED]';
// Shorter values would redact common words in every line while protecting almost nothing.
const SHORTEST_SECRET = 4;

/** Field names whose values are secrets wherever they appear in a log line. */
export const SECRET_NAME = /pass(word)?|secret|token|authorization|cookie|api.?key|credential/i;

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The forms a secret takes when it is copied into text: raw, JSON-escaped, URL-encoded, base64(url), hex. */
export function encodedForms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const standard = base64(bytes);
  return [
    ...new Set([
      secret,
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      standard,
      standard.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, ''),
      [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(''),
    ]),
  ];
}

/**
 * The secret values log output must never contain, for the life of the process (or isolate): encryption
 * keys, signing secrets, the database password. What a request carries is redacted by the logger that
 * request writes with (see `RedactingLogger.carrying`), never here, so no caller can make another's lines
 * slower or blank words in them.
 */
export class SecretValues {
  private readonly fixed: string[][] = [];

  constructor(fixed: Iterable<string> = []) {
    for (const value of fixed) this.keep(value);
  }

  /** Redacts this value from now on (a key only known after start-up began, like the development key). */
  keep(value: string): void {
    if (value.length >= SHORTEST_SECRET) this.fixed.push(encodedForms(value));
  }

  /** `text` with every occurrence of every form of every fixed secret, and of `carried`, replaced. */
  scrub(text: string, carried: readonly string[] = []): string {
    const found: string[] = [];
    const collect = (forms: readonly string[]) => {
      for (const form of forms) if (form.length <= text.length && text.includes(form)) found.push(form);
    };
    for (const forms of this.fixed) collect(forms);
    // Every encoded form is at least as long as the secret itself.
    for (const value of carried) if (value.length <= text.length) collect(encodedForms(value));
    if (found.length === 0) return text;
    // Longest first, so a secret that contains another is replaced whole.
    found.sort((a, b) => b.length - a.length);
    return found.reduce((scrubbed, form) => scrubbed.replaceAll(form, REDACTED), text);
  }

  /** A log field's value, redacted by its name, then by the secret values it contains. */
  redactField(name: string, value: unknown, carried: readonly string[] = []): unknown {
    if (SECRET_NAME.test(name) && value !== null && value !== undefined) return REDACTED;
    return typeof value === 'string' ? this.scrub(value, carried) : value;
  }
}
