// submit_session_images: completes a session's capture step, as the capture page would.
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { defineTool } from '../src/mcp/tool.js';
import { loadImageArg } from '../src/mcp/images.js';
import { attemptsLine, decisionSchema, faceMatchLine, imageArg, sessionId } from '../src/mcp/schemas.js';

export const submitSessionImages = defineTool({
  name: 'submit_session_images',
  title: 'Submit capture images for a session',
  description:
    'Play the end user on a sandbox session: submit a selfie and a reference (unless the session has portrait_image) as the capture page would. Runs the real face engine, records the decision, fires webhooks. Uses one attempt (default 3).',
  inputSchema: z.strictObject({
    session_id: sessionId,
    selfie: imageArg('Selfie'),
    reference: imageArg('Reference photo').optional(),
  }),
  outputSchema: decisionSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  sandboxOnly: true,
  async handler(input, ctx) {
    const [selfie, reference] = await Promise.all([
      loadImageArg(input.selfie, 'selfie', { cwd: ctx.cwd, signal: ctx.signal }),
      input.reference === undefined ? Promise.resolve(undefined) : loadImageArg(input.reference, 'reference', { cwd: ctx.cwd, signal: ctx.signal }),
    ]);
    let d;
    try {
      d = await ctx.sandbox.submitImages(input.session_id, { selfie: selfie.bytes, reference: reference?.bytes });
    } catch (err) {
      throw renameImageArgs(err);
    }
    const noReference = input.reference === undefined && (d.face_matches ?? []).some((m) => m.warnings.some((w) => w.risk === 'NO_REFERENCE_IMAGE'));
    return {
      structured: d,
      summary:
        `Session ${d.session_id} is now "${d.status}": ${faceMatchLine(d)}.${attemptsLine(d)}` +
        (noReference
          ? ' No reference photo was compared: this session has no portrait_image and no reference was passed. To test a real match, create a new session and call submit_session_images with both selfie and reference (or create the session with portrait_image).'
          : '') +
        ' Webhooks (if any destination is registered) are being delivered; check list_webhook_deliveries.',
    };
  },
});

// The engine names images as the HTTP API does (user_image, ref_image); say selfie/reference,
// the arguments this tool's caller actually passed.
function renameImageArgs(err: unknown): unknown {
  if (!(err instanceof FacematchError) || !/\b(user_image|ref_image)\b/.test(err.message)) return err;
  const rename = (t: string) => t.replace(/\buser_image\b/g, 'selfie').replace(/\bref_image\b/g, 'reference');
  const fields = err.fields ? Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [rename(k), v.map(rename)])) : undefined;
  return new FacematchError(err.code, rename(err.message), { fields, cause: err });
}
