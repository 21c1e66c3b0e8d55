import type { Clock } from '../../application/ports/clock.js';
import type { DirectMessageGateways } from '../../application/ports/direct-message-gateway.js';
import type { PlatformGateways } from '../../application/ports/platform-gateway.js';
import type { TokenConnector } from '../../domain/login.js';
import type { HttpExchange } from './http-client.js';
import { InstagramLoginGateway } from './instagram/instagram-login-gateway.js';
import { MetaGateway, type MetaPlatform } from './meta/meta-gateway.js';
import { MetaMessenger } from './meta/meta-messenger.js';
import type { OAuthApp } from './oauth-app.js';
import { TikTokGateway } from './tiktok/tiktok-gateway.js';

/** Where the platforms live and which apps this service signs in with. */
export interface PlatformSettings {
  /**
   * Null where the platform's app is not configured; Instagram (Facebook Login) falls back to the
   * Facebook app, Instagram Login has an app of its own.
   */
  readonly apps: Readonly<Record<TokenConnector, OAuthApp | null>>;
  /** What an operator sets to configure each platform's app, in words for error messages. */
  readonly notConfigured: Readonly<Record<TokenConnector, string>>;
  readonly metaGraphUrl: string;
  readonly metaGraphVersion: string;
  readonly metaDialogUrl: string;
  readonly tiktokAuthUrl: string;
  readonly tiktokApiUrl: string;
  readonly instagramAuthUrl: string;
  readonly instagramApiUrl: string;
  readonly instagramGraphUrl: string;
}

export interface GatewayDrivers {
  readonly exchange: HttpExchange;
  readonly clock: Clock;
  /** Bound in ms on every call to a platform. */
  readonly timeoutMs: number;
}

/** The real platform gateways for the configured endpoints and apps. */
export function createPlatformGateways(
  settings: PlatformSettings,
  drivers: GatewayDrivers,
): PlatformGateways {
  const meta = (platform: MetaPlatform) =>
    new MetaGateway({
      ...drivers,
      platform,
      app: settings.apps[platform],
      notConfigured: settings.notConfigured[platform],
      graphUrl: settings.metaGraphUrl,
      graphVersion: settings.metaGraphVersion,
      dialogUrl: settings.metaDialogUrl,
    });
  return {
    instagram: meta('instagram'),
    facebook: meta('facebook'),
    tiktok: new TikTokGateway({
      ...drivers,
      app: settings.apps.tiktok,
      notConfigured: settings.notConfigured.tiktok,
      authUrl: settings.tiktokAuthUrl,
      apiUrl: settings.tiktokApiUrl,
    }),
    instagram_login: new InstagramLoginGateway({
      ...drivers,
      app: settings.apps.instagram_login,
      notConfigured: settings.notConfigured.instagram_login,
      authUrl: settings.instagramAuthUrl,
      apiUrl: settings.instagramApiUrl,
      graphUrl: settings.instagramGraphUrl,
      graphVersion: settings.metaGraphVersion,
    }),
  };
}

/**
 * The Send APIs of the platforms that have one: the Page Send API on graph.facebook.com, and for Instagram
 * Login the same API (same body, answers and errors) on graph.instagram.com, sent as the account itself.
 */
export function createDirectMessageGateways(
  settings: Pick<PlatformSettings, 'metaGraphUrl' | 'metaGraphVersion' | 'instagramGraphUrl'>,
  drivers: Omit<GatewayDrivers, 'clock'>,
): DirectMessageGateways {
  const messenger = (platform: MetaPlatform, graphUrl: string) =>
    new MetaMessenger({ ...drivers, platform, graphUrl, graphVersion: settings.metaGraphVersion });
  return {
    instagram: messenger('instagram', settings.metaGraphUrl),
    facebook: messenger('facebook', settings.metaGraphUrl),
    instagram_login: messenger('instagram', settings.instagramGraphUrl),
  };
}
