import type { RevocationOutcome } from '../../application/ports/audit-log.js';
import type { SettledAttempt } from '../../application/use-cases/deliver-webhooks.js';
import type { RefreshReport } from '../../application/use-cases/refresh-due-integrations.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';

/** How an outreach send ended, as the metrics count it. */
export type SendOutcome = 'sent' | 'replayed' | 'denied' | 'failed';

/**
 * What the service counts as it works. Every label is a closed value (a route pattern, a status, a
 * platform, an outcome or error code): never a user id, address or secret. The Node runtime records into
 * prom-client; elsewhere nothing is recorded ({@link noMetrics}).
 */
export interface MetricsRecorder {
  requestServed(request: {
    readonly method: string;
    /** The pattern of the route that answered (`/api/integrations/:platform`), never the path asked for. */
    readonly route: string;
    readonly status: number;
    readonly seconds: number;
  }): void;
  refreshRan(report: RefreshReport): void;
  sendEnded(platform: Platform, outcome: SendOutcome, code: ErrorCode | null): void;
  revocationEnded(platform: Platform, outcome: RevocationOutcome): void;
  webhookAttemptSettled(attempt: SettledAttempt): void;
}

export const noMetrics: MetricsRecorder = {
  requestServed: () => {},
  refreshRan: () => {},
  sendEnded: () => {},
  revocationEnded: () => {},
  webhookAttemptSettled: () => {},
};

/** The text a scrape answers with, and its content type. */
export interface MetricsText {
  readonly contentType: string;
  readonly body: string;
}
