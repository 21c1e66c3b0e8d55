import type { Platform } from './platform.js';

/**
 * Which sign-in an account was connected through. Instagram offers two incompatible ones: Facebook Login
 * (the account reached through a linked Facebook Page, on graph.facebook.com) and Instagram Login (the
 * professional account itself, on graph.instagram.com, no Page).
 */
export const LOGIN_TYPES = ['facebook', 'instagram'] as const;

export type LoginType = (typeof LOGIN_TYPES)[number];

/** The logins each platform offers; the first is the default. */
export const PLATFORM_LOGINS = {
  instagram: ['facebook', 'instagram'],
  facebook: ['facebook'],
  tiktok: [],
  email: [],
} as const satisfies Record<Platform, readonly LoginType[]>;

export function defaultLogin(platform: Platform): LoginType | null {
  return PLATFORM_LOGINS[platform][0] ?? null;
}

export function offersLogin(platform: Platform, login: LoginType): boolean {
  return (PLATFORM_LOGINS[platform] as readonly LoginType[]).includes(login);
}

/**
 * What the per-platform tables (capabilities, refresh, gateways) are keyed by: the platform, except that
 * Instagram through Instagram Login is its own row, since its API, tokens and rules differ.
 */
export type Connector = Platform | 'instagram_login';

export type TokenConnector = Exclude<Connector, 'email'>;

/** The connector of an integration, or of a platform with its default login. */
export function connectorOf(facts: {
  readonly platform: Platform;
  readonly loginType: LoginType | null;
}): Connector {
  return facts.platform === 'instagram' && facts.loginType === 'instagram'
    ? 'instagram_login'
    : facts.platform;
}
