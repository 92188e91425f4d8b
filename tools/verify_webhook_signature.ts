// verify_webhook_signature: the signature doctor. Raw body + headers + secret -> which
// signatures pass, and for each failing one, why.
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { defineTool } from '../src/mcp/tool.js';
import { verifyWebhook } from '../src/webhooks/index.js';
import { replayInput } from '../src/webhooks/diagnose.js';

const check = z.object({ ok: z.boolean(), reason: z.string() });

export const verifyWebhookSignature = defineTool({
  name: 'verify_webhook_signature',
  title: 'Verify / debug a webhook signature',
  description:
    'Check a received webhook as a correct receiver would: pass the raw request body (the exact text received, before any JSON parsing), the request headers and the destination\'s secret_shared_key, or the delivery_id of a recorded attempt. Reports which signatures pass and why each failing one fails (wrong secret, secret with whitespace, body re-serialised or keys reordered, non-ASCII escaping, float formatting, stale or future timestamp, missing header). Use it when a receiver rejects webhooks. Nothing is sent or stored.',
  inputSchema: z.strictObject({
    raw_body: z.string().optional().describe('The request body exactly as received (UTF-8 text).'),
    raw_body_base64: z.string().optional().describe('raw_body as base64, when exact bytes matter.'),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe('Request headers as received (X-Signature*, X-Timestamp); names are case-insensitive.'),
    delivery_id: z
      .union([z.number().int(), z.string()])
      .optional()
      .describe('Instead of raw_body + headers: a recorded delivery\'s uuid (list_webhook_deliveries); its bytes and headers are replayed, judged at now.'),
    secret: z
      .string()
      .min(1, { error: 'secret must not be empty: pass the secret_shared_key returned by create_webhook_destination.' })
      .optional()
      .describe('The secret the receiver uses (the destination\'s secret_shared_key, not the API key); with delivery_id it defaults to that destination\'s secret.'),
    now: z.number().optional().describe('Unix seconds to judge the timestamp at. Default: the current time; pass the delivery\'s X-Timestamp to judge it as it arrived.'),
    tolerance_seconds: z.number().int().min(0).max(86400).default(300).describe('Maximum age of the signed timestamp.'),
    receiver_computed: z
      .partialRecord(z.enum(['X-Signature', 'X-Signature-V2', 'X-Signature-Simple']), z.string())
      .optional()
      .describe('Optional: the hex digests the app\'s own receiver computed, to find the mistake in the receiver code.'),
  }),
  outputSchema: z.object({
    valid: z.boolean(),
    signatures: z.record(z.string(), check),
    timestamp: z.object({ ok: z.boolean(), age_s: z.number().nullable(), reason: z.string().optional() }),
    reason: z.string().optional(),
    receiver: z.record(z.string(), check).optional(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    let rawBody: string | Buffer;
    let headers = input.headers;
    let secret = input.secret;
    const now = input.now;
    let sentAt: number | null = null;
    if (input.delivery_id !== undefined) {
      if (input.raw_body !== undefined || input.raw_body_base64 !== undefined || input.headers !== undefined) {
        throw new FacematchError('VALIDATION', 'Pass either delivery_id or raw_body + headers, not both.');
      }
      let found: ReturnType<typeof ctx.sandbox.deliveryAttempt>;
      try {
        found = ctx.sandbox.deliveryAttempt(input.delivery_id);
      } catch (err) {
        if (err instanceof FacematchError && err.code === 'NOT_FOUND') {
          throw new FacematchError('NOT_FOUND', `${err.message.replace(/\.$/, '')}; pass a uuid that list_webhook_deliveries shows for the session.`);
        }
        throw err;
      }
      const { record, secret: destinationSecret } = found;
      const replay = replayInput(record);
      rawBody = replay.rawBody;
      headers = replay.headers;
      // Judged at now, as a receiver would judge it arriving now (a replay); `now` set to the
      // delivery time judges it as the receiver did then.
      sentAt = replay.now;
      secret ??= destinationSecret ?? undefined;
      if (!secret) throw new FacematchError('VALIDATION', `the destination of delivery ${record.id} no longer exists; pass the secret the receiver uses.`);
    } else if ((input.raw_body === undefined) === (input.raw_body_base64 === undefined)) {
      throw new FacematchError('VALIDATION', 'Pass exactly one of raw_body (the body text as received) or raw_body_base64, with headers and secret; or a delivery_id.');
    } else if (input.raw_body !== undefined) rawBody = input.raw_body;
    else {
      const b64 = input.raw_body_base64!.replace(/\s+/g, '');
      // Buffer.from skips bad characters silently; a mangled body must not be "verified" as something else.
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64) || (b64.length > 0 && Buffer.from(b64, 'base64').length === 0)) {
        throw new FacematchError('VALIDATION', 'raw_body_base64 is not valid base64; pass the body bytes base64-encoded, or the body text as raw_body.');
      }
      rawBody = Buffer.from(b64, 'base64');
    }
    if (!headers) throw new FacematchError('VALIDATION', 'headers are required with raw_body: the request headers as received (X-Signature, X-Signature-V2, X-Signature-Simple, X-Timestamp).');
    if (!secret) throw new FacematchError('VALIDATION', 'secret is required: the secret_shared_key returned by create_webhook_destination.');
    const r = verifyWebhook({ rawBody, headers, secret, now, toleranceSeconds: input.tolerance_seconds, receiverComputed: input.receiver_computed });
    const signatures: Record<string, { ok: boolean; reason: string }> = {};
    for (const [k, v] of Object.entries(r.signatures)) if (v) signatures[k] = v;
    const lines = Object.entries(signatures).map(([k, v]) => `- ${k}: ${v.ok ? 'OK' : 'FAIL'} (${v.reason})`);
    const ts = r.timestamp.ok
      ? `timestamp OK (${r.timestamp.age_s} s old)`
      : `timestamp FAIL: ${r.timestamp.reason ?? 'unusable'}`;
    const judged =
      sentAt !== null && now === undefined
        ? `\n- judged at now, ${Math.max(0, Math.round(Date.now() / 1000) - sentAt)} s after it was sent; pass now=${sentAt} to judge it as the receiver did when it arrived.`
        : '';
    const receiverLines = Object.entries(r.receiver ?? {}).map(([k, v]) => `- receiver's ${k}: ${v!.ok ? 'OK' : 'WRONG'} (${v!.reason})`);
    return {
      structured: { valid: r.valid, signatures, timestamp: r.timestamp, ...(r.reason ? { reason: r.reason } : {}), ...(r.receiver ? { receiver: r.receiver as Record<string, { ok: boolean; reason: string }> } : {}) },
      summary: `${r.valid ? 'VALID: every signature given verifies and the timestamp is fresh.' : `INVALID${r.reason ? `: ${r.reason}` : ''}.`}\n${lines.join('\n')}${lines.length ? '\n' : ''}- ${ts}${judged}${receiverLines.length ? `\n${receiverLines.join('\n')}` : ''}`,
    };
  },
});
