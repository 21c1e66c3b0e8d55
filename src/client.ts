/**
 * Types for TypeScript frontends: Hono's typed client over every API route, and the wire shapes.
 *
 *   import { hc } from 'hono/client';
 *   const api = hc<AppType>('http://localhost:8000');
 *   const res = await api.api.integrations.capabilities.$get({ query: { user_id: 'u1' } });
 */
import type { z } from '@hono/zod-openapi';
import type { ApiRoutes } from './adapters/http/api-routes.js';
import type { MessageResponse, RecipientCheckResponse } from './adapters/http/outreach-schemas.js';
import type {
  AuthorizationResponse,
  CapabilityResponse,
  ErrorResponse,
  IntegrationResponse,
  ValidationResponse,
} from './adapters/http/schemas.js';

export type AppType = ApiRoutes;
export type Capability = z.infer<typeof CapabilityResponse>;
export type Integration = z.infer<typeof IntegrationResponse>;
export type Validation = z.infer<typeof ValidationResponse>;
export type Authorization = z.infer<typeof AuthorizationResponse>;
export type ApiError = z.infer<typeof ErrorResponse>;
export type Message = z.infer<typeof MessageResponse>;
export type RecipientCheck = z.infer<typeof RecipientCheckResponse>;
