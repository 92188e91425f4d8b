// Which session callbacks the twin takes: http(s) URLs, and app deep links (`myapp://callback`)
// as the vendor's mobile SDK demos send them. Schemes a browser would run or read locally
// (javascript:, data:, file: ...) are refused: the capture page links to the callback.

const REFUSED_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'filesystem:', 'view-source:', 'ws:', 'wss:', 'ftp:']);

export function parseCallbackUrl(value: string): URL | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.hostname ? url : null;
  if (REFUSED_SCHEMES.has(url.protocol)) return null;
  // A deep link names its app's scheme and an authority or path after "//".
  return /^[a-z][a-z0-9+.-]*:\/\/[^\s]/i.test(value) ? url : null;
}
