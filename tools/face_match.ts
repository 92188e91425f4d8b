// face_match: standalone 1:1 comparison of two photos (the POST /v3/face-match/ report), with a
// picture of both faces, score and status. The services parse the threshold and rotate_image.
import { z } from 'zod';
import { defineTool, type ToolImage } from '../src/mcp/tool.js';
import { loadImageArg } from '../src/mcp/images.js';
import { composeMatchPicture, cropFace } from '../src/mcp/picture.js';
import { faceMatchBodySchema, imageArg } from '../src/mcp/schemas.js';
import { STANDALONE_DECLINE_DEFAULT } from '../src/engine/decision.js';

const outputSchema = z.object({
  request_id: z.string(),
  face_match: faceMatchBodySchema,
  created_at: z.string(),
  engine: z
    .object({ similarity: z.number().nullable(), liveness_user_image: z.number().nullable(), timing_ms: z.record(z.string(), z.number()) })
    .nullable(),
  source: z.enum(['local', 'hosted']),
});

function faceCount(n: number): string {
  return n === 1 ? '1 face' : `${n} faces`;
}

function best(entities: Array<{ bbox: number[]; confidence: number }>): [number, number, number, number] | null {
  const e = [...entities].sort((a, b) => b.confidence - a.confidence)[0];
  return e && e.bbox.length === 4 ? (e.bbox as [number, number, number, number]) : null;
}

export const faceMatch = defineTool({
  name: 'face_match',
  title: 'Compare two faces (1:1)',
  description:
    'Compare a selfie (user_image) with a reference (ref_image) as POST /v3/face-match/ does: score 0-100, Approved above face_match_score_decline_threshold (default 30 here; sessions use 50/70), else Declined; null when no face pair is found. Returns the report and a picture of both faces.',
  inputSchema: z.strictObject({
    user_image: imageArg('Selfie'),
    ref_image: imageArg('Reference photo'),
    // Types only: the services (parseCompareOptions) check the range and apply the defaults.
    face_match_score_decline_threshold: z
      .number({ error: 'face_match_score_decline_threshold must be a number from 0 to 100.' })
      .optional()
      .meta({ minimum: 0, maximum: 100, default: STANDALONE_DECLINE_DEFAULT }),
    rotate_image: z.boolean().optional().describe('Also try 90/180/270-degree rotations.'),
  }),
  outputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handler(input, ctx) {
    // Loaded by the runtime before any tool runs; imported here so startup stays light.
    const { parseCompareOptions } = await import('../src/services/index.js');
    const options = parseCompareOptions({ declineThreshold: input.face_match_score_decline_threshold, rotateImage: input.rotate_image });
    const threshold = options.declineThreshold;
    const [user, ref] = await Promise.all([
      loadImageArg(input.user_image, 'user_image', { cwd: ctx.cwd, signal: ctx.signal }),
      loadImageArg(input.ref_image, 'ref_image', { cwd: ctx.cwd, signal: ctx.signal }),
    ]);
    const platform = ctx.platform;
    const res = await platform.faceMatch({ userImage: user.bytes, refImage: ref.bytes, ...options });
    const fm = res.face_match;
    // Without the engine's aligned crops (hosted), crop the detected boxes of the originals.
    const ub = best(fm.user_image.entities);
    const rb = best(fm.ref_image.entities);
    const faces = res.alignedFaces
      ? [res.alignedFaces.user, res.alignedFaces.ref]
      : await Promise.all([ub ? cropFace(user.bytes, ub) : null, rb ? cropFace(ref.bytes, rb) : null]);
    const images: ToolImage[] = [];
    try {
      images.push({
        mimeType: 'image/png',
        data: await composeMatchPicture(
          [
            { image: faces[0] ?? null, label: 'user_image (selfie)' },
            { image: faces[1] ?? null, label: 'ref_image (reference)' },
          ],
          { score: fm.score, status: fm.status, detail: `threshold ${threshold}` },
        ),
      });
    } catch {
      // The picture is a convenience; the report stands without it.
    }
    const warn = fm.warnings.length ? ` Warnings: ${fm.warnings.map((w) => `${w.risk} (${w.short_description})`).join('; ')}.` : '';
    return {
      structured: { request_id: res.request_id, face_match: fm, created_at: res.created_at, engine: res.engine, source: platform.kind },
      summary:
        `${fm.status}: score ${fm.score === null ? 'null (no face pair could be scored)' : fm.score} vs decline threshold ${threshold}. ` +
        `user_image: ${faceCount(fm.user_image.entities.length)}, ref_image: ${faceCount(fm.ref_image.entities.length)}.${warn}` +
        (res.engine?.similarity != null ? ` Cosine similarity ${res.engine.similarity}.` : ''),
      images,
    };
  },
});
