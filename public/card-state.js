// @ts-check
/** @typedef {import('../src/client.js').Capability} Capability */
/** @typedef {import('../src/client.js').Integration} Integration */

/** @typedef {'ok' | 'warning' | 'off'} Tone */

/** @type {Record<NonNullable<Capability['connection_status']>, { label: string, tone: Tone }>} */
const STATUS = {
  connected: { label: 'Connected', tone: 'ok' },
  expired: { label: 'Expired', tone: 'warning' },
  revoked: { label: 'Access revoked', tone: 'warning' },
  unsupported: { label: 'Account not supported', tone: 'warning' },
  error: { label: 'Check failed', tone: 'warning' },
};

const NOT_CONNECTED = { label: 'Not connected', tone: /** @type {Tone} */ ('off') };

/** How each of Instagram's sign-ins is called on the page. */
export const LOGIN_NAMES = { facebook: 'Facebook Login', instagram: 'Instagram Login' };

/** Reasons a new sign-in can fix, on an account that is otherwise connected. */
const FIXED_BY_SIGNING_IN_AGAIN = new Set(['missing_scope', 'page_not_linked', 'not_business_account']);

/**
 * What a platform's card shows and offers, decided from its capability alone, so that the page enables
 * exactly what `/capabilities` allows.
 * @param {Capability} capability
 */
export function cardState(capability) {
  const connected = capability.connection_status !== null;
  const signsIn = capability.platform !== 'email';
  const reconnect =
    signsIn &&
    connected &&
    (capability.connection_status !== 'connected' ||
      (capability.reason_code !== null && FIXED_BY_SIGNING_IN_AGAIN.has(capability.reason_code)));
  return {
    status: capability.connection_status === null ? NOT_CONNECTED : STATUS[capability.connection_status],
    actions: {
      connect: signsIn && !connected,
      // Instagram's second sign-in (Instagram Login, no Facebook Page needed).
      'connect-instagram': capability.platform === 'instagram' && !connected,
      reconnect,
      validate: connected,
      disconnect: connected,
    },
    /** The email card's SMTP form: open to connect or repair, folded away once the login works. */
    emailForm: /** @type {'none' | 'folded' | 'open'} */ (
      signsIn ? 'none' : capability.connection_status === 'connected' ? 'folded' : 'open'
    ),
    capabilities: {
      can_send_dm: capability.can_send_dm,
      can_discover: capability.can_discover,
      can_read_messages: capability.can_read_messages,
    },
    reason: capability.can_send_dm ? null : capability.reason,
    limitations: capability.limitations,
  };
}

/**
 * How a finished sign-in reads, from what the account can do now: a success only when nothing is left
 * to fix (TikTok, which can never send, has nothing to fix).
 * @param {string} name the platform's name
 * @param {Capability} capability
 * @returns {{ tone: 'success' | 'warning', heading: string, text: string }}
 */
export function connectedOutcome(name, capability) {
  const allows = capability.can_send_dm
    ? 'It can send messages.'
    : `It cannot send messages: ${capability.reason}`;
  const text = `${name} is connected to your account. ${allows}`;
  return cardState(capability).actions.reconnect
    ? { tone: 'warning', heading: `${name} connected, but not ready to send`, text }
    : { tone: 'success', heading: `${name} connected`, text };
}

/**
 * The facts worth showing about a stored integration, as term and description pairs.
 * @param {Integration} integration
 * @param {(iso: string) => string} formatTime
 * @returns {[string, string][]}
 */
export function integrationDetails(integration, formatTime) {
  const lastVerified =
    integration.last_verified_at === null ? 'Never' : formatTime(integration.last_verified_at);
  if (integration.platform === 'email') {
    return [
      ['Address', integration.email_address ?? '—'],
      ['Server', `${integration.smtp_host}:${integration.smtp_port}`],
      ['Username', integration.smtp_username ?? '—'],
      ...(integration.imap_host === null
        ? []
        : /** @type {[string, string][]} */ ([
            ['Replies read from', `${integration.imap_host}:${integration.imap_port}`],
          ])),
      ['Last verified', lastVerified],
    ];
  }
  const text = (/** @type {unknown} */ value) => (typeof value === 'string' && value !== '' ? value : null);
  const { metadata } = integration;
  const username = text(metadata.username);
  const accountName = username === null ? text(metadata.display_name) : `@${username}`;
  const pageName = text(metadata.page_name);
  /** @type {[string, string][]} */
  const details = [];
  // A Page known by its name says who the account is; a bare numeric id is shown only when nothing else is.
  if (accountName !== null || pageName === null) {
    details.push(['Account', accountName ?? integration.account_id ?? '—']);
  }
  if (integration.page_id !== null) details.push(['Page', pageName ?? integration.page_id]);
  if (integration.platform === 'instagram' && integration.login_type !== null) {
    details.push(['Connected with', LOGIN_NAMES[integration.login_type]]);
  }
  details.push(
    ['Permissions', integration.scopes_granted.length === 0 ? 'None' : integration.scopes_granted.join(', ')],
    ['Expires', integration.token_expires_at === null ? 'Never' : formatTime(integration.token_expires_at)],
    ['Last verified', lastVerified],
  );
  return details;
}
