// MCP resources: the wire contract, each session's decision, the engine's calibration table.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
// Direct module imports (not engine/index.js): these are cheap, the engine's index is not.
import { CALIBRATION } from '../engine/score.js';
import { STANDALONE_DECLINE_DEFAULT, WORKFLOW_DECLINE_DEFAULT, WORKFLOW_REVIEW_DEFAULT } from '../engine/decision.js';
import { FacematchError } from '../errors.js';
import { log } from '../log.js';
import type { McpRuntime } from './context.js';
import type { AppSelection } from '../platform/local.js';
import { SPEC_SUMMARY } from './spec-summary.js';

/** MCP's error code for an unknown resource URI (the SDK has no constant for it). */
const RESOURCE_NOT_FOUND = -32002;

/** A malformed %-escape is just an unknown id, not a crash. */
function safeDecode(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

/** Decisions listed as resources (most recent first). */
const LISTED_SESSIONS = 50;

/** The contract agents read: always the summary shipped in the package, never a workspace file
 *  (those carry team notes and can lag behind what the engine answers). */
export function readSpecText(): { text: string; source: string } {
  return { text: SPEC_SUMMARY, source: 'built-in summary' };
}

export function calibrationDocument(): Record<string, unknown> {
  return {
    description:
      'How the engine maps cosine similarity of two face embeddings to the 0-100 score, and the measured false accept rate (far) and true accept rate (tar) at score thresholds.',
    defaults: {
      standalone_decline_threshold: STANDALONE_DECLINE_DEFAULT,
      workflow_decline_threshold: WORKFLOW_DECLINE_DEFAULT,
      workflow_review_threshold: WORKFLOW_REVIEW_DEFAULT,
    },
    ...CALIBRATION,
  };
}

export function registerResources(server: McpServer, runtime: McpRuntime, selection: AppSelection): void {
  server.registerResource(
    'spec',
    'facematch://spec',
    { title: 'Wire contract', description: 'Paths, fields, statuses, errors and webhook signing of the hosted API that this sandbox twins.', mimeType: 'text/markdown' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: readSpecText().text }] }),
  );

  server.registerResource(
    'calibration',
    'facematch://calibration',
    { title: 'Score calibration', description: 'The engine\'s cosine-to-score knots and FAR/TAR per score threshold.', mimeType: 'application/json' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(calibrationDocument(), null, 2) }] }),
  );

  server.registerResource(
    'session-decision',
    new ResourceTemplate('facematch://sessions/{id}', {
      list: async () => {
        // Listing must never fail the client's resources/list: no account yet -> nothing.
        try {
          await runtime.ready();
          const { results } = await runtime.platform(selection).listSessions({ limit: LISTED_SESSIONS, offset: 0 });
          return {
            resources: results.map((s) => ({
              uri: `facematch://sessions/${s.session_id}`,
              name: `session ${s.session_number} (${s.status})`,
              description: `Decision of session ${s.session_id}${s.vendor_data ? ` for ${s.vendor_data}` : ''}`,
              mimeType: 'application/json',
            })),
          };
        } catch (err) {
          log(`listing session resources failed: ${err instanceof Error ? err.message : String(err)}`);
          return { resources: [] };
        }
      },
    }),
    { title: 'Session decision', description: 'The decision JSON of one session (same shape as GET /v3/session/{id}/decision/).', mimeType: 'application/json' },
    async (uri, variables) => {
      const id = String(Array.isArray(variables.id) ? variables.id[0] : variables.id ?? '');
      if (!id) throw new FacematchError('VALIDATION', 'facematch://sessions/{id} needs a session id.');
      await runtime.ready();
      try {
        const decision = await runtime.platform(selection).getDecision(safeDecode(id));
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(decision, null, 2) }] };
      } catch (err) {
        // The caller's mistake, not a server fault: MCP's "resource not found" (-32002) or invalid params.
        if (err instanceof FacematchError) {
          const msg = err.code === 'NOT_FOUND' ? `${err.message} Use a session_id from list_sessions (or resources/list).` : err.message;
          throw new McpError(err.code === 'NOT_FOUND' ? RESOURCE_NOT_FOUND : ErrorCode.InvalidParams, msg, { uri: uri.href });
        }
        throw err;
      }
    },
  );
}
