import type { TokenConnector } from './login.js';

/** How long a started sign-in may take before its state is refused. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

interface OAuthRule {
  /** What the consent screen asks for: the original design's scopes. */
  readonly scopes: readonly string[];
  /**
   * Whether the flow carries a PKCE S256 challenge. TikTok documents it; Meta marks its PKCE flow for
   * manually built logins as "in testing", and a confidential client with a server-side, single-use
   * state bound to the user does not need it.
   */
  readonly pkce: boolean;
}

// `pages_manage_metadata` lets the service subscribe the app to the connected Page
// (`POST /{page-id}/subscribed_apps`), without which Meta sends no message webhooks for it.
export const OAUTH_RULES = {
  instagram: {
    scopes: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list', 'pages_manage_metadata'],
    pkce: false,
  },
  facebook: { scopes: ['pages_messaging', 'pages_show_list', 'pages_manage_metadata'], pkce: false },
  tiktok: { scopes: ['user.info.basic'], pkce: true },
  // Instagram Login's current names; the `business_*` ones stopped working on 27 January 2025.
  instagram_login: {
    scopes: ['instagram_business_basic', 'instagram_business_manage_messages'],
    pkce: false,
  },
} as const satisfies Record<TokenConnector, OAuthRule>;
