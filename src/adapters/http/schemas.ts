import { z } from '@hono/zod-openapi';
import { EVENT_TYPES } from '../../application/events.js';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, REVOCATION_OUTCOMES } from '../../application/ports/audit-log.js';
import { ERROR_CODES } from '../../domain/errors.js';
import { CONNECTION_STATUSES } from '../../domain/integration.js';
import { LOGIN_TYPES } from '../../domain/login.js';
import { PLATFORMS } from '../../domain/platform.js';
import { REASON_CODES } from '../../domain/reason-codes.js';
import { USER_ID_MAX_LENGTH, type UserIdProblem, userIdProblem } from '../../domain/user-id.js';

// CR, LF and other controls would let a value smuggle SMTP commands or forge log lines. The class is
// Unicode's Cc (C0, DEL, C1) spelled out: the OpenAPI generator writes a regex's flags into its pattern, so
// the pattern must work without `u`, as JSON Schema validators and Swagger UI compile it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f]*$/;

const printable = (field: string, max: number) =>
  z
    .string()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} must be at most ${max} characters`)
    .regex(NO_CONTROL_CHARACTERS, `${field} must not contain control characters`);

const hostname = (field: string) =>
  z
    .string()
    .min(1, `${field} must not be empty`)
    .max(253, `${field} must be at most 253 characters`)
    .regex(/^[A-Za-z0-9.:[\]-]+$/, `${field} must be a host name or IP address`);

const port = (field: string) =>
  z
    .int(`${field} must be a whole number`)
    .min(1, `${field} must be between 1 and 65535`)
    .max(65535, `${field} must be between 1 and 65535`);

const password = (field: string) =>
  z.string().min(1, `${field} must not be empty`).max(1024, `${field} is too long`);

const optionalId = printable('id', 255).nullish();

const USER_ID_MESSAGES: Record<Exclude<UserIdProblem, 'empty' | 'too_long' | 'control'>, string> = {
  blank: 'user_id must not be blank',
  malformed: 'user_id must be well-formed Unicode',
  invisible: 'user_id must not contain format or separator characters',
};

const userId = printable('user_id', USER_ID_MAX_LENGTH).superRefine((text, context) => {
  const problem = userIdProblem(text);
  if (problem !== null && problem in USER_ID_MESSAGES) {
    context.addIssue({ code: 'custom', message: USER_ID_MESSAGES[problem as keyof typeof USER_ID_MESSAGES] });
  }
});

/** In development the `user_id` query parameter is the caller's identity, so it is required. */
export const DevelopmentUserId = z.object({ user_id: userId });

export const UserQuery = z.object({
  user_id: userId.optional().openapi({
    description:
      'The user whose integrations these are. With JWT authentication it may be left out; when given it must be the token’s `sub`. Required in development mode.',
  }),
});

const pageLimit = z.coerce
  .number('limit must be a whole number from 1 to 100')
  .int('limit must be a whole number from 1 to 100')
  .min(1, 'limit must be a whole number from 1 to 100')
  .max(100, 'limit must be a whole number from 1 to 100')
  .default(50);

/** A position from a previous page's `next_cursor`. */
const pagePosition = (parameter: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, `${parameter} must be the next_cursor of a previous page`)
    .transform(Number)
    .optional();

/** A page of a newest-first list: `cursor` is the `next_cursor` of the page before. */
export const PageQuery = UserQuery.extend({
  limit: pageLimit,
  cursor: pagePosition('cursor'),
});

export const PlatformParam = z.object({
  platform: z.enum(PLATFORMS).openapi({ param: { name: 'platform', in: 'path' } }),
});

const redirectUri = printable('redirect_uri', 2048).openapi({
  description: 'Must equal one entry of OAUTH_REDIRECT_URIS exactly.',
});

const loginType = z.enum(LOGIN_TYPES, 'login_type must be facebook or instagram');

export const OAuthAuthorizeQuery = UserQuery.extend({
  redirect_uri: redirectUri,
  login: z.enum(LOGIN_TYPES, 'login must be facebook or instagram').optional().openapi({
    description:
      'Instagram only: `facebook` (the default) signs in with Facebook Login through the linked Page; `instagram` with Instagram Login, which needs no Page.',
  }),
});

export const OAuthCallbackRequest = z
  .strictObject({
    code: printable('code', 2048),
    state: printable('state', 512),
    redirect_uri: redirectUri,
  })
  .openapi('OAuthCallbackRequest');

export const AuthorizationResponse = z
  .object({
    authorization_url: z.url(),
    expires_at: z.iso.datetime().openapi({ description: 'The sign-in must be completed before this time.' }),
  })
  .openapi('AuthorizationResponse');

export const EmailIntegrationCreate = z
  .strictObject({
    platform: z.literal('email'),
    email_address: z.email('email_address must be an email address').max(320),
    smtp_host: hostname('smtp_host'),
    smtp_port: port('smtp_port'),
    smtp_username: printable('smtp_username', 320),
    smtp_password: password('smtp_password'),
    imap_host: hostname('imap_host')
      .optional()
      .openapi({ description: 'Read replies and bounces over IMAP; the login is checked before saving.' }),
    imap_port: port('imap_port')
      .optional()
      .openapi({ description: '993 (implicit TLS, the default) or 143 (STARTTLS required).' }),
    imap_username: printable('imap_username', 320)
      .optional()
      .openapi({ description: 'Default: smtp_username.' }),
    imap_password: password('imap_password').optional().openapi({ description: 'Default: smtp_password.' }),
  })
  .refine(
    (body) =>
      body.imap_host !== undefined ||
      (body.imap_port === undefined && body.imap_username === undefined && body.imap_password === undefined),
    { message: 'imap_port, imap_username and imap_password need imap_host', path: ['imap_host'] },
  );

const METADATA_DEPTH = 8;
const METADATA_CHARACTERS = 16 * 1024;

// Checked before anything is sent anywhere: PostgreSQL cannot store NUL, its driver would turn a lone
// surrogate into U+FFFD, and deep nesting exhausts recursive readers of the stored value.
function textProblem(text: string): string | null {
  if (/\p{Cc}/u.test(text)) return 'metadata must not contain control characters';
  if (/\p{Cs}/u.test(text)) return 'metadata must be well-formed Unicode';
  return null;
}

function metadataProblem(value: unknown, depth: number): string | null {
  if (typeof value === 'string') return textProblem(value);
  if (value === null || typeof value !== 'object') return null;
  if (depth > METADATA_DEPTH) return `metadata must be nested at most ${METADATA_DEPTH} levels deep`;
  for (const [key, item] of Object.entries(value)) {
    const problem = textProblem(key) ?? metadataProblem(item, depth + 1);
    if (problem !== null) return problem;
  }
  return null;
}

const metadata = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  const problem =
    metadataProblem(value, 1) ??
    (JSON.stringify(value).length > METADATA_CHARACTERS
      ? `metadata must be at most ${METADATA_CHARACTERS} characters of JSON`
      : null);
  if (problem !== null) context.addIssue({ code: 'custom', message: problem });
});

export const TokenIntegrationCreate = z.strictObject({
  platform: z.enum(['instagram', 'facebook', 'tiktok']),
  login_type: loginType.nullish().openapi({
    description:
      'Instagram only: which sign-in issued access_token. `facebook` (the default): a Facebook Login user or Page token, checked on graph.facebook.com; `instagram`: an Instagram Login token, checked on graph.instagram.com.',
  }),
  access_token: printable('access_token', 4096),
  refresh_token: printable('refresh_token', 4096).nullish(),
  token_expires_at: z.iso
    .datetime({ offset: true, error: 'token_expires_at must be an ISO 8601 date-time' })
    .nullish(),
  page_id: optionalId.openapi({
    description:
      'Meta: which of the token’s Pages to use (the first one, or for Instagram the first with a linked account, otherwise).',
  }),
  account_id: optionalId.openapi({
    description: 'Ignored: the platform says which account the token is for.',
  }),
  business_id: optionalId,
  metadata: metadata.optional(),
});

export const IntegrationCreate = z
  .discriminatedUnion('platform', [EmailIntegrationCreate, TokenIntegrationCreate], {
    error: 'platform must be one of instagram, facebook, tiktok, email',
  })
  .openapi('IntegrationCreate');

const timestamp = z.iso.datetime().nullable();

export const IntegrationResponse = z
  .object({
    id: z.uuid(),
    user_id: z.string(),
    platform: z.enum(PLATFORMS),
    login_type: z.enum(LOGIN_TYPES).nullable().openapi({
      description:
        'How the account was connected: `facebook` or `instagram` (Instagram Login, no Page) for Instagram, `facebook` for Facebook, null otherwise.',
    }),
    connection_status: z.enum(CONNECTION_STATUSES),
    status_detail: z.string().nullable(),
    scopes_granted: z.array(z.string()),
    account_id: z.string().nullable(),
    page_id: z.string().nullable(),
    business_id: z.string().nullable(),
    access_token: z.string().nullable().openapi({ description: 'Masked: **** and the last 4 characters.' }),
    refresh_token: z.string().nullable().openapi({ description: 'Masked like access_token.' }),
    token_expires_at: timestamp,
    last_verified_at: timestamp,
    email_address: z.string().nullable(),
    smtp_host: z.string().nullable(),
    smtp_port: z.number().int().nullable(),
    smtp_username: z.string().nullable(),
    smtp_password: z.string().nullable().openapi({ description: 'Always ******** when set.' }),
    imap_host: z.string().nullable(),
    imap_port: z.number().int().nullable(),
    imap_username: z.string().nullable(),
    imap_password: z.string().nullable().openapi({ description: 'Always ******** when set.' }),
    metadata: z.record(z.string(), z.unknown()),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('IntegrationResponse');

export const CapabilityResponse = z
  .object({
    platform: z.enum(PLATFORMS),
    is_connected: z.boolean(),
    connection_status: z.enum(CONNECTION_STATUSES).nullable(),
    can_send_dm: z.boolean(),
    can_discover: z.literal(true),
    can_read_messages: z.boolean(),
    reason: z.string().nullable(),
    reason_code: z.enum(REASON_CODES).nullable(),
    missing_scopes: z.array(z.string()),
    limitations: z.array(z.string()),
  })
  .openapi('CapabilityResponse');

export const ValidationResponse = z
  .object({ valid: z.boolean(), detail: z.string().nullable(), integration: IntegrationResponse })
  .openapi('ValidationResponse');

export const ErrorResponse = z
  .object({
    detail: z.string(),
    code: z.enum(ERROR_CODES),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Error');

export const AuditEntryResponse = z
  .object({
    id: z.string(),
    occurred_at: z.iso.datetime(),
    action: z.enum(AUDIT_ACTIONS),
    outcome: z.enum(AUDIT_OUTCOMES),
    platform: z.enum(PLATFORMS).nullable(),
    code: z.enum(ERROR_CODES).nullable().openapi({
      description: 'Why it failed or was denied; for a delete whose revoke failed, why the revoke failed.',
    }),
    revocation: z.enum(REVOCATION_OUTCOMES).nullable().openapi({
      description:
        'For a delete that removed an integration: `revoked`, `failed`, `not_offered` (SMTP, or a Meta Page token) or `kept_shared` (the user’s other Meta integration relies on the same grant).',
    }),
    target_user_id: z.string().nullable(),
    request_id: z.string(),
    client_address: z.string(),
  })
  .openapi('AuditEntry');

export const AuditPageResponse = z
  .object({
    entries: z.array(AuditEntryResponse),
    next_cursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page.' }),
  })
  .openapi('AuditPage');

/** The event feed, oldest first: `after` is the `next_cursor` of the page before. */
export const EventsQuery = UserQuery.extend({
  limit: pageLimit,
  after: pagePosition('after'),
});

export const EventResponse = z
  .object({
    id: z.uuid().openapi({ description: 'The `webhook-id` of its deliveries.' }),
    type: z.enum(EVENT_TYPES),
    timestamp: z.iso.datetime(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('Event');

export const EventPageResponse = z
  .object({
    events: z.array(EventResponse),
    next_cursor: z.string().nullable().openapi({
      description:
        'Pass as `after` for the next page, and keep it to ask for newer events later; null on an empty page.',
    }),
  })
  .openapi('EventPage');
