import type { Clock } from '../../application/ports/clock.js';
import type { DirectMessageGateways } from '../../application/ports/direct-message-gateway.js';
import type { PlatformGateways } from '../../application/ports/platform-gateway.js';
import { APP_VARIABLES, type PlatformSettings } from '../../config.js';
import { MetaGateway, type MetaPlatform } from './meta/meta-gateway.js';
import { MetaMessenger } from './meta/meta-messenger.js';
import { TikTokGateway } from './tiktok/tiktok-gateway.js';

export interface GatewayDrivers {
  readonly fetch: typeof fetch;
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
      notConfigured: APP_VARIABLES[platform],
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
      notConfigured: APP_VARIABLES.tiktok,
      authUrl: settings.tiktokAuthUrl,
      apiUrl: settings.tiktokApiUrl,
    }),
  };
}

/** The Send APIs of the platforms that have one, on the configured Graph endpoint. */
export function createDirectMessageGateways(
  settings: PlatformSettings,
  drivers: Omit<GatewayDrivers, 'clock'>,
): DirectMessageGateways {
  const messenger = (platform: MetaPlatform) =>
    new MetaMessenger({
      ...drivers,
      platform,
      graphUrl: settings.metaGraphUrl,
      graphVersion: settings.metaGraphVersion,
    });
  return { instagram: messenger('instagram'), facebook: messenger('facebook') };
}
