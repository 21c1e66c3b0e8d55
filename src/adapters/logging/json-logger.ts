import { LOG_LEVELS, type LogFields, type Logger, type LogLevel } from '../../application/ports/logger.js';
import { SecretValues } from './secret-values.js';

/**
 * Writes one JSON object per line at or above `level`. Fields named like secrets are redacted, and so is
 * every known secret value (in any of its common encodings) wherever it appears.
 */
export function createJsonLogger(
  level: LogLevel,
  write: (line: string) => void,
  secrets: SecretValues = new SecretValues(),
): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at =
    (name: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields: LogFields = {}) => {
      if (LOG_LEVELS.indexOf(name) < threshold) return;
      const redacted = Object.fromEntries(
        Object.entries(fields).map(([key, value]) => [key, secrets.redactField(key, value)]),
      );
      write(
        JSON.stringify({
          time: new Date().toISOString(),
          level: name,
          msg: secrets.scrub(message),
          ...redacted,
        }),
      );
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
