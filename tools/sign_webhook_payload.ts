// sign_webhook_payload: produces the exact body and headers the platform would send.
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { defineTool } from '../src/mcp/tool.js';
import { JsonSyntaxError, parseJsonTree, signTree, valueToTree } from '../src/webhooks/index.js';

const MAX_BODY = 32 * 1024;

export const signWebhookPayload = defineTool({
  name: 'sign_webhook_payload',
  title: 'Sign a webhook payload',
  description:
    'Sign a webhook payload exactly as the hosted platform does (Python canonical JSON, HMAC-SHA256): returns the body to POST and its headers (X-Signature, X-Signature-V2, X-Signature-Simple, X-Timestamp, User-Agent). For a receiver\'s tests: send it, then flip a byte and expect rejection. Pass the payload as a JSON string to keep big integers exact (max 32 KB). Nothing is sent.',
  inputSchema: z.strictObject({
    payload: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .describe('The webhook envelope: a JSON object, or its JSON text. Include timestamp, session_id, status, webhook_type for X-Signature-Simple.'),
    secret: z
      .string()
      .min(1, { error: 'secret is required: e.g. the secret_shared_key of a destination.' })
      .describe('The HMAC key: the secret_shared_key of the destination the receiver checks against.'),
    timestamp: z.number().int().optional().describe('Unix seconds for X-Timestamp when the payload has no timestamp field (default now).'),
  }),
  outputSchema: z.object({
    body: z.string().describe('The exact bytes to POST (ASCII canonical JSON).'),
    headers: z.record(z.string(), z.string()),
    body_v2: z.string().describe('The ensure_ascii=False text that X-Signature-V2 covers.'),
    simple_message: z.string().describe('The text X-Signature-Simple covers.'),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    void ctx;
    let root;
    try {
      root = typeof input.payload === 'string' ? parseJsonTree(input.payload) : valueToTree(input.payload);
    } catch (err) {
      if (err instanceof JsonSyntaxError) throw new FacematchError('VALIDATION', `payload is not valid JSON: ${err.message} (at character ${err.offset}).`);
      throw err;
    }
    const signed = signTree(root, input.secret, { timestamp: input.timestamp });
    // The result carries the body twice (ASCII and V2 text); keep it far below an agent's context.
    if (signed.body.length > MAX_BODY) {
      throw new FacematchError(
        'VALIDATION',
        `payload serialises to ${signed.body.length} bytes; sign_webhook_payload signs at most ${MAX_BODY} bytes (real session webhooks are a few KB). Sign a smaller payload; to test big bodies, sign in code with the secret (HMAC-SHA256 of the exact body bytes).`,
      );
    }
    return {
      structured: { body: signed.body, headers: { ...signed.headers }, body_v2: signed.bodyV2, simple_message: signed.simpleMessage },
      summary: `Signed ${signed.body.length}-byte body; X-Timestamp ${signed.headers['X-Timestamp']}. POST body verbatim with these headers; any change to its bytes must make the receiver reject it.`,
    };
  },
});
