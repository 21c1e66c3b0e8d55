import { asset } from './asset-paths.js';
import { PageLayout } from './page-layout.js';

export type UnsubscribeState = 'confirm' | 'done' | 'unknown';

const TITLES = {
  confirm: 'Unsubscribe',
  done: 'You are unsubscribed',
  unknown: 'Link not recognised',
} as const satisfies Record<UnsubscribeState, string>;

/**
 * `/unsubscribe/{token}`: one button that POSTs to the same URL (RFC 8058's one-click POST reaches the
 * same handler). Opening the page changes nothing, because mail scanners follow links.
 */
export function UnsubscribePage({ state, address }: { state: UnsubscribeState; address: string | null }) {
  return (
    <PageLayout title={TITLES[state]} scripts={[]} stylesheets={[asset('settings.css')]}>
      <main class="callback">
        <h1>{TITLES[state]}</h1>
        {state === 'confirm' && (
          <form method="post">
            <p>Stop receiving these emails{address === null ? '' : ` at ${address}`}?</p>
            <input type="hidden" name="List-Unsubscribe" value="One-Click" />
            <button type="submit">Unsubscribe</button>
          </form>
        )}
        {state === 'done' && (
          <p>{address === null ? 'This address' : address} will receive no more of these emails.</p>
        )}
        {state === 'unknown' && <p>This unsubscribe link is not valid. Nothing was changed.</p>}
      </main>
    </PageLayout>
  );
}
