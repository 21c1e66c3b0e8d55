import type { MiddlewareHandler } from 'hono';
import type { AuditLog } from '../../application/ports/audit-log.js';
import { isPlatform } from '../../domain/platform.js';
import type { AppEnv, AuditFacts } from './app-env.js';
import { routeFacts } from './route-facts.js';

const TEXT_LIMIT = 255;

// PostgreSQL text cannot hold NUL, and the driver turns a lone surrogate into U+FFFD: a value the client
// chose is stored with its control characters and lone surrogates escaped, so its entry is written, and
// says what was sent.
const storableText = (text: string) =>
  text
    .replace(/[\p{Cc}\p{Cs}]/gu, (found) => `\\u${found.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .slice(0, TEXT_LIMIT);

/**
 * Gives every request `c.var.audit`, which appends an entry stamped with the request id, client address
 * and authenticated user, and writes exactly one entry for each request to a route that declares an audit
 * action (`declareRoute`): the denial or rate limit recorded on the way in, the entry its handler recorded
 * after the use case (when it knows more than the path and the status), or else the outcome by status
 * (success, or failure with its error code). An entry that cannot be written (the database is down) is
 * logged instead; the request's own answer stands.
 */
export function auditTrail(auditLog: AuditLog): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let recorded = false;
    const audit = async (facts: AuditFacts) => {
      recorded = true;
      const event = {
        platform: null,
        code: null,
        revocation: null,
        ...facts,
        targetUserId: facts.targetUserId == null ? null : storableText(facts.targetUserId),
        actor: c.get('userId') ?? null,
        requestId: c.get('requestId'),
        clientAddress: c.get('clientAddress'),
      };
      const notWritten = (reason: string) =>
        c.var.log.error('audit entry not written', {
          request_id: event.requestId,
          action: event.action,
          outcome: event.outcome,
          code: event.code,
          actor: event.actor,
          platform: event.platform,
          reason,
        });
      // The request already found the database unreachable; another attempt would only delay the 503.
      if (c.get('errorCode') === 'service_unavailable') return notWritten('DatabaseUnavailable');
      try {
        await auditLog.append(event);
      } catch (error) {
        notWritten((error as Error).name);
      }
    };
    c.set('audit', audit);
    await next();

    const action = recorded ? undefined : routeFacts(c).audit;
    if (action === undefined) return;
    const succeeded = c.res.status < 400;
    const platform = c.req.param('platform');
    await audit({
      action,
      outcome: succeeded ? 'success' : 'failure',
      platform: platform !== undefined && isPlatform(platform) ? platform : null,
      code: succeeded ? null : (c.get('errorCode') ?? null),
    });
  };
}
