// Routes of Didit's hosted platform that the face-match twin does not serve. Code written for the
// platform calls them too (the vendor's SDKs, MCP server and agent scripts); a bare 404 reads as
// "wrong path", so they get 501 with a sentence saying what they are and what to do instead.
// Only consulted when no twin route matched, so a face-family route always wins.

export interface HostedOnlyArea {
  /** Path prefix under the API root, segments without slashes at the ends. */
  prefix: string[];
  /** What the area is, for the answer. */
  name: string;
}

/** Under /v3/ and under the console root /v3/organization/{org}/application/{app}/. */
export const HOSTED_ONLY_AREAS: readonly HostedOnlyArea[] = [
  { prefix: ['aml'], name: 'AML screening' },
  { prefix: ['apis', 'aml'], name: 'AML screening' },
  { prefix: ['kyb'], name: 'KYB (business verification)' },
  { prefix: ['apis', 'kyb'], name: 'KYB (business verification)' },
  { prefix: ['business-session'], name: 'KYB (business verification)' },
  { prefix: ['vendor-businesses'], name: 'KYB businesses' },
  { prefix: ['businesses'], name: 'KYB businesses' },
  { prefix: ['transactions'], name: 'transaction monitoring' },
  { prefix: ['wallets'], name: 'transaction monitoring' },
  { prefix: ['travel-rule'], name: 'Travel Rule' },
  { prefix: ['questionnaires'], name: 'questionnaires' },
  { prefix: ['billing'], name: 'billing' },
  { prefix: ['top-up'], name: 'billing' },
  { prefix: ['database-validation'], name: 'database validation' },
  { prefix: ['apis', 'database-validation'], name: 'database validation' },
  { prefix: ['email'], name: 'e-mail verification and risk' },
  { prefix: ['apis', 'email'], name: 'e-mail verification and risk' },
  { prefix: ['phone'], name: 'phone verification and risk' },
  { prefix: ['apis', 'phone'], name: 'phone verification and risk' },
  { prefix: ['ip'], name: 'IP analysis' },
  { prefix: ['poa'], name: 'proof of address' },
  { prefix: ['apis', 'poa'], name: 'proof of address' },
  { prefix: ['id-verification'], name: 'ID-document verification (OCR)' },
  { prefix: ['apis', 'id-verification'], name: 'ID-document verification (OCR)' },
  { prefix: ['users'], name: 'users' },
  { prefix: ['vendor-users'], name: 'users' },
  { prefix: ['blocklist'], name: 'the blocklist feed (read face blocklist entries at /v3/lists/{uuid}/entries/)' },
  { prefix: ['allowlist'], name: 'the allowlist by session (face allowlists are lists: /v3/lists/ with list_type allowlist)' },
  { prefix: ['cases'], name: 'case management' },
  { prefix: ['reports'], name: 'regulatory reports' },
  { prefix: ['session', 'imports'], name: 'session imports' },
  { prefix: ['session', 'import-shared'], name: 'session sharing' },
];

/** Face-family paths another part of the twin serves (or will): never answered 501. */
const FACE_FAMILY = [['face-search'], ['lists'], ['blocklist', 'add'], ['blocklist', 'remove'], ['apis', 'face-search']];

function startsWith(segments: string[], prefix: string[]): boolean {
  return prefix.length <= segments.length && prefix.every((p, i) => segments[i] === p);
}

/** The hosted-only area for a path's segments (after /v3 or the console root), or null. */
export function hostedOnlyArea(segments: string[]): HostedOnlyArea | null {
  if (FACE_FAMILY.some((f) => startsWith(segments, f))) return null;
  return HOSTED_ONLY_AREAS.find((a) => startsWith(segments, a.prefix)) ?? null;
}

/** The API segments of a twin path: after `v3`, and after the console root when present. */
export function apiSegments(segments: string[]): string[] | null {
  if (segments[0] !== 'v3') return null;
  const rest = segments.slice(1);
  if (rest[0] === 'organization' && rest[2] === 'application' && rest.length > 4) return rest.slice(4);
  if (rest[0] === 'organization' && rest.length > 2 && rest[2] !== 'application') return rest.slice(2);
  return rest;
}

export function hostedOnlyDetail(path: string, area: HostedOnlyArea): string {
  return (
    `${path.slice(0, 200)} is part of Didit's hosted platform, not of the face-match twin; ` +
    `the twin serves the face family only (sessions, workflows, face match, passive liveness, age estimation, face search, webhooks). ` +
    `Call ${area.name} against the hosted API (https://verification.didit.me/v3) with a real key, or leave this feature out of local tests.`
  );
}
