// face_match: standalone 1:1 comparison of two photos (the POST /v3/face-match/ report),
// with a picture of both aligned faces, score and status.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineTool, type Declared, type ToolImage } from '../src/mcp/tool.js';
import { loadImageArg } from '../src/mcp/images.js';
import { composeMatchPicture, cropFace } from '../src/mcp/picture.js';
import { faceMatchBodySchema, imageArg } from '../src/mcp/schemas.js';
import { STANDALONE_DECLINE_DEFAULT } from '../src/engine/decision.js';
import type { FaceEntity } from '../src/engine/index.js';

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
    face_match_score_decline_threshold: z
      .number({ error: 'face_match_score_decline_threshold must be a number from 0 to 100.' })
      .min(0, { error: 'face_match_score_decline_threshold must be from 0 to 100.' })
      .max(100, { error: 'face_match_score_decline_threshold must be from 0 to 100.' })
      .default(STANDALONE_DECLINE_DEFAULT)
      .describe('Approved only when score is above this (0-100, default 30).'),
    rotate_image: z.boolean().default(false).describe('Also try 90/180/270-degree rotations when no upright face is found.'),
  }),
  outputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  remoteCapable: true,
  async handler(input, ctx) {
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
          face_match_score_decline_threshold: String(input.face_match_score_decline_threshold),
          rotate_image: String(input.rotate_image),
          save_api_request: 'false',
        },
      })) as Omit<Out, 'engine' | 'source'>;
      out = { request_id: res.request_id, face_match: res.face_match, created_at: res.created_at, engine: null, source: 'remote' };
      const ub = best(res.face_match.user_image.entities);
      const rb = best(res.face_match.ref_image.entities);
      faces = await Promise.all([ub ? cropFace(user.bytes, ub) : null, rb ? cropFace(ref.bytes, rb) : null]);
    } else {
      const engine = await ctx.engine();
      const { report, alignedFaces } = await engine.matchDetailed(user.bytes, ref.bytes, {
        mode: 'standalone',
        declineThreshold: input.face_match_score_decline_threshold,
        rotateImage: input.rotate_image,
      });
      const entity = (e: FaceEntity) => ({ ...e, bbox: [...e.bbox] });
      out = {
        request_id: randomUUID(),
        face_match: {
          status: report.status,
          score: report.score,
          user_image: { ...report.user_image, entities: report.user_image.entities.map(entity) },
          ref_image: { ...report.ref_image, entities: report.ref_image.entities.map(entity) },
          warnings: report.warnings,
        },
        created_at: new Date().toISOString(),
        engine: { similarity: report.similarity, liveness_user_image: report.liveness?.user_image ?? null, timing_ms: report.timing_ms },
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
          { score: fm.score, status: fm.status, detail: `threshold ${input.face_match_score_decline_threshold}` },
        ),
      });
    } catch {
      // The picture is a convenience; the report stands without it.
    }
    const warn = fm.warnings.length ? ` Warnings: ${fm.warnings.map((w) => `${w.risk} (${w.short_description})`).join('; ')}.` : '';
    return {
      structured: out,
      summary:
        `${fm.status}: score ${fm.score === null ? 'null (no face pair could be scored)' : fm.score} vs decline threshold ${input.face_match_score_decline_threshold}. ` +
        `user_image: ${faceCount(fm.user_image.entities.length)}, ref_image: ${faceCount(fm.ref_image.entities.length)}.${warn}` +
        (out.engine?.similarity != null ? ` Cosine similarity ${out.engine.similarity}.` : ''),
      images,
    };
  },
});
