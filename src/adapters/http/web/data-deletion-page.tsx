import type { DataDeletion } from '../../../application/ports/data-deletion-store.js';
import { PLATFORM_NAMES } from '../../../domain/platform.js';
import { asset } from './asset-paths.js';
import { PageLayout } from './page-layout.js';

function deletedWhat(platforms: DataDeletion['platforms']): string {
  if (platforms.length === 0) return 'No account connected through your Facebook login was stored here';
  const names = platforms.map((platform) => PLATFORM_NAMES[platform]).join(' and ');
  return `Your connected ${names} accounts, their access tokens, and their message history and reply windows were deleted`;
}

/**
 * `/data-deletion/{code}`: where Meta sends a person who asked for their data to be deleted. The code
 * is the authority; the page names no user or account.
 */
export function DataDeletionPage({ deletion }: { deletion: DataDeletion | null }) {
  const title = deletion === null ? 'Deletion request not found' : 'Your data was deleted';
  return (
    <PageLayout title={title} scripts={[]} stylesheets={[asset('settings.css')]}>
      <main class="callback">
        <h1>{title}</h1>
        {deletion === null ? (
          <p>No data deletion request has this confirmation code.</p>
        ) : (
          <>
            <p>
              {deletedWhat(deletion.platforms)} on{' '}
              <time datetime={deletion.requestedAt.toISOString()}>{deletion.requestedAt.toUTCString()}</time>,
              when Facebook passed on your request.
            </p>
            <p>
              Confirmation code: <code>{deletion.confirmationCode}</code>
            </p>
          </>
        )}
      </main>
    </PageLayout>
  );
}
