// face_search: 1:N search of a photo against the application's kept faces and face lists (the
// POST /v3/face-search/ report): ranked matches, blocklist and duplicate warnings. Nothing is kept.
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { loadImageArg } from '../src/mcp/images.js';
import { imageArg } from '../src/mcp/schemas.js';
import { SEARCH_TYPES } from '../src/contract/index.js';

const match = z.object({
  session_id: z.string().nullable(),
  session_number: z.number().nullable(),
  similarity_percentage: z.number(),
  source: z.string(),
  vendor_data: z.string().nullable(),
  status: z.string().nullable(),
  is_blocklisted: z.boolean(),
  is_allowlisted: z.boolean(),
}).passthrough();

export const faceSearch = defineTool({
  name: 'face_search',
  title: 'Search a face (1:N)',
  description:
    'Search a photo (1:N, POST /v3/face-search/) against the faces the application kept: sessions, saved face matches, face lists. Up to 5 matches; Declined only on a blocklist match.',
  inputSchema: z.strictObject({
    user_image: imageArg('Photo to search'),
    search_type: z.enum(SEARCH_TYPES).optional().describe('Default most_similar.'),
    rotate_image: z.boolean().optional(),
  }),
  outputSchema: z.object({
    request_id: z.string(),
    face_search: z.object({ status: z.string(), total_matches: z.number(), matches: z.array(match), warnings: z.array(z.object({ risk: z.string() }).passthrough()) }).passthrough(),
    source: z.enum(['local', 'hosted']),
  }).passthrough(),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async handler(input, ctx) {
    const img = await loadImageArg(input.user_image, 'user_image', { cwd: ctx.cwd, signal: ctx.signal });
    const res = await ctx.platform.faceSearch({ userImage: img.bytes, searchType: input.search_type ?? 'most_similar', rotateImage: input.rotate_image ?? false });
    const fs = res.face_search;
    const lines = fs.matches.map(
      (m) => `- ${m.similarity_percentage}% ${m.source}${m.session_id ? ` session ${m.session_id} (#${m.session_number}, ${m.status})` : ''}${m.is_blocklisted ? ' BLOCKLISTED' : ''}${m.is_allowlisted ? ' allowlisted' : ''}`,
    );
    const warn = fs.warnings.length ? ` Warnings: ${fs.warnings.map((w) => w.risk).join(', ')}.` : '';
    return {
      structured: { ...res, source: ctx.platform.kind },
      summary: `${fs.status}: ${fs.total_matches} match(es).${warn}${lines.length ? `\n${lines.join('\n')}` : ''}`,
    };
  },
});
