import { asset } from './asset-paths.js';
import { PageLayout } from './page-layout.js';

/** `/settings/callback`: where a platform sends the user back; the page script completes the sign-in. */
export function CallbackPage() {
  return (
    <PageLayout title="Connecting…" scripts={[asset('callback.js')]} stylesheets={[asset('settings.css')]}>
      <main class="callback">
        <h1 id="result-title" tabindex={-1}>
          Finishing the connection…
        </h1>
        <div class="page-error" id="page-error" role="alert" hidden></div>
        <noscript>
          <p class="page-error">This page needs JavaScript to finish the connection.</p>
        </noscript>
        <p class="result-detail" id="result-detail" role="status" aria-live="polite">
          Checking the answer from the platform.
        </p>
        <dl class="details" id="result-summary" hidden></dl>
        <p class="returning" id="returning" hidden>
          <span id="returning-text">Back to your settings in a moment.</span>
          <button type="button" id="stay">
            Stay on this page
          </button>
        </p>
        <p>
          <a id="back-link" href="/settings">
            Back to settings
          </a>
        </p>
      </main>
    </PageLayout>
  );
}
