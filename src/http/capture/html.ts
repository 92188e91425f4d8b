// HTML for the hosted capture page and its short status pages. Plain server-rendered markup:
// works with a keyboard and a screen reader, and the form still submits without JavaScript.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Security headers for every page and asset of the capture flow. */
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  // The session token is in the URL: never leak it to other sites.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
};

function layout(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/static/capture.css">
<script src="/static/capture.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><p class="banner">Sandbox verification: photos stay on this computer.</p></header>
<main id="main" tabindex="-1">
${main}
</main>
</body>
</html>
`;
}

const ACCEPT = 'image/jpeg,image/png,image/webp,image/tiff';

export interface CapturePageInput {
  token: string;
  needsReference: boolean;
  attemptsUsed: number;
  attemptsAllowed: number;
  maxImageMb: number;
}

export function capturePage(input: CapturePageInput): string {
  const action = `/session/${encodeURIComponent(input.token)}/capture/`;
  const reference = input.needsReference
    ? `
  <fieldset>
    <legend>Step 2: a photo of your ID document</legend>
    <label for="reference">ID document or reference photo</label>
    <input id="reference" name="reference" type="file" accept="${ACCEPT}" required aria-describedby="reference-hint">
    <p id="reference-hint" class="hint">The photo page of your passport or the front of your ID card. JPEG, PNG, WebP or TIFF, at most ${input.maxImageMb} MB.</p>
    <img id="reference-preview" class="preview" alt="Preview of your ID photo" hidden>
  </fieldset>`
    : '';
  const attempts =
    input.attemptsUsed > 0
      ? `<p>Attempt ${input.attemptsUsed + 1} of ${input.attemptsAllowed}.</p>`
      : '';
  return layout(
    'Verify your identity',
    `<h1>Verify your identity</h1>
<p>Take a selfie${input.needsReference ? ' and add a photo of your ID document' : ''}. We compare the faces and tell you the result.</p>
${attempts}
<form id="capture-form" method="post" action="${escapeHtml(action)}" enctype="multipart/form-data" data-max-bytes="${input.maxImageMb * 1024 * 1024}">
  <fieldset>
    <legend>Step 1: your selfie</legend>
    <label for="selfie">Selfie photo</label>
    <input id="selfie" name="selfie" type="file" accept="${ACCEPT}" capture="user" required aria-describedby="selfie-hint">
    <p id="selfie-hint" class="hint">Face the camera in good light, without sunglasses. JPEG, PNG, WebP or TIFF, at most ${input.maxImageMb} MB. On a phone this opens the front camera.</p>
    <div id="camera" class="camera" hidden>
      <button type="button" id="camera-start">Use this device's camera instead</button>
      <video id="camera-video" playsinline muted hidden aria-label="Camera preview"></video>
      <div class="camera-actions">
        <button type="button" id="camera-shoot" hidden>Take selfie</button>
        <button type="button" id="camera-stop" hidden>Close camera</button>
      </div>
    </div>
    <img id="selfie-preview" class="preview" alt="Preview of your selfie" hidden>
  </fieldset>${reference}
  <button type="submit" id="submit">Submit for verification</button>
</form>
<div id="progress-wrap" hidden>
  <label for="progress">Upload progress</label>
  <progress id="progress" max="100" value="0"></progress>
</div>
<p id="status" class="status" role="status" aria-live="polite"></p>
<p id="error" class="error" role="alert"></p>
<section id="result" class="result" tabindex="-1" hidden aria-labelledby="result-title">
  <h2 id="result-title">Result</h2>
  <p id="result-text"></p>
  <p id="result-next"></p>
</section>`,
  );
}

export function messagePage(title: string, message: string, link?: { href: string; text: string }): string {
  const action = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : '';
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p id="message">${escapeHtml(message)}</p>\n${action}`);
}
