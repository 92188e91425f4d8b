// Browser test helpers: Debian's Chromium via playwright-core (loud when missing, fatal in CI),
// a fake camera fed by a real face video made from a dev photo, the integrator's host page
// that loads the vendor's web SDK from node_modules on its own port, and a screenshot folder.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { chromium, type Browser } from 'playwright-core';
import { packageRoot } from '../../src/paths.js';

export const CHROMIUM = process.env.FACEMATCH_CHROMIUM ?? '/usr/bin/chromium';

/** False when Chromium is there, else the loud reason (thrown at import when CI is set). */
export const noChromium: string | false = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM}: install it with \`apt-get update && apt-get install -y chromium\` (or set FACEMATCH_CHROMIUM); the capture page was NOT tested in a browser`;
// Why: CI installs Chromium; there its absence must fail the run instead of skipping the page test.
if (noChromium && process.env.CI) throw new Error(`CI is set but ${noChromium}`);
if (noChromium) process.stderr.write(`\n*** SKIPPING browser tests: ${noChromium} ***\n\n`);

const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  // A camera that needs no permission prompt, for the getUserMedia path.
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

/** Launches Chromium; with `cameraFile` the fake camera plays that .y4m/.mjpeg instead of its test pattern. */
export function launchChromium(cameraFile?: string): Promise<Browser> {
  const args = cameraFile ? [...BASE_ARGS, `--use-file-for-fake-video-capture=${cameraFile}`] : BASE_ARGS;
  return chromium.launch({ executablePath: CHROMIUM, args });
}

/**
 * Writes a short Y4M (I420) video of `photo` filling a 640x480 frame, with a slow zoom so it
 * is a moving picture: what a webcam sees of a person holding still.
 */
export async function faceVideo(photo: string, outFile: string, frames = 12): Promise<string> {
  const W = 640;
  const H = 480;
  const chunks: Buffer[] = [Buffer.from(`YUV4MPEG2 W${W} H${H} F15:1 Ip A1:1 C420jpeg\n`, 'ascii')];
  for (let f = 0; f < frames; f++) {
    const zoom = 1 + 0.03 * Math.sin((f / frames) * Math.PI);
    const side = Math.round(H * zoom);
    const face = await sharp(photo).removeAlpha().resize(side, side, { fit: 'cover' }).toBuffer();
    const { data } = await sharp(face)
      .extract({ left: Math.floor((side - H) / 2), top: Math.floor((side - H) / 2), width: H, height: H })
      .extend({ left: (W - H) / 2, right: (W - H) / 2, extendWith: 'copy' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    chunks.push(Buffer.from('FRAME\n', 'ascii'), rgbToI420(data, W, H));
  }
  writeFileSync(outFile, Buffer.concat(chunks));
  return outFile;
}

/** RGB24 -> planar I420 (BT.601 full range, 2x2 chroma averaging). */
export function rgbToI420(rgb: Buffer, w: number, h: number): Buffer {
  const out = Buffer.alloc(w * h + 2 * (w / 2) * (h / 2));
  const uOff = w * h;
  const vOff = uOff + (w / 2) * (h / 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      out[y * w + x] = clamp(0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!);
    }
  }
  for (let y = 0; y < h; y += 2) {
    for (let x = 0; x < w; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const i = ((y + dy) * w + x + dx) * 3;
        r += rgb[i]!;
        g += rgb[i + 1]!;
        b += rgb[i + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      const c = (y / 2) * (w / 2) + x / 2;
      out[uOff + c] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      out[vOff + c] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return out;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

export interface TempFolder {
  dir: string;
  cleanup(): void;
}

export function tempFolder(prefix = 'fm-browser-'): TempFolder {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Where screenshots go: test-output/<name>/ at the repo root (git-ignored), or FACEMATCH_TEST_OUTPUT. */
export function screenshotDir(name: string): string {
  const base = process.env.FACEMATCH_TEST_OUTPUT ? resolve(process.env.FACEMATCH_TEST_OUTPUT) : join(packageRoot, 'test-output');
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The vendor SDK's built files, from node_modules (the package exports only its entry). */
export function sdkDistDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@didit-protocol/sdk-web'));
}

export interface HostSite {
  /** e.g. http://localhost:PORT (another origin than the twin's 127.0.0.1). */
  url: string;
  close(): Promise<void>;
}

// The integrator's page: loads the SDK build, records every onEvent and onComplete call, and
// exposes startVerification to the test. ESM by default; /umd.html uses the UMD global.
const HOST_ESM = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Integrator shop</title></head>
<body><h1>Integrator shop</h1><p>Checkout needs an identity check.</p>
<script type="module">
import { DiditSdk, SDK_VERSION } from '/sdk/didit-sdk.esm.js';
window.sdkVersion = SDK_VERSION;
window.sdkEvents = [];
window.sdkResults = [];
DiditSdk.shared.onEvent = (e) => window.sdkEvents.push({ type: e.type, data: e.data || null });
DiditSdk.shared.onComplete = (r) => window.sdkResults.push(JSON.parse(JSON.stringify(r)));
window.startVerification = (url, configuration) => DiditSdk.shared.startVerification({ url, configuration });
window.sdkLoaded = true;
</script></body></html>`;

const HOST_UMD = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Integrator shop (UMD)</title>
<script src="/sdk/didit-sdk.umd.min.js"></script></head>
<body><h1>Integrator shop</h1>
<script src="/host-umd.js"></script></body></html>`;

const HOST_UMD_JS = `var sdk = window.DiditSDK.DiditSdk.shared;
window.sdkVersion = window.DiditSDK.SDK_VERSION;
window.sdkEvents = []; window.sdkResults = [];
sdk.onEvent = function (e) { window.sdkEvents.push({ type: e.type, data: e.data || null }); };
sdk.onComplete = function (r) { window.sdkResults.push(JSON.parse(JSON.stringify(r))); };
window.startVerification = function (url, configuration) { return sdk.startVerification({ url: url, configuration: configuration }); };
window.sdkLoaded = true;`;

/** Serves the host pages and the SDK's dist files on localhost:<random port>. */
export async function startHostSite(): Promise<HostSite> {
  const dist = sdkDistDir();
  const files: Record<string, { type: string; body: string | Buffer }> = {
    '/': { type: 'text/html', body: HOST_ESM },
    '/umd.html': { type: 'text/html', body: HOST_UMD },
    '/host-umd.js': { type: 'text/javascript', body: HOST_UMD_JS },
    '/sdk/didit-sdk.esm.js': { type: 'text/javascript', body: readFileSync(join(dist, 'didit-sdk.esm.js')) },
    '/sdk/didit-sdk.umd.min.js': { type: 'text/javascript', body: readFileSync(join(dist, 'didit-sdk.umd.min.js')) },
  };
  const server: Server = createServer((req, res) => {
    const file = files[(req.url ?? '/').split('?')[0]!];
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': `${file.type}; charset=utf-8`, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
