// Which platform this server talks to, from the environment: the local sandbox, or the hosted
// platform when FACEMATCH_API_BASE and FACEMATCH_API_KEY are both set. A half-set pair is a
// configuration problem that every platform tool reports (an agent never sees stderr).
import { HostedPlatform } from './hosted.js';

export type PlatformConfig =
  | { mode: 'local'; application: string | null }
  | { mode: 'hosted'; hosted: HostedPlatform }
  | { mode: 'misconfigured'; problem: string };

export function platformConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const base = env.FACEMATCH_API_BASE?.trim();
  const key = env.FACEMATCH_API_KEY?.trim();
  const application = env.FACEMATCH_APP?.trim() || null;
  if (!base && !key) return { mode: 'local', application };
  if (!base || !key) {
    const set = base ? 'FACEMATCH_API_BASE' : 'FACEMATCH_API_KEY';
    const missing = base ? 'FACEMATCH_API_KEY' : 'FACEMATCH_API_BASE';
    return {
      mode: 'misconfigured',
      problem: `Hosted mode is half-configured: ${set} is set but ${missing} is not. Set both in the MCP server's environment to use the hosted platform, or unset ${set} to use the local sandbox, then restart the server.`,
    };
  }
  if (!/^https?:\/\/[^/\s]+/i.test(base)) {
    return { mode: 'misconfigured', problem: `FACEMATCH_API_BASE must be an http(s) URL such as https://verification.didit.me, got '${base.slice(0, 80)}'. Fix it and restart the server.` };
  }
  // The /v3 prefix belongs to the paths; a base ending in /v3 would double it.
  const cleaned = base.replace(/\/+$/, '').replace(/\/v3$/i, '');
  return { mode: 'hosted', hosted: new HostedPlatform({ baseUrl: cleaned, apiKey: key, applicationId: application }) };
}
