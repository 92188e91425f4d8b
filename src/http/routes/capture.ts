// The hosted capture page a session `url` opens, its assets, and the page-scoped upload
// endpoint. The session token in the path is the credential (no API key), as on the hosted
// platform, and this traffic is not rate limited per key.
import { parseCallbackUrl } from '../../services/callback-url.js';
import type { IncomingMessage } from 'node:http';
import { isFacematchError } from '../../errors.js';
import type { SessionByToken } from '../../services/types.js';
import { capturePage, capturePageHeaders, messagePage } from '../capture/html.js';
import { captureScript } from '../capture/script.js';
import { CAPTURE_CSS } from '../capture/style.js';
import { errorReply, HttpError } from '../errors.js';
import type { Reply } from '../reply.js';
import { openRoute, type Route, type RouteContext } from '../router.js';
import { pickImage, readImageForm } from './face-match.js';

const FILE_FIELDS = new Set(['selfie', 'reference', 'user_image', 'ref_image']);
const QUALITY_FIELDS = new Set(['image']);

/** The web SDK's verification-URL options (camera lens and switcher), kept across the /u/ redirect. */
export const SDK_URL_PARAMS = ['document_camera', 'liveness_camera', 'document_camera_switch', 'liveness_camera_switch', 'parent_origin'] as const;

/** `?name=value` for the SDK parameters present in `query` (values are checked by the page). */
function sdkQuery(query: URLSearchParams): string {
  const kept = new URLSearchParams();
  for (const name of SDK_URL_PARAMS) {
    const value = query.get(name);
    if (value !== null && value.length <= 200) kept.set(name, value);
  }
  const text = kept.toString();
  return text ? `?${text}` : '';
}

function html(status: number, body: string): Reply {
  return { status, body, contentType: 'text/html; charset=utf-8', headers: capturePageHeaders() };
}

/** `callback?verificationSessionId=...&status=...`, keeping the callback's own query. */
export function callbackUrl(callback: string, sessionId: string, status: string): string | null {
  const url = parseCallbackUrl(callback);
  if (!url) return null;
  url.searchParams.delete('verificationSessionId');
  url.searchParams.delete('status');
  const sep = url.search ? '&' : '?';
  url.search = `${url.search}${sep}verificationSessionId=${encodeURIComponent(sessionId)}&status=${encodeURIComponent(status)}`;
  return url.toString();
}

const STATUS_SENTENCES: Record<string, string> = {
  Approved: 'This verification is complete: your identity was verified.',
  Declined: 'This verification is complete: the faces could not be matched.',
  'In Review': 'This verification is complete: your photos are being reviewed.',
  Expired: 'This verification link has expired. Ask the site that sent you here for a new one.',
  'Kyc Expired': 'This verification has expired. Ask the site that sent you here for a new one.',
  Abandoned: 'This verification was abandoned. Ask the site that sent you here for a new link.',
};

type TokenLookup = { byToken(token: string): SessionByToken };

/** The session behind a token, or the HTML page that explains why there is none. */
function lookupPage(sessions: TokenLookup, token: string): SessionByToken | Reply {
  try {
    return sessions.byToken(token);
  } catch (err) {
    if (isFacematchError(err) && err.code === 'NOT_FOUND') {
      return html(404, messagePage('Link not valid', 'This verification link is not valid. Check that you opened the whole link, or ask for a new one.'));
    }
    if (isFacematchError(err) && err.code === 'GONE') {
      return html(410, messagePage('Link expired', STATUS_SENTENCES.Expired!));
    }
    throw err;
  }
}

function stillAccepts(sessions: TokenLookup, token: string): boolean {
  try {
    return sessions.byToken(token).acceptsImages;
  } catch {
    return false;
  }
}

function isReply(value: SessionByToken | Reply): value is Reply {
  return typeof (value as Reply).status === 'number';
}

/** A browser form post without our script wants a redirect, not JSON. */
function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html') && !accept.includes('application/json');
}

/** Refuses cross-site posts when the browser says where the page came from. */
function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new HttpError(403, 'cross-site upload refused');
  }
  if (host !== req.headers.host) throw new HttpError(403, 'cross-site upload refused: the capture page must be opened from this server');
}

/** A same-origin request for a session that still takes photos (409 otherwise). */
function openForPhotos(ctx: RouteContext): { token: string; info: ReturnType<RouteContext['sandbox']['sessions']['byToken']> } {
  checkOrigin(ctx.req);
  const token = ctx.params.token!;
  const info = ctx.sandbox.sessions.byToken(token);
  if (!info.acceptsImages) {
    throw new HttpError(409, `This verification session is ${info.status} and no longer accepts photos.`);
  }
  return { token, info };
}

/** The upload step: checks, streams the images in with caps, runs the match, answers. */
async function capture(ctx: RouteContext): Promise<Reply> {
  const { token, info } = openForPhotos(ctx);
  const form = await readImageForm(ctx, FILE_FIELDS);
  const selfie = pickImage(form, 'selfie', 'user_image');
  const hasReference = form.files.has('reference') || form.files.has('ref_image');
  const reference = info.needsReference || hasReference ? pickImage(form, 'reference', 'ref_image') : undefined;
  const decision = await ctx.sandbox.sessions.submitImages({ sessionToken: token }, { selfie, reference });
  const acceptsImages = stillAccepts(ctx.sandbox.sessions, token);
  const returnUrl = info.callback ? callbackUrl(info.callback, decision.session_id, decision.status) : null;
  const redirectUrl = acceptsImages ? null : returnUrl;
  if (wantsHtml(ctx.req)) {
    return { status: 303, body: '', headers: { Location: redirectUrl ?? `/session/${encodeURIComponent(token)}` } };
  }
  const item = decision.face_matches?.[decision.face_matches.length - 1] ?? null;
  return {
    status: 200,
    json: {
      session_id: decision.session_id,
      status: decision.status,
      face_match: item ? { status: item.status, score: item.score, warnings: item.warnings.map((w) => w.risk) } : null,
      accepts_images: acceptsImages,
      attempts_used: decision.face_match_attempts,
      attempts_allowed: decision.face_match_max_attempts,
      redirect_url: redirectUrl,
      return_url: returnUrl,
    },
  };
}

/** The advisory photo check before submission: the engine's quality signals and plain advice. */
async function quality(ctx: RouteContext): Promise<Reply> {
  const { token, info } = openForPhotos(ctx);
  const form = await readImageForm(ctx, QUALITY_FIELDS);
  const file = form.files.get('image');
  if (!file || file.bytes.length === 0) {
    const msg = file ? 'image is an empty file' : 'image is required: upload the photo to check as a multipart file part';
    throw new HttpError(400, msg, { fields: { image: [msg] } });
  }
  const image = file.bytes;
  const purposeText = form.fields.get('purpose') ?? 'selfie';
  if (purposeText !== 'selfie' && purposeText !== 'reference') {
    throw new HttpError(400, 'purpose must be "selfie" or "reference"', { fields: { purpose: ['must be "selfie" or "reference"'] } });
  }
  return { status: 200, json: await ctx.sandbox.quality.check(image, purposeText) };
}

export const captureRoutes: Route[] = [
  openRoute(
    'GET',
    '/session/:token',
    (ctx) => {
      const info = lookupPage(ctx.sandbox.sessions, ctx.params.token!);
      if (isReply(info)) return info;
      if (!info.acceptsImages) {
        const sentence = STATUS_SENTENCES[info.status] ?? `This verification is finished (status: ${info.status}).`;
        const back = info.callback ? callbackUrl(info.callback, info.sessionId, info.status) : null;
        return html(
          200,
          messagePage('Verification finished', sentence, back ? { href: back, text: 'Return to the site' } : undefined, {
            sessionId: info.sessionId,
            status: info.status,
          }),
        );
      }
      return html(
        200,
        capturePage({
          token: ctx.params.token!,
          sessionId: info.sessionId,
          status: info.status,
          needsReference: info.needsReference,
          attemptsUsed: info.attemptsUsed,
          attemptsAllowed: info.attemptsAllowed,
          maxImageMb: Math.floor(ctx.limits.maxImageBytes / (1024 * 1024)),
        }),
      );
    },
    { rateLimited: false },
  ),
  openRoute(
    'POST',
    '/session/:token/capture/',
    async (ctx) => {
      try {
        return await capture(ctx);
      } catch (err) {
        if (!wantsHtml(ctx.req)) throw err;
        // A browser without our script posted the plain form: answer with a page, not JSON.
        const reply = errorReply(err, 'capture form');
        const message = (reply.json as { detail?: string } | undefined)?.detail ?? 'The photos were not accepted.';
        const back = `/session/${encodeURIComponent(ctx.params.token!)}`;
        return html(reply.status, messagePage('Photos not accepted', message, { href: back, text: 'Try again' }));
      }
    },
    { rateLimited: false },
  ),
  openRoute(
    'POST',
    '/session/:token/quality/',
    (ctx) => quality(ctx),
    { rateLimited: false },
  ),
  // A workflow's public link (`workflow_url`): each visit starts a new session and opens it.
  openRoute(
    'GET',
    '/u/:code',
    (ctx) => {
      try {
        const session = ctx.sandbox.sessions.createFromWorkflowLink(ctx.params.code!);
        const location = `/session/${encodeURIComponent(session.session_token)}${sdkQuery(ctx.query)}`;
        return { status: 303, body: '', headers: { Location: location } };
      } catch (err) {
        if (isFacematchError(err) && err.code === 'NOT_FOUND') {
          return html(404, messagePage('Link not valid', 'This verification link does not exist. Ask the site that sent you here for a new one.'));
        }
        throw err;
      }
    },
    { rateLimited: true },
  ),
  // Browsers ask for it on every page; an empty answer keeps their consoles clean.
  openRoute('GET', '/favicon.ico', () => ({ status: 204 }), { rateLimited: false }),
  openRoute('GET', '/static/capture.js', () => {
    let script: string;
    try {
      script = captureScript();
    } catch (err) {
      // A checkout built without the browser project: the page still posts without it.
      return { status: 500, json: { detail: err instanceof Error ? err.message : String(err) } };
    }
    return { status: 200, body: script, contentType: 'text/javascript; charset=utf-8', headers: { 'Cache-Control': 'no-cache' } };
  }, { rateLimited: false }),
  openRoute('GET', '/static/capture.css', () => ({
    status: 200,
    body: CAPTURE_CSS,
    contentType: 'text/css; charset=utf-8',
    headers: { 'Cache-Control': 'no-cache' },
  }), { rateLimited: false }),
];
