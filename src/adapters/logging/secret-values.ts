const REDACTED = '[REDACTED]';
// Shorter values would redact common words in every line while protecting almost nothing.
const SHORTEST_SECRET = 4;

/** Field names whose values are secrets wherever they appear (log fields, JSON bodies, query strings). */
export const SECRET_NAME =
  /pass(word)?|secret|token|authorization|cookie|api.?key|credential|^code$|^state$/i;

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
 * The secret values log output must never contain: fixed ones (encryption keys, signing secrets) for the
 * life of the process, and the ones a request carries (passwords, tokens, bearer credentials) while it runs.
 */
export class SecretValues {
  private readonly fixed: string[][];
  // A held value's forms are worked out the first time a text long enough to contain them is scrubbed.
  private readonly held = new Map<string, { forms: string[] | null; holders: number }>();

  constructor(fixed: Iterable<string> = []) {
    this.fixed = [...fixed].filter((value) => value.length >= SHORTEST_SECRET).map(encodedForms);
  }

  /** Redacts these values until the returned function is called (when the request that carried them ends). */
  hold(values: Iterable<string>): () => void {
    const taken = [...new Set(values)].filter((value) => value.length >= SHORTEST_SECRET);
    for (const value of taken) {
      const entry = this.held.get(value) ?? { forms: null, holders: 0 };
      entry.holders += 1;
      this.held.set(value, entry);
    }
    return () => {
      for (const value of taken) {
        const entry = this.held.get(value);
        if (entry === undefined) continue;
        entry.holders -= 1;
        if (entry.holders === 0) this.held.delete(value);
      }
    };
  }

  /** `text` with every occurrence of every form of every secret replaced. */
  scrub(text: string): string {
    // Every log line is scrubbed while every request in flight holds its secrets, so only the forms that
    // occur in the text are collected and sorted (usually none): the cost stays flat with concurrency.
    const found: string[] = [];
    const collect = (forms: readonly string[]) => {
      for (const form of forms) if (form.length <= text.length && text.includes(form)) found.push(form);
    };
    for (const forms of this.fixed) collect(forms);
    for (const [value, entry] of this.held) {
      // Every encoded form is at least as long as the secret itself.
      if (value.length > text.length) continue;
      entry.forms ??= encodedForms(value);
      collect(entry.forms);
    }
    if (found.length === 0) return text;
    // Longest first, so a secret that contains another is replaced whole.
    found.sort((a, b) => b.length - a.length);
    return found.reduce((scrubbed, form) => scrubbed.replaceAll(form, REDACTED), text);
  }

  /** A log field's value, redacted by its name, then by the secret values it contains. */
  redactField(name: string, value: unknown): unknown {
    if (SECRET_NAME.test(name) && value !== null && value !== undefined) return REDACTED;
    return typeof value === 'string' ? this.scrub(value) : value;
  }
}
