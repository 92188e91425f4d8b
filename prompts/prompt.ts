// The shape of one MCP prompt module: a text template with string arguments, rendered with
// what the running server knows (its base URL).
import type { z } from 'zod';

export interface PromptEnv {
  /** The HTTP twin's base URL, or null when no server address is known. */
  baseUrl: string | null;
  /** Where baseUrl comes from: this very server, the address the last `serve` recorded, or nothing. */
  baseUrlSource: 'this server' | 'recorded by the last serve' | 'none';
}

export interface PromptDefinition {
  name: string;
  title: string;
  description: string;
  /** Prompt arguments are strings; optional ones may be absent. */
  argsSchema: Record<string, z.ZodString | z.ZodOptional<z.ZodString>>;
  render(args: Record<string, string | undefined>, env?: PromptEnv): string;
}

/** The minimum of the MCP runtime the prompts read. */
export interface PromptRuntime {
  httpBaseUrl: string | null;
  ready(): Promise<void>;
  sandbox(): { liveServeUrl(): string | null };
}

/** The base URL to put in a prompt: this server's, else the one a `serve` recorded in the sandbox. */
export async function promptEnv(runtime: PromptRuntime): Promise<PromptEnv> {
  if (runtime.httpBaseUrl) return { baseUrl: runtime.httpBaseUrl, baseUrlSource: 'this server' };
  try {
    await runtime.ready();
    const url = runtime.sandbox().liveServeUrl();
    if (url) return { baseUrl: url, baseUrlSource: 'recorded by the last serve' };
  } catch {
    /* no sandbox yet: say how to get a URL */
  }
  return { baseUrl: null, baseUrlSource: 'none' };
}

/** One sentence for the prompts: the base URL and how sure it is. */
export function baseUrlSentence(env: PromptEnv | undefined): { url: string; sentence: string } {
  if (env?.baseUrl && env.baseUrlSource === 'this server') return { url: env.baseUrl, sentence: `The sandbox's HTTP twin is this server: ${env.baseUrl}.` };
  if (env?.baseUrl) {
    return { url: env.baseUrl, sentence: `The last \`npx facematch-mcp serve\` on this sandbox listened on ${env.baseUrl}; if nothing answers there, start it again and use the URL it prints.` };
  }
  return { url: 'http://127.0.0.1:8787', sentence: 'No HTTP twin is running for this sandbox yet: start `npx facematch-mcp serve` (default http://127.0.0.1:8787) and use the URL it prints on stderr.' };
}
