// `facematch-mcp trigger OUTCOME [--workflow ID] [--db PATH] [--app ID] [--vendor-data V] [--wait S] [--json]`:
// creates a session and drives it to an outcome with the real webhooks, like `stripe trigger`.
// The webhooks go to every subscribed destination (a running `facematch-mcp listen`, the app's
// own); this process delivers them itself if no server is running, and waits for them.
import { SIMULATE_OUTCOMES, type SimulateOutcome } from '../contract/index.js';
import { printJson, UsageError, type Command } from './common.js';
import { APP_FLAG, DB_FLAG, defineCommand, printedHelp, readFlags } from './flags.js';
import { announce, chooseApplication, openCliSandbox } from './sandbox.js';
import { isListenLabel } from '../services/index.js';

/** The outcomes as typed on the command line, in the order of a session's branches. */
export const OUTCOME_NAMES = ['approved', 'in-review', 'declined', 'no-reference-image', 'abandoned', 'expired'] as const;

export const TRIGGER = defineCommand({
  name: 'trigger',
  args: 'OUTCOME',
  summary: `OUTCOME: approved, in-review, declined, no-reference-image, abandoned, expired (any case; spaces,
dashes or underscores). Creates a session, drives it there, fires the real webhooks and waits
(default 15 s) until every delivery has finished.`,
  flags: {
    workflow: { type: 'string', value: 'ID', description: 'the workflow (default: the default workflow; one is created if there is none)' },
    db: DB_FLAG,
    app: APP_FLAG,
    'vendor-data': { type: 'string', value: 'V', description: "the session's vendor_data (default: trigger-<outcome>-<time>)" },
    wait: { type: 'string', value: 'SECONDS', default: '15', description: 'how long to wait for the deliveries' },
    json: { type: 'boolean', description: 'print the session, its decision and the deliveries as JSON' },
  },
});

/** "In Review", "in_review", "IN-REVIEW" -> "In Review"; null when it is not an outcome. */
export function parseOutcome(text: string): SimulateOutcome | null {
  const key = (s: string) => s.trim().toLowerCase().replace(/[\s_-]+/g, '-');
  return SIMULATE_OUTCOMES.find((o) => key(o) === key(text)) ?? null;
}

export const run: Command = async (argv) => {
  if (printedHelp(TRIGGER, argv)) return 0;
  const { values: flags, positionals: positional } = readFlags(TRIGGER, argv);
  const { json } = flags;
  // "in review" may arrive as two words when unquoted.
  const outcomeText = positional.join(' ');
  if (!outcomeText) throw new UsageError(`say which outcome: ${OUTCOME_NAMES.join(', ')}.`);
  const outcome = parseOutcome(outcomeText);
  if (!outcome) {
    throw new UsageError(`unknown outcome '${outcomeText}'; choose one of ${OUTCOME_NAMES.join(', ')}.`);
  }
  const waitText = flags.wait;
  if (!/^\d{1,4}(\.\d+)?$/.test(waitText)) throw new UsageError(`--wait must be a number of seconds (got '${waitText}').`);

  const { sandbox, location } = openCliSandbox(flags.db);
  try {
    const choice = chooseApplication(sandbox, flags.app);
    announce(location, choice, flags.app !== undefined);
    const { app } = choice;
    let workflowId = flags.workflow;
    let workflowNote = '';
    if (!workflowId) {
      const found = sandbox.workflows.defaultId(app);
      if (found) {
        workflowId = found;
        workflowNote = ' (the default workflow; choose another with --workflow ID)';
      } else {
        workflowId = sandbox.workflows.create(app, { workflow_label: 'facematch trigger', features: [{ feature: 'FACE_MATCH' }] }).uuid;
        workflowNote = ' (created: the application had no workflow)';
      }
    }
    const session = sandbox.sessions.create(app, { workflow_id: workflowId, vendor_data: flags['vendor-data'] ?? `trigger-${outcome.toLowerCase().replace(/[\s_]+/g, '-')}-${Date.now()}` });
    const decision = sandbox.sessions.simulate(app, session.session_id, outcome);
    await sandbox.webhooks.flush(Number(waitText) * 1000);
    const deliveries = sandbox.deliveries.sessionOutbox(app, session.session_id);
    const fm = decision.face_matches?.[0];
    if (json) {
      printJson({ session_id: session.session_id, workflow_id: workflowId, status: decision.status, face_match: fm ?? null, deliveries });
      return 0;
    }
    const risks = fm?.warnings?.map((w) => w.risk).join(', ');
    process.stdout.write(
      `session ${session.session_id} -> ${decision.status}${fm ? ` (face match ${fm.status}, score ${fm.score ?? 'null'}${risks ? `, ${risks}` : ''})` : ''}; workflow ${workflowId}${workflowNote}\n`,
    );
    if (deliveries.length === 0) {
      process.stdout.write(`  no webhook destination is subscribed: run 'facematch-mcp listen' (or create one) and trigger again\n`);
    }
    for (const d of deliveries) {
      const answer = d.status_code === null ? (d.last_error ?? 'no answer') : `HTTP ${d.status_code}`;
      const state = d.state === 'pending' ? 'still pending (retrying)' : d.state;
      process.stdout.write(`  ${d.webhook_type.padEnd(14)} ${String(d.status).padEnd(12)} -> ${isListenLabel(d.label) ? d.label : d.url}  ${answer}, ${state} after ${d.attempts} attempt(s)\n`);
    }
    return 0;
  } finally {
    await sandbox.close();
  }
};
