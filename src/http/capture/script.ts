// The capture page's script as the server sends it: browser/capture.ts compiled by the build
// (`tsc -b`, its own DOM-typed project) into dist/, read once on first request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../paths.js';

export const CAPTURE_JS_PATH = join(packageRoot, 'dist', 'src', 'http', 'capture', 'browser', 'capture.js');

let cached: string | null = null;

/** The compiled script; throws a sentence naming the build command when it was never built. */
export function captureScript(): string {
  if (cached === null) {
    let text: string;
    try {
      text = readFileSync(CAPTURE_JS_PATH, 'utf8');
    } catch {
      throw new Error(`the capture page's script is not built (${CAPTURE_JS_PATH} is missing): run \`npm run build\` (tsc -b), which compiles src/http/capture/browser/capture.ts`);
    }
    // The compiled file may point at a source map the package does not ship.
    cached = text.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  }
  return cached;
}
