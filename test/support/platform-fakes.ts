import type { PlatformSettings } from '../../src/adapters/gateways/platform-gateways.js';
import { InstagramFake } from '../fakes/instagram-fake.js';
import { MetaFake } from '../fakes/meta-fake.js';
import { TikTokFake } from '../fakes/tiktok-fake.js';
import { testConfig } from './test-app.js';

/** Fake Meta and TikTok servers that accept the same registered redirect URIs. */
export interface PlatformFakes {
  readonly meta: MetaFake;
  readonly tiktok: TikTokFake;
  /** www.instagram.com, api.instagram.com and graph.instagram.com (Instagram Login) on one port. */
  readonly instagram: InstagramFake;
  /** Settings pointing the real gateways at the fakes, with every app configured. */
  readonly settings: PlatformSettings;
  /** The same, as environment variables for a server process. */
  readonly environment: Record<string, string>;
  close(): Promise<void>;
}

export async function startPlatformFakes(redirectUris: readonly string[]): Promise<PlatformFakes> {
  const [meta, tiktok, instagram] = await Promise.all([
    MetaFake.start(redirectUris),
    TikTokFake.start(redirectUris),
    InstagramFake.start(redirectUris),
  ]);
  const environment = {
    FACEBOOK_CLIENT_ID: meta.appId,
    FACEBOOK_CLIENT_SECRET: meta.appSecret,
    TIKTOK_CLIENT_KEY: tiktok.clientKey,
    TIKTOK_CLIENT_SECRET: tiktok.clientSecret,
    OAUTH_REDIRECT_URIS: redirectUris.join(','),
    META_GRAPH_URL: meta.baseUrl,
    META_GRAPH_VERSION: meta.version,
    META_DIALOG_URL: meta.baseUrl,
    TIKTOK_AUTH_URL: tiktok.baseUrl,
    TIKTOK_API_URL: tiktok.baseUrl,
    INSTAGRAM_APP_ID: instagram.appId,
    INSTAGRAM_APP_SECRET: instagram.appSecret,
    INSTAGRAM_AUTH_URL: instagram.baseUrl,
    INSTAGRAM_API_URL: instagram.baseUrl,
    INSTAGRAM_GRAPH_URL: instagram.baseUrl,
  };
  return {
    meta,
    tiktok,
    instagram,
    // As a server parses them from its environment.
    settings: testConfig(environment).platforms,
    environment,
    close: async () => {
      await Promise.all([meta.close(), tiktok.close(), instagram.close()]);
    },
  };
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(private current = new Date()) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds);
  }
}
