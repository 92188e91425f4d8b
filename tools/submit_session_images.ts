// submit_session_images: completes a session's capture step, as the capture page would.
import { z } from 'zod';
import { FacematchError } from '../src/errors.js';
import { defineTool } from '../src/mcp/tool.js';
import { loadImageArg } from '../src/mcp/images.js';
import { decisionSchema, faceMatchLine, imageArg, sessionId } from '../src/mcp/schemas.js';

export const submitSessionImages = defineTool({
  name: 'submit_session_images',
  title: 'Submit capture images for a session',
  description:
    'Play the end user\'s part of a sandbox session: submit a selfie (and a reference photo, e.g. the ID portrait, unless the session was created with portrait_image) exactly as the hosted capture page would. Runs the real face engine with the workflow\'s thresholds, records the decision, fires status.updated webhooks, and returns the decision. Each call uses one of the workflow\'s face match attempts (default 3). The first call loads the face models (progress notifications). Next: get_session_decision or list_webhook_deliveries.',
  inputSchema: z.strictObject({
    session_id: sessionId,
    selfie: imageArg('The live selfie of the end user'),
    reference: imageArg('The reference photo (ID portrait) to compare against; omit when the session has portrait_image').optional(),
  }),
  outputSchema: decisionSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handler(input, ctx) {
    if (ctx.remote) {
      throw new FacematchError(
        'VALIDATION',
        `submit_session_images drives the local sandbox's capture page and is not available against the remote platform (${ctx.remote.baseUrl}); open the session url in a browser instead, or unset FACEMATCH_API_BASE to use the sandbox.`,
      );
    }
    const app = ctx.app();
    const [selfie, reference] = await Promise.all([
      loadImageArg(input.selfie, 'selfie', { cwd: ctx.cwd, signal: ctx.signal }),
      input.reference === undefined ? Promise.resolve(undefined) : loadImageArg(input.reference, 'reference', { cwd: ctx.cwd, signal: ctx.signal }),
    ]);
    // Loads the models first (with progress notifications) so the services' match is warm.
    await ctx.engine();
    let d;
    try {
      d = await ctx.sandbox().sessions.submitImages({ app, sessionId: input.session_id }, { selfie: selfie.bytes, reference: reference?.bytes });
    } catch (err) {
      throw renameImageArgs(err);
    }
    const noReference = input.reference === undefined && (d.face_matches ?? []).some((m) => m.warnings.some((w) => w.risk === 'NO_REFERENCE_IMAGE'));
    return {
      structured: d,
      summary:
        `Session ${d.session_id} is now "${d.status}": ${faceMatchLine(d)}.` +
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
