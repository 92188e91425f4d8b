// HTML for the hosted capture page and its short status pages. Server-rendered markup that
// works with a keyboard and a screen reader; the form still submits without JavaScript, and
// the script (capture.js) turns it into the step-by-step camera flow.
import { pageHeaders } from './framing.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Security headers for every page and asset of the capture flow (frame-ancestors from framing.ts). */
export function capturePageHeaders(): Record<string, string> {
  return pageHeaders();
}

/** Facts the script needs: which session, where to check photos, for the SDK events. */
export interface PageSession {
  sessionId: string;
  status: string;
}

function layout(title: string, main: string, session?: PageSession): string {
  const data = session
    ? ` data-session-id="${escapeHtml(session.sessionId)}" data-session-status="${escapeHtml(session.status)}"`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/static/capture.css">
<script src="/static/capture.js" defer></script>
</head>
<body data-state="ready">
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand"><span class="logo" aria-hidden="true"></span>Identity check</span>
  <span class="badge" title="Photos stay on this computer">Sandbox</span>
</header>
<main id="main" tabindex="-1"${data}>
<div class="card">
${main}
</div>
</main>
<footer class="foot"><p>Sandbox verification: photos stay on this computer.</p></footer>
</body>
</html>
`;
}

const ACCEPT = 'image/jpeg,image/png,image/webp,image/tiff';

export interface CapturePageInput {
  token: string;
  sessionId: string;
  status: string;
  needsReference: boolean;
  attemptsUsed: number;
  attemptsAllowed: number;
  maxImageMb: number;
}

/** One capture step: camera stage, photo check, actions, and the plain file input fallback. */
function step(opts: {
  id: string;
  sdkStep: string;
  purpose: 'selfie' | 'reference';
  number: number;
  legend: string;
  label: string;
  hint: string;
  guide: 'face' | 'card';
  shootText: string;
  required: boolean;
  captureAttr: string;
}): string {
  return `
  <fieldset class="step" id="step-${opts.id}" data-step="${opts.sdkStep}" data-purpose="${opts.purpose}" data-input="${opts.id}">
    <legend><span class="num" aria-hidden="true">${opts.number}</span>${escapeHtml(opts.legend)}</legend>
    <div class="stage" data-part="stage" hidden>
      <video data-part="video" playsinline muted aria-label="Camera preview" hidden></video>
      <img data-part="preview" alt="" hidden>
      <div class="guide guide-${opts.guide}" data-part="guide" aria-hidden="true"></div>
      <p class="stage-tip" data-part="tip" aria-hidden="true"></p>
      <div class="spinner" data-part="spinner" hidden aria-hidden="true"></div>
    </div>
    <div class="checks" data-part="checks" hidden>
      <h2 class="checks-title" data-part="checks-title" tabindex="-1">Photo check</h2>
      <ul data-part="advice"></ul>
    </div>
    <div class="actions" data-part="actions" hidden>
      <button type="button" class="btn primary" data-act="camera">Open camera</button>
      <button type="button" class="btn primary" data-act="shoot" hidden>${escapeHtml(opts.shootText)}</button>
      <button type="button" class="btn" data-act="switch" hidden>Switch camera</button>
      <button type="button" class="btn" data-act="stop" hidden>Close camera</button>
      <button type="button" class="btn primary" data-act="use" hidden>Use this photo</button>
      <button type="button" class="btn" data-act="retake" hidden>Retake</button>
    </div>
    <div class="file-row" data-part="file-row">
      <label for="${opts.id}">${escapeHtml(opts.label)}</label>
      <input id="${opts.id}" name="${opts.id}" type="file" accept="${ACCEPT}"${opts.captureAttr}${opts.required ? ' required' : ''} aria-describedby="${opts.id}-hint">
      <p id="${opts.id}-hint" class="hint">${escapeHtml(opts.hint)}</p>
    </div>
  </fieldset>`;
}

export function capturePage(input: CapturePageInput): string {
  const token = encodeURIComponent(input.token);
  const action = `/session/${token}/capture/`;
  const formats = `JPEG, PNG, WebP or TIFF, at most ${input.maxImageMb} MB.`;
  const selfie = step({
    id: 'selfie',
    sdkStep: 'face',
    purpose: 'selfie',
    number: 1,
    legend: 'Step 1: your selfie',
    label: 'Selfie photo',
    hint: `Face the camera in good light, without sunglasses. ${formats} On a phone this opens the front camera.`,
    guide: 'face',
    shootText: 'Take selfie',
    required: true,
    captureAttr: ' capture="user"',
  });
  const reference = input.needsReference
    ? step({
        id: 'reference',
        sdkStep: 'document_front',
        purpose: 'reference',
        number: 2,
        legend: 'Step 2: a photo of your ID document',
        label: 'ID document or reference photo',
        hint: `The photo page of your passport or the front of your ID card, flat and in focus. ${formats}`,
        guide: 'card',
        shootText: 'Take photo of ID',
        required: true,
        captureAttr: '',
      })
    : '';
  const attempts =
    input.attemptsUsed > 0 ? `<p class="attempts">Attempt ${input.attemptsUsed + 1} of ${input.attemptsAllowed}.</p>` : '';
  return layout(
    'Verify your identity',
    `<ol class="stepper" id="stepper" hidden aria-label="Progress"></ol>
<h1 id="title">Verify your identity</h1>
<p class="lead">Take a selfie${input.needsReference ? ' and add a photo of your ID document' : ''}. We compare the faces and tell you the result.</p>
${attempts}
<form id="capture-form" method="post" action="${escapeHtml(action)}" enctype="multipart/form-data" data-max-bytes="${input.maxImageMb * 1024 * 1024}" data-quality-url="/session/${escapeHtml(token)}/quality/">${selfie}${reference}
  <div class="submit-row" data-part="submit-row">
    <button type="submit" class="btn primary wide" id="submit">Submit for verification</button>
  </div>
</form>
<div id="progress-wrap" class="progress-wrap" hidden>
  <label for="progress">Upload progress</label>
  <progress id="progress" max="100" value="0"></progress>
</div>
<p id="status" class="status sr-only" role="status" aria-live="polite"></p>
<p id="error" class="error" role="alert"></p>
<section id="result" class="result" tabindex="-1" hidden aria-labelledby="result-title">
  <div class="result-icon" id="result-icon" aria-hidden="true"></div>
  <h2 id="result-title">Result</h2>
  <p id="result-text"></p>
  <p id="result-next"></p>
  <div class="actions" id="result-actions"></div>
</section>
<p class="cancel-row"><button type="button" class="btn link" id="cancel" hidden>Cancel verification</button></p>`,
    { sessionId: input.sessionId, status: input.status },
  );
}

export function messagePage(
  title: string,
  message: string,
  link?: { href: string; text: string },
  session?: PageSession,
): string {
  const action = link ? `<p><a class="btn" href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : '';
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p id="message">${escapeHtml(message)}</p>\n${action}`, session);
}
