import type { Logger } from '../../application/ports/logger.js';
import type { SavedIntegration } from '../../application/use-cases/save-integration.js';

/**
 * Tells operators whether a just-connected account's incoming messages will reach the webhooks. A failed
 * subscription saves the integration all the same (its token is valid), so this line is where it shows.
 */
export function logMessageSubscription(log: Logger, { integration, messageSubscription }: SavedIntegration) {
  const fields = {
    integration_id: integration.id,
    platform: integration.platform,
    page_id: integration.pageId,
  };
  switch (messageSubscription.outcome) {
    case 'subscribed':
      log.info('page subscribed to message webhooks', fields);
      return;
    case 'not_granted':
      log.info('page not subscribed to message webhooks: pages_manage_metadata was not granted', fields);
      return;
    case 'failed':
      log.warn('page not subscribed to message webhooks', {
        ...fields,
        code: messageSubscription.code,
        platform_error_code: messageSubscription.platformCode,
      });
      return;
    case 'not_offered':
      return;
  }
}
