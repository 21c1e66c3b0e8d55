import type { MiddlewareHandler } from 'hono';
import type { AuditAction, AuditLog } from '../../application/ports/audit-log.js';
import { isPlatform } from '../../domain/platform.js';
import type { AppEnv, AuditFacts } from './app-env.js';

/** The operations that get an audit entry whatever their outcome, by method and path. */
const AUDITED_ROUTES: readonly {
  readonly method: string;
  readonly path: RegExp;
  readonly action: AuditAction;
}[] = [
  { method: 'POST', path: /^\/api\/integrations\/?$/, action: 'integration.save' },
  {
    method: 'POST',
    path: /^\/api\/integrations\/(?<platform>[^/]+)\/validate\/?$/,
    action: 'integration.validate',
  },
  { method: 'DELETE', path: /^\/api\/integrations\/(?<platform>[^/]+)\/?$/, action: 'integration.delete' },
  {
    method: 'GET',
    path: /^\/api\/integrations\/oauth\/(?<platform>[^/]+)\/authorize\/?$/,
    action: 'oauth.start',
  },
  {
    method: 'POST',
    path: /^\/api\/integrations\/oauth\/(?<platform>[^/]+)\/callback\/?$/,
    action: 'oauth.callback',
  },
];

function auditedOperation(method: string, path: string) {
  for (const route of AUDITED_ROUTES) {
    const match = route.method === method ? route.path.exec(path) : null;
    if (match !== null) {
      const platform = match.groups?.platform;
      return {
        action: route.action,
        platform: platform !== undefined && isPlatform(platform) ? platform : null,
      };
    }
  }
  return null;
}

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
 * and authenticated user, and writes exactly one entry for each request to an audited operation: the
 * denial or rate limit recorded on the way in, or else the operation's outcome (success, or failure with
 * its error code). An entry that cannot be written (the database is down) is logged instead; the request's
 * own answer stands.
 */
export function auditTrail(auditLog: AuditLog): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let recorded = false;
    const audit = async (facts: AuditFacts) => {
      recorded = true;
      const event = {
        platform: null,
        code: null,
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

    // Hono answers HEAD with the GET handler, which runs in full (authorize creates OAuth state).
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    const operation = recorded ? null : auditedOperation(method, c.req.path);
    if (operation === null) return;
    const succeeded = c.res.status < 400;
    await audit({
      action: operation.action,
      outcome: succeeded ? 'success' : 'failure',
      platform: operation.platform,
      code: succeeded ? null : (c.get('errorCode') ?? null),
      ...c.get('auditNote'),
    });
  };
}
