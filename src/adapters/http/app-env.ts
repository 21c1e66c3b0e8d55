import type { RequestIdVariables } from 'hono/request-id';
import type { AuditEvent } from '../../application/ports/audit-log.js';
import type { Logger } from '../../application/ports/logger.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { MetricsRecorder } from '../metrics/metrics-recorder.js';

/** What an audit entry needs from the code that records it; the request supplies the rest. */
export type AuditFacts = Pick<AuditEvent, 'action' | 'outcome'> &
  Partial<Pick<AuditEvent, 'platform' | 'code' | 'targetUserId' | 'revocation'>>;

export type AppEnv = {
  Variables: RequestIdVariables & {
    /** The caller's own `X-Request-Id`, logged beside the service's `requestId`; unset when none is usable. */
    clientRequestId: string | undefined;
    /** The authenticated user (or, in development, the `user_id` named); unset until identified. */
    userId: string | undefined;
    /** The client's address, normalized (IPv4-mapped IPv6 as IPv4); `unknown` when there is none. */
    clientAddress: string;
    /** Keeps these values (secrets the request carries) out of every line `log` writes. */
    redact: (values: Iterable<string>) => void;
    /** The logger for this request's lines. */
    log: Logger;
    /** Appends an audit entry for this request; never fails the request. */
    audit: (facts: AuditFacts) => Promise<void>;
    /** Where the request's handler counts what it did (sends, revokes). */
    metrics: MetricsRecorder;
    /**
     * The raw body of a `POST /webhooks/meta` whose `X-Hub-Signature-256` verified, set before the rate
     * limit (which lets such a delivery through); unset for any other request.
     */
    metaDelivery: Uint8Array | undefined;
    /** The code of the error response this request got, for its audit entry. */
    errorCode: ErrorCode | undefined;
  };
};
