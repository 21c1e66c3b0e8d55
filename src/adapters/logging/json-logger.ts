import { LOG_LEVELS, type LogFields, type Logger, type LogLevel } from '../../application/ports/logger.js';
import { SecretValues } from './secret-values.js';

/** A logger that can also redact the secrets one request carried, in the lines written for that request. */
export interface RedactingLogger extends Logger {
  /**
   * The same logger, also redacting `carried` in every encoding. The list is read at each write, so a
   * request may add to it as it learns what it carries; it costs only that request's lines.
   */
  carrying(carried: readonly string[]): Logger;
}

/**
 * Writes one JSON object per line at or above `level`. Fields named like secrets are redacted, and so is
 * every known secret value (in any of its common encodings) wherever it appears.
 */
export function createJsonLogger(
  level: LogLevel,
  write: (line: string) => void,
  secrets: SecretValues = new SecretValues(),
): RedactingLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const writer = (carried: readonly string[]): Logger => {
    const at =
      (name: Exclude<LogLevel, 'silent'>) =>
      (message: string, fields: LogFields = {}) => {
        if (LOG_LEVELS.indexOf(name) < threshold) return;
        const redacted = Object.fromEntries(
          Object.entries(fields).map(([key, value]) => [key, secrets.redactField(key, value, carried)]),
        );
        write(
          JSON.stringify({
            time: new Date().toISOString(),
            level: name,
            msg: secrets.scrub(message, carried),
            ...redacted,
          }),
        );
      };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  };
  return { ...writer([]), carrying: writer };
}
