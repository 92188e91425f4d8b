// Webhook signing and verification, pure (no HTTP, no DB): what the sandbox's delivery uses to
// sign, and what integrators use to check a received webhook from its raw body.
export {
  canonicalJson,
  canonicalNumberText,
  compareCodePoints,
  dumpPython,
  pythonFloatRepr,
  quotePython,
  valueToTree,
  type DumpOptions,
} from './canonical.js';
export { JsonSyntaxError, parseJsonLossless, parseJsonTree, treeToValue, type JsonEntry, type JsonNode } from './json-tree.js';
export {
  SIGNATURE_HEADERS,
  WEBHOOK_USER_AGENT,
  hmacSha256Hex,
  signTree,
  signWebhook,
  signatureFor,
  type SignOptions,
  type SignatureHeaderName,
  type SignedWebhook,
  type WebhookHeaders,
} from './sign.js';
export { verifyWebhook, type HeaderBag, type SignatureCheck, type TimestampCheck, type VerifyOptions, type VerifyResult } from './verify.js';

import { dumpPython } from './canonical.js';
import { parseJsonTree } from './json-tree.js';

/** The two canonical texts Python would produce for a received JSON body (ASCII = body sent, V2). */
export function canonicalizeBody(text: string): { ascii: string; v2: string } {
  const root = parseJsonTree(text);
  return { ascii: dumpPython(root, { ensureAscii: true }), v2: dumpPython(root, { ensureAscii: false }) };
}
