export const PLATFORMS = ['instagram', 'facebook', 'tiktok', 'email'] as const;

export type Platform = (typeof PLATFORMS)[number];

/** Platforms connected with an access token (OAuth or pasted), as opposed to SMTP settings. */
export type TokenPlatform = Exclude<Platform, 'email'>;

export function isTokenPlatform(value: string): value is TokenPlatform {
  return value !== 'email' && isPlatform(value);
}

export const PLATFORM_NAMES = {
  instagram: 'Instagram',
  facebook: 'Facebook',
  tiktok: 'TikTok',
  email: 'Email',
} as const satisfies Record<Platform, string>;

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}
