// face_match: standalone 1:1 comparison of two photos (the POST /v3/face-match/ report),
// with a picture of both aligned faces, score and status. Local mode runs the services'
// compareFaces (the same compare as POST /v3/face-match/, minus storage); the services parse
// the threshold and rotate_image for both modes.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineTool, type Declared, type ToolImage } from '../src/mcp/tool.js';
import { loadImageArg } from '../src/mcp/images.js';
import { composeMatchPicture, cropFace } from '../src/mcp/picture.js';
import { faceMatchBodySchema, imageArg } from '../src/mcp/schemas.js';
import { STANDALONE_DECLINE_DEFAULT } from '../src/engine/decision.js';

const outputSchema = z.object({
  request_id: z.string(),
  face_match: faceMatchBodySchema,
  created_at: z.string(),
  engine: z
    .object({
      similarity: z.number().nullable().describe('Raw cosine similarity of the two chosen faces.'),
      liveness_user_image: z.number().nullable().describe('Advisory passive-liveness p(live) of the selfie face, 0-1; never the decision.'),
      timing_ms: z.record(z.string(), z.number()),
    })
    .nullable()
    .describe('Local engine extras (null in remote mode).'),
  source: z.enum(['local', 'remote']),
});

type Out = Declared<z.infer<typeof outputSchema>>;

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
    'Compare the face in a selfie (user_image) with the face in a reference photo (ref_image), exactly as POST /v3/face-match/ scores it: a calibrated 0-100 score, Approved when score > face_match_score_decline_threshold (default 30), else Declined (LOW_FACE_MATCH_SIMILARITY); score null with NO_REFERENCE_IMAGE when no face pair could be found. Returns the report, a one-line summary and a picture of both aligned faces with score and status. Images: file path, http(s) URL or base64. Nothing is stored. Use it for a quick check of photos or thresholds; for end-to-end flows use sessions. The first call loads the face models (progress notifications).',
  inputSchema: z.strictObject({
    user_image: imageArg('The selfie (live image)'),
    ref_image: imageArg('The reference photo (e.g. ID portrait)'),
    // Types only: the services (parseCompareOptions) check the range and apply the defaults;
    // `meta` just advertises them in the JSON Schema agents read.
    face_match_score_decline_threshold: z
      .number({ error: 'face_match_score_decline_threshold must be a number from 0 to 100.' })
      .optional()
      .meta({ minimum: 0, maximum: 100, default: STANDALONE_DECLINE_DEFAULT })
      .describe('Approved only when score is above this (0-100, default 30).'),
    rotate_image: z.boolean().optional().meta({ default: false }).describe('Also try 90/180/270-degree rotations when no upright face is found.'),
  }),
  outputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  remoteCapable: true,
  async handler(input, ctx) {
    // Loaded by the runtime before any tool runs; imported here so startup stays light.
    const { compareFaces, parseCompareOptions } = await import('../src/services/index.js');
    const options = parseCompareOptions({ declineThreshold: input.face_match_score_decline_threshold, rotateImage: input.rotate_image });
    const threshold = options.declineThreshold;
    const [user, ref] = await Promise.all([
      loadImageArg(input.user_image, 'user_image', { cwd: ctx.cwd, signal: ctx.signal }),
      loadImageArg(input.ref_image, 'ref_image', { cwd: ctx.cwd, signal: ctx.signal }),
    ]);
    let out: Out;
    let faces: [Buffer | null, Buffer | null];
    if (ctx.remote) {
      const res = (await ctx.remote.faceMatch({
        userImage: user.bytes,
        refImage: ref.bytes,
        fields: {
          face_match_score_decline_threshold: String(threshold),
          rotate_image: String(options.rotateImage),
          save_api_request: 'false',
        },
      })) as Omit<Out, 'engine' | 'source'>;
      out = { request_id: res.request_id, face_match: res.face_match, created_at: res.created_at, engine: null, source: 'remote' };
      const ub = best(res.face_match.user_image.entities);
      const rb = best(res.face_match.ref_image.entities);
      faces = await Promise.all([ub ? cropFace(user.bytes, ub) : null, rb ? cropFace(ref.bytes, rb) : null]);
    } else {
      const { body, alignedFaces, extras } = await compareFaces(() => ctx.engine(), { userImage: user.bytes, refImage: ref.bytes, ...options, withAlignedFaces: true });
      out = {
        request_id: randomUUID(),
        face_match: body,
        created_at: new Date().toISOString(),
        engine: extras,
        source: 'local',
      };
      faces = [alignedFaces.user, alignedFaces.ref];
    }
    const fm = out.face_match;
    const images: ToolImage[] = [];
    try {
      images.push({
        mimeType: 'image/png',
        data: await composeMatchPicture(
          [
            { image: faces[0], label: 'user_image (selfie)' },
            { image: faces[1], label: 'ref_image (reference)' },
          ],
          { score: fm.score, status: fm.status, detail: `threshold ${threshold}` },
        ),
      });
    } catch {
      // The picture is a convenience; the report stands without it.
    }
    const warn = fm.warnings.length ? ` Warnings: ${fm.warnings.map((w) => `${w.risk} (${w.short_description})`).join('; ')}.` : '';
    return {
      structured: out,
      summary:
        `${fm.status}: score ${fm.score === null ? 'null (no face pair could be scored)' : fm.score} vs decline threshold ${threshold}. ` +
        `user_image: ${faceCount(fm.user_image.entities.length)}, ref_image: ${faceCount(fm.ref_image.entities.length)}.${warn}` +
        (out.engine?.similarity != null ? ` Cosine similarity ${out.engine.similarity}.` : ''),
      images,
    };
  },
});
