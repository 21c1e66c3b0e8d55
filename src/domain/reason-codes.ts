/** Why a capability is denied; each is also an error code (a refused send answers with it). */
export const REASON_CODES = [
  'not_connected',
  'token_expired',
  'token_revoked',
  'validation_failed',
  'platform_unsupported',
  'missing_scope',
  'page_not_linked',
  'not_business_account',
  'dm_not_supported',
  'unsupported_on_runtime',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];
