import type { z } from '@hono/zod-openapi';
import { ErrorResponse } from './schemas.js';

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** The error answers every route may give, for the OpenAPI description. */
const errorResponses = {
  400: json(ErrorResponse, 'Malformed request, or credentials the platform rejected'),
  401: json(ErrorResponse, 'Missing or invalid bearer token'),
  403: json(ErrorResponse, 'user_id names someone other than the token’s user'),
  404: json(ErrorResponse, 'Unknown platform, or no such integration'),
  409: json(ErrorResponse, 'Stored credentials cannot be decrypted; reconnect'),
  413: json(ErrorResponse, 'Body larger than 64 KiB'),
  415: json(ErrorResponse, 'Body is not application/json'),
  429: json(ErrorResponse, 'Rate limited; see Retry-After'),
  500: json(ErrorResponse, 'Unexpected server error'),
  501: json(
    ErrorResponse,
    'Email (SMTP) cannot be checked on this runtime (Workers, Deno); use the Node service',
  ),
  502: json(ErrorResponse, 'The platform failed or timed out'),
  503: json(ErrorResponse, 'Database unavailable'),
} as const;

/**
 * `responses` with the error answers added. Spreading `errorResponses` in place would turn its numeric
 * keys into strings in the type, and Hono's typed client would then not know the error statuses.
 */
export const withErrorResponses = <Success extends object>(success: Success) =>
  ({ ...success, ...errorResponses }) as Success & typeof errorResponses;
