import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { SendRequest, SendOutcome as SendResult } from '../../application/use-cases/send-message.js';
import type { UseCases } from '../../application/use-cases/use-cases.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';
import type { Result } from '../../domain/result.js';
import type { SendOutcome } from '../metrics/metrics-recorder.js';
import type { AppEnv } from './app-env.js';
import {
  capabilityDenied,
  errorResponse,
  fieldErrors,
  invalidRequestDetail,
  unwrap,
  validationHook,
} from './errors.js';
import { authenticatedUser } from './identity.js';
import { json, withErrorResponses } from './openapi-responses.js';
import { messageJson, recipientCheckJson, suppressionJson } from './outreach-presenters.js';
import {
  AddressParam,
  EmailAddress,
  EmailMessageRequest,
  IdempotencyKey,
  MessageListQuery,
  MessageListResponse,
  MessagePlatformParam,
  MessageRequest,
  MessageResponse,
  MetaMessageRequest,
  RecipientCheckResponse,
  RecipientId,
  RecipientParam,
  SuppressionListResponse,
} from './outreach-schemas.js';
import { declareRoute } from './route-facts.js';
import { UserQuery } from './schemas.js';

const sendRoute = createRoute({
  method: 'post',
  path: '/{platform}/messages',
  summary: 'Send one message now through the user’s integration (TikTok: always 409 dm_not_supported)',
  middleware: [declareRoute({ audit: 'outreach.send', limit: 'outbound' })],
  request: {
    params: MessagePlatformParam,
    query: UserQuery,
    body: { content: { 'application/json': { schema: MessageRequest } }, required: false },
    headers: z.object({
      'idempotency-key': z.string().optional().openapi({
        description:
          'Sends at most once per key: a repeat gives the first answer (200, Idempotent-Replayed).',
      }),
    }),
  },
  responses: withErrorResponses({
    200: json(MessageResponse, 'Replayed: sent earlier under the same Idempotency-Key and body'),
    201: json(MessageResponse, 'Sent: the platform accepted the message'),
  }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/messages',
  summary: 'The caller’s message log, newest first',
  request: { query: MessageListQuery },
  responses: withErrorResponses({ 200: json(MessageListResponse, 'One page of messages') }),
});

const checkRoute = createRoute({
  method: 'get',
  path: '/{platform}/recipients/{recipient}',
  summary: 'Whether a send to this recipient now would go out, without sending',
  request: { params: RecipientParam, query: UserQuery },
  responses: withErrorResponses({ 200: json(RecipientCheckResponse, 'The recipient check') }),
});

const suppressionsRoute = createRoute({
  method: 'get',
  path: '/email/suppressions',
  summary: 'The addresses the user’s outreach email does not go to',
  request: { query: UserQuery },
  responses: withErrorResponses({ 200: json(SuppressionListResponse, 'The suppression list') }),
});

const suppressRoute = createRoute({
  method: 'put',
  path: '/email/suppressions/{address}',
  summary: 'Suppress an address by hand (reason manual)',
  request: { params: AddressParam, query: UserQuery },
  responses: withErrorResponses({
    200: { description: 'Already suppressed' },
    201: { description: 'Suppressed' },
  }),
});

const unsuppressRoute = createRoute({
  method: 'delete',
  path: '/email/suppressions/{address}',
  summary: 'Lift a suppression (idempotent)',
  request: { params: AddressParam, query: UserQuery },
  responses: withErrorResponses({ 204: { description: 'Not suppressed (any more)' } }),
});

/** The value as `schema` reads it, or the 400 naming each field at fault. */
function parsed<T>(c: Context<AppEnv>, schema: z.ZodType<T>, value: unknown, prefix?: string) {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true as const, value: result.data };
  const errors = fieldErrors(result.error).map((error) =>
    prefix === undefined ? error : { ...error, path: prefix },
  );
  return {
    ok: false as const,
    response: errorResponse(c, { code: 'invalid_request', detail: invalidRequestDetail(errors) }, errors),
  };
}

async function body(c: Context<AppEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

async function sendRequest(c: Context<AppEnv>, platform: Platform) {
  if (platform === 'tiktok') return { ok: true as const, value: { platform } satisfies SendRequest };
  const raw = await body(c);
  if (raw === undefined) {
    return {
      ok: false as const,
      response: errorResponse(c, { code: 'invalid_request', detail: 'The request body is not valid JSON.' }),
    };
  }
  if (platform === 'email') {
    const email = parsed(c, EmailMessageRequest, raw);
    if (!email.ok) return email;
    const { to, subject, text, html, reply_to } = email.value;
    const request: SendRequest = {
      platform,
      to,
      subject,
      text,
      html: html ?? null,
      replyTo: reply_to ?? null,
    };
    return { ok: true as const, value: request };
  }
  const meta = parsed(c, MetaMessageRequest, raw);
  if (!meta.ok) return meta;
  const { recipient_id, text, tag } = meta.value;
  const request: SendRequest = { platform, recipientId: recipient_id, text, tag: tag ?? null };
  return { ok: true as const, value: request };
}

/** How a send ended, for the metrics: a failure (refused before sending, or by the platform) or what it did. */
function sendOutcome(result: Result<SendResult>): SendOutcome {
  if (!result.ok) return 'failed';
  if (result.value.kind === 'denied') return 'denied';
  return result.value.replayed ? 'replayed' : 'sent';
}

// Built once: the pre-check and the suppression routes check a path segment on every request.
const RecipientAddress = EmailAddress('recipient');
const SuppressedAddress = EmailAddress('address');
const AnyRecipient = z.string();

const recipientSchema = (platform: Platform): z.ZodType<string> =>
  platform === 'email' ? RecipientAddress : platform === 'tiktok' ? AnyRecipient : RecipientId;

/** The `/api/outreach` resource: sending, the message log, the pre-check and the suppression list. */
export function outreachRoutes(useCases: UseCases) {
  return new OpenAPIHono<AppEnv>({ strict: false, defaultHook: validationHook })
    .openapi(sendRoute, async (c) => {
      const { platform } = c.req.valid('param');
      const header = c.req.header('idempotency-key');
      const key = header === undefined ? null : parsed(c, IdempotencyKey, header, 'Idempotency-Key');
      if (key !== null && !key.ok) return key.response;
      const request = await sendRequest(c, platform);
      if (!request.ok) return request.response;

      const result = await useCases.sendMessage(authenticatedUser(c), request.value, key?.value ?? null);
      const code: ErrorCode | null = !result.ok
        ? result.failure.code
        : result.value.kind === 'denied'
          ? result.value.capability.reasonCode
          : null;
      await c.var.audit({
        action: 'outreach.send',
        outcome: code === null ? 'success' : 'failure',
        platform,
        code,
      });
      c.var.metrics.sendEnded(platform, sendOutcome(result), code);
      const outcome = unwrap(result);
      if (outcome.kind === 'denied') return capabilityDenied(c, outcome.capability);
      if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(messageJson(outcome.message), outcome.replayed ? 200 : 201);
    })
    .openapi(listRoute, async (c) => {
      const { platform, limit, cursor } = c.req.valid('query');
      const page = await useCases.listMessages(authenticatedUser(c), {
        platform: platform ?? null,
        limit,
        before: cursor ?? null,
      });
      return c.json(
        {
          messages: page.messages.map(messageJson),
          next_cursor: page.next === null ? null : String(page.next),
        },
        200,
      );
    })
    .openapi(checkRoute, async (c) => {
      const { platform, recipient } = c.req.valid('param');
      const checked = parsed(c, recipientSchema(platform), recipient, 'recipient');
      if (!checked.ok) return checked.response;
      const check = unwrap(await useCases.checkRecipient(authenticatedUser(c), platform, checked.value));
      return c.json(recipientCheckJson(check), 200);
    })
    .openapi(suppressionsRoute, async (c) => {
      const suppressions = await useCases.listSuppressions(authenticatedUser(c));
      return c.json({ suppressions: suppressions.map(suppressionJson) }, 200);
    })
    .openapi(suppressRoute, async (c) => {
      const address = parsed(c, SuppressedAddress, c.req.valid('param').address, 'address');
      if (!address.ok) return address.response;
      const added = await useCases.suppressAddress(authenticatedUser(c), address.value);
      return c.body(null, added ? 201 : 200);
    })
    .openapi(unsuppressRoute, async (c) => {
      const address = parsed(c, SuppressedAddress, c.req.valid('param').address, 'address');
      if (!address.ok) return address.response;
      await useCases.unsuppressAddress(authenticatedUser(c), address.value);
      return c.body(null, 204);
    });
}
