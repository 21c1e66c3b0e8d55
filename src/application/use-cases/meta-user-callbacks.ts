import type { IntegrationAnnouncements } from '../integration-announcements.js';
import type { Clock } from '../ports/clock.js';
import type { DataDeletion, DataDeletionStore } from '../ports/data-deletion-store.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';

export interface MetaUserCallbackDeps {
  readonly repository: IntegrationRepository;
  readonly deletions: DataDeletionStore;
  readonly announcements: IntegrationAnnouncements;
  readonly clock: Clock;
}

const REMOVED_ON_FACEBOOK =
  'This app was removed from the Facebook account that connected it. Connect again to use it.';

/**
 * Meta's deauthorize callback: the person removed the app, so every integration they connected (Facebook
 * and Instagram, for any user of this service) is `revoked`, with its status and capability events.
 * Answers how many changed.
 */
export function deauthorizeMetaUser(deps: MetaUserCallbackDeps) {
  return async (metaUserId: string): Promise<number> => {
    let changed = 0;
    for (const integration of await deps.repository.listByMetaUser(metaUserId)) {
      if (integration.connectionStatus === 'revoked') continue;
      await deps.repository.changeStatus(
        integration.id,
        { connectionStatus: 'revoked', statusDetail: REMOVED_ON_FACEBOOK, nextCheckAt: null },
        deps.announcements.check,
      );
      changed += 1;
    }
    return changed;
  };
}

/** An unguessable code: it alone opens the deletion's status page. */
function confirmationCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Meta's data deletion callback: the integrations the person connected go, with their windows, received
 * messages and message log (`integration.deleted` for each), and the request is kept for its status page.
 */
export function eraseMetaUser(deps: MetaUserCallbackDeps) {
  return (metaUserId: string): Promise<DataDeletion> =>
    deps.deletions.erase(
      metaUserId,
      { confirmationCode: confirmationCode(), requestedAt: deps.clock.now() },
      deps.announcements.delete,
    );
}

/** The status page's answer: what a deletion request removed, and when. */
export function findDataDeletion(deps: Pick<MetaUserCallbackDeps, 'deletions'>) {
  return (confirmationCode: string): Promise<DataDeletion | null> => deps.deletions.find(confirmationCode);
}
