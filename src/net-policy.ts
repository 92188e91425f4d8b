// Which network addresses the sandbox will fetch from (image URLs) or POST to (webhook
// destinations). Link-local addresses (169.254.0.0/16, fe80::/10) and cloud metadata names
// are refused unless FACEMATCH_ALLOW_LINK_LOCAL=1: on a cloud VM they answer with instance
// credentials, and a URL is an input an agent may have copied from anywhere. Loopback and
// private ranges stay allowed: local receivers are the point of a sandbox.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** Addresses that are metadata services without being link-local. */
const METADATA_ADDRESSES = new Set(['100.100.100.200', 'fd00:ec2::254']);

export const ALLOW_LINK_LOCAL_ENV = 'FACEMATCH_ALLOW_LINK_LOCAL';

export function linkLocalAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env[ALLOW_LINK_LOCAL_ENV] ?? '');
}

/** True for an IP literal in 169.254.0.0/16, fe80::/10 (also IPv4-mapped), or a known metadata address. */
export function isBlockedAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (METADATA_ADDRESSES.has(a)) return true;
  const kind = isIP(a);
  if (kind === 4) return a.startsWith('169.254.');
  if (kind === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    if (mapped) return isBlockedAddress(mapped[1]!);
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
    if (hexMapped) {
      const hi = parseInt(hexMapped[1]!, 16);
      return hi >> 8 === 169 && (hi & 0xff) === 254;
    }
    const first = parseInt(a.split(':')[0] || '0', 16);
    return (first & 0xffc0) === 0xfe80;
  }
  return false;
}

/** A sentence saying why `url` may not be fetched or posted to, or null when it may. Checks
 *  the name as written; `guardedLookup` checks what a name resolves to at connect time. */
export function urlPolicyProblem(url: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (linkLocalAllowed(env)) return null;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return null;
  }
  if (METADATA_HOSTS.has(host) || isBlockedAddress(host)) {
    return `${host} is a link-local or cloud metadata address, which the sandbox does not contact (set ${ALLOW_LINK_LOCAL_ENV}=1 to allow it).`;
  }
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A drop-in for dns.lookup (net.connect's `lookup` option) that refuses names resolving to
 *  link-local or metadata addresses, so a DNS name cannot smuggle in what a literal may not. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, options.all ? [] : '');
    const list = addresses as LookupAddress[];
    if (!linkLocalAllowed() && (METADATA_HOSTS.has(hostname.toLowerCase()) || list.some((a) => isBlockedAddress(a.address)))) {
      const e: NodeJS.ErrnoException = new Error(`${hostname} resolves to a link-local or metadata address, which the sandbox does not contact (set ${ALLOW_LINK_LOCAL_ENV}=1 to allow it)`);
      e.code = 'EADDRBLOCKED';
      return callback(e, options.all ? [] : '');
    }
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) {
      const e: NodeJS.ErrnoException = new Error(`${hostname} did not resolve`);
      e.code = 'ENOTFOUND';
      return callback(e, '');
    }
    callback(null, first.address, first.family);
  });
}
