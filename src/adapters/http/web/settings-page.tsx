import { PLATFORM_NAMES, PLATFORMS, type Platform } from '../../../domain/platform.js';
import { asset } from './asset-paths.js';
import { PageLayout } from './page-layout.js';

interface FormField {
  readonly name: string;
  readonly label: string;
  readonly type: 'email' | 'text' | 'password';
  readonly autocomplete: 'email' | 'off';
  readonly hint: string;
  readonly inputmode?: 'numeric';
}

const SMTP_FIELDS: readonly FormField[] = [
  {
    name: 'email_address',
    label: 'Email address',
    type: 'email',
    autocomplete: 'email',
    hint: 'The address your messages are sent from.',
  },
  {
    name: 'smtp_host',
    label: 'SMTP server',
    type: 'text',
    autocomplete: 'off',
    hint: 'For example smtp.gmail.com',
  },
  {
    name: 'smtp_port',
    label: 'Port',
    type: 'text',
    autocomplete: 'off',
    inputmode: 'numeric',
    hint: '587 for STARTTLS or 465 for TLS.',
  },
  {
    name: 'smtp_username',
    label: 'Username',
    type: 'text',
    autocomplete: 'off',
    hint: 'Usually your email address.',
  },
  {
    name: 'smtp_password',
    label: 'Password',
    type: 'password',
    autocomplete: 'off',
    hint: 'Gmail needs an app password. It is stored encrypted and never shown again.',
  },
];

const IMAP_FIELDS: readonly FormField[] = [
  {
    name: 'imap_host',
    label: 'IMAP server',
    type: 'text',
    autocomplete: 'off',
    hint: 'For example imap.gmail.com. Leave it empty to only send.',
  },
  {
    name: 'imap_port',
    label: 'IMAP port',
    type: 'text',
    autocomplete: 'off',
    inputmode: 'numeric',
    hint: '993 for TLS (used when empty) or 143 for STARTTLS.',
  },
  {
    name: 'imap_username',
    label: 'IMAP username',
    type: 'text',
    autocomplete: 'off',
    hint: 'Leave it empty to use the SMTP username.',
  },
  {
    name: 'imap_password',
    label: 'IMAP password',
    type: 'password',
    autocomplete: 'off',
    hint: 'Leave it empty to use the SMTP password. It is stored encrypted and never shown again.',
  },
];

function Field({ field }: { field: FormField }) {
  return (
    <div class="field">
      <label for={`email-${field.name}`}>{field.label}</label>
      <p class="hint" id={`email-${field.name}-hint`}>
        {field.hint}
      </p>
      <input
        id={`email-${field.name}`}
        name={field.name}
        type={field.type}
        autocomplete={field.autocomplete}
        inputmode={field.inputmode}
        aria-describedby={`email-${field.name}-hint`}
        spellcheck={false}
      />
      <p class="field-error" id={`email-${field.name}-error`} hidden></p>
    </div>
  );
}

function EmailForm() {
  return (
    <details class="email-settings" data-field="email-settings" open>
      <summary data-field="email-settings-summary">SMTP settings</summary>
      {/* POST, so that without JavaScript a password can never end up in a URL. */}
      <form class="email-form" method="post" novalidate data-field="email-form">
        <div class="form-error" id="email-form-error" role="alert" data-field="form-error" hidden></div>
        {SMTP_FIELDS.map((field) => (
          <Field field={field} />
        ))}
        <fieldset class="imap-fields" aria-describedby="imap-fields-hint">
          <legend>Replies and bounces (optional)</legend>
          <p class="hint" id="imap-fields-hint">
            With an IMAP login the service reads this mailbox for replies and bounced messages.
          </p>
          {IMAP_FIELDS.map((field) => (
            <Field field={field} />
          ))}
        </fieldset>
        <button type="submit" data-action="save-email">
          Save and check
        </button>
      </form>
    </details>
  );
}

/** The mailbox's outreach today, and a way to see a message go out through the real send API. */
function EmailOutreach() {
  return (
    <div class="outreach" data-field="outreach" hidden>
      <h3 class="section-title" id="email-outreach-title">
        Outreach today
      </h3>
      <p class="sent-today" data-field="sent-today" aria-live="polite"></p>
      <button type="button" data-action="send-test" aria-describedby="send-test-hint">
        Send a test email
      </button>
      <p class="hint" id="send-test-hint">
        Sends a short message to this mailbox’s own address, like any outreach email: it counts toward today’s
        limit and is in the message log.
      </p>
    </div>
  );
}

const CAPABILITIES = [
  { field: 'can_send_dm', label: 'Send DM', hint: null },
  {
    field: 'can_discover',
    label: 'Discover',
    hint: 'Finding people to reach out to. It needs no connected account.',
  },
  { field: 'can_read_messages', label: 'Read messages', hint: null },
] as const;

/** What connecting each platform is for, in the words of someone deciding whether to. */
const PURPOSES = {
  instagram: 'Reply to people who message your Instagram professional account.',
  facebook: 'Reply to people who message your Facebook Page.',
  tiktok:
    'TikTok has no messaging API, so a TikTok account cannot send or read messages here. Connecting it links your TikTok account to your profile, and shows which one it is.',
  email: 'Send email from your own mailbox, through its SMTP server.',
} as const satisfies Record<Platform, string>;

function ActionButton({ action, label, platform }: { action: string; label: string; platform: Platform }) {
  return (
    <button type="button" data-action={action} class={action === 'disconnect' ? 'danger' : undefined} hidden>
      {label}
      <span class="visually-hidden"> {PLATFORM_NAMES[platform]}</span>
    </button>
  );
}

/** Instagram's two sign-ins, and the one sentence that tells them apart. */
function InstagramLogins() {
  return (
    <p class="login-choice" data-field="login-choice">
      Instagram Login connects your professional account directly and needs no Facebook Page; Facebook Login
      reaches it through the Facebook Page it is linked to. <span data-field="login-in-use"></span>
    </p>
  );
}

function PlatformCard({ platform }: { platform: Platform }) {
  const titleId = `${platform}-title`;
  const signsIn = platform !== 'email';
  return (
    <section class="card" id={`card-${platform}`} data-platform={platform} aria-labelledby={titleId}>
      <header class="card-header">
        <h2 id={titleId} tabindex={-1}>
          {PLATFORM_NAMES[platform]}
        </h2>
        <span class="badge" data-field="status">
          Loading…
        </span>
      </header>
      <p class="purpose" data-field="purpose">
        {PURPOSES[platform]}
      </p>
      <dl class="details" data-field="details" hidden></dl>
      <h3 class="section-title">What you can do</h3>
      <ul class="capabilities">
        {CAPABILITIES.map((capability) => (
          <li>
            <span>
              {capability.label}
              {capability.hint === null ? null : <span class="capability-hint">{capability.hint}</span>}
            </span>
            <span class="indicator" data-field={capability.field} data-state="unknown">
              …
            </span>
          </li>
        ))}
      </ul>
      <p class="reason" data-field="reason" hidden></p>
      <ul class="limitations" data-field="limitations" aria-label="Limitations" hidden></ul>
      {platform === 'instagram' ? <InstagramLogins /> : null}
      {signsIn ? null : <EmailOutreach />}
      {signsIn ? null : <EmailForm />}
      <div class="actions">
        {platform === 'instagram' ? (
          <>
            <ActionButton action="connect" label="Connect with Facebook Login" platform={platform} />
            <ActionButton
              action="connect-instagram"
              label="Connect with Instagram Login"
              platform={platform}
            />
          </>
        ) : signsIn ? (
          <ActionButton action="connect" label="Connect" platform={platform} />
        ) : null}
        {signsIn ? <ActionButton action="reconnect" label="Reconnect" platform={platform} /> : null}
        <ActionButton action="validate" label="Validate" platform={platform} />
        <ActionButton action="disconnect" label="Disconnect" platform={platform} />
      </div>
      <p class="card-message" data-field="message" hidden></p>
    </section>
  );
}

/** `/settings`: the shell the page script fills from `/capabilities` and the integration list. */
export function SettingsPage() {
  return (
    <PageLayout title="Integrations" scripts={[asset('settings.js')]} stylesheets={[asset('settings.css')]}>
      <header class="page-header">
        <h1>Integrations</h1>
        <p>
          Connect the accounts you send outreach from. Each card says what the account allows; the buttons are
          the ones the service’s capabilities enable.
        </p>
      </header>
      <main>
        <div class="page-error" id="page-error" role="alert" hidden></div>
        <noscript>
          <p class="page-error">This page needs JavaScript to load your integrations.</p>
        </noscript>
        <form class="identity" method="get" action="/settings">
          <p class="user-prompt" id="user-prompt" hidden>
            Whose integrations? Enter a user to see and connect their accounts.
          </p>
          <label for="user-id">User</label>
          <input
            id="user-id"
            name="user_id"
            autocomplete="off"
            spellcheck={false}
            required
            aria-describedby="user-id-hint"
          />
          <button type="submit">Show integrations</button>
          <p class="hint" id="user-id-hint">
            Development: the API takes the user from <code>user_id</code>. With sign-in enabled it comes from
            your session instead.
          </p>
        </form>
        <div class="load-error" id="load-error" role="alert" hidden>
          <p id="load-error-text"></p>
          <button type="button" id="retry-load">
            Try again
          </button>
        </div>
        <p class="announcer" id="announcer" role="status" aria-live="polite"></p>
        <ul class="cards" id="cards" aria-label="Platforms">
          {PLATFORMS.map((platform) => (
            <li>
              <PlatformCard platform={platform} />
            </li>
          ))}
        </ul>
      </main>
      <dialog id="disconnect-dialog" aria-labelledby="disconnect-title" aria-describedby="disconnect-text">
        <form method="dialog">
          <h2 id="disconnect-title">Disconnect?</h2>
          <p class="dialog-text" id="disconnect-text"></p>
          <div class="actions">
            <button type="submit" value="cancel" autofocus>
              Cancel
            </button>
            <button type="submit" value="confirm" class="danger">
              Disconnect
            </button>
          </div>
        </form>
      </dialog>
    </PageLayout>
  );
}
