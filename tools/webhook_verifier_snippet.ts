// webhook_verifier_snippet: the verifier for the user's own app, in their language (python-sdk: through didit-sdk).
import { z } from 'zod';
import { defineTool } from '../src/mcp/tool.js';
import { SNIPPET_LANGUAGES, webhookVerifierSnippet } from '../src/webhooks/snippets/index.js';

export const webhookVerifierSnippetTool = defineTool({
  name: 'webhook_verifier_snippet',
  title: 'Webhook verifier code for the app',
  description:
    'Webhook verifier code for the user\'s app, which must not depend on facematch-mcp: standard library only (js: ES module; cjs: require(); go: own package folder), or python-sdk through the PyPI didit-sdk. Checks X-Signature or X-Signature-V2 and the timestamp.',
  inputSchema: z.strictObject({
    language: z.enum(SNIPPET_LANGUAGES, { error: `language must be one of ${SNIPPET_LANGUAGES.join(', ')}.` }),
  }),
  outputSchema: z.object({ language: z.string(), file: z.string(), entry: z.string(), where: z.string(), source: z.string() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input) {
    const s = webhookVerifierSnippet(input.language);
    // The source once in the text (to save as is); structuredContent has it too, for clients that read that.
    return { structured: { ...s }, summary: `Save as ${s.file} in the app, ${s.where}; call ${s.entry} on the raw request body.\n\n${s.source}`, summaryHasData: true };
  },
});
