// `facematch-mcp trigger OUTCOME [--workflow ID] [--db PATH] [--app ID] [--vendor-data V] [--wait S] [--json]`:
// creates a session and drives it to an outcome with the real webhooks, like `stripe trigger`.
// The webhooks go to every subscribed destination (a running `facematch-mcp listen`, the app's
// own); this process delivers them itself if no server is running, and waits for them.
import { SIMULATE_OUTCOMES, type SimulateOutcome } from '../contract/index.js';
import { printJson, UsageError, type Command } from './common.js';
import { announce, chooseApplication, openCliSandbox } from './sandbox.js';
import { isListenLabel } from './listen-slots.js';

const USAGE = `usage: facematch-mcp trigger OUTCOME [--workflow ID] [--db PATH] [--app ID] [--vendor-data V] [--wait SECONDS] [--json]
OUTCOME: approved, in-review, declined, no-reference-image, abandoned, expired (any case; spaces,
dashes or underscores). Creates a session, drives it there, fires the real webhooks and waits
(default 15 s) until every delivery has finished.`;

/** The outcomes as typed on the command line, in the order of a session's branches. */
export const OUTCOME_NAMES = ['approved', 'in-review', 'declined', 'no-reference-image', 'abandoned', 'expired'] as const;

/** "In Review", "in_review", "IN-REVIEW" -> "In Review"; null when it is not an outcome. */
export function parseOutcome(text: string): SimulateOutcome | null {
  const key = (s: string) => s.trim().toLowerCase().replace(/[\s_-]+/g, '-');
  return SIMULATE_OUTCOMES.find((o) => key(o) === key(text)) ?? null;
}

interface DeliveryRow {
  webhook_type: string;
  status: string | null;
  url: string;
  label: string;
  state: string;
  attempts: number;
  last_error: string | null;
  status_code: number | null;
}

export const run: Command = async (argv) => {
  if (argv.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') {
      json = true;
      continue;
    }
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (!['workflow', 'db', 'app', 'vendor-data', 'wait'].includes(name)) throw new UsageError(`unknown option --${name}; ${USAGE.split('\n')[0]}`);
    const v = eq < 0 ? argv[++i] : a.slice(eq + 1);
    if (!v) throw new UsageError(`--${name} needs a value.`);
    flags[name] = v;
  }
  // "in review" may arrive as two words when unquoted.
  const outcomeText = positional.join(' ');
  if (!outcomeText) throw new UsageError(`say which outcome: ${OUTCOME_NAMES.join(', ')}.`);
  const outcome = parseOutcome(outcomeText);
  if (!outcome) {
    throw new UsageError(`unknown outcome '${outcomeText}'; choose one of ${OUTCOME_NAMES.join(', ')}.`);
  }
  const waitText = flags.wait ?? '15';
  if (!/^\d{1,4}(\.\d+)?$/.test(waitText)) throw new UsageError(`--wait must be a number of seconds (got '${waitText}').`);

  const { sandbox, location } = openCliSandbox(flags.db);
  try {
    const choice = chooseApplication(sandbox, flags.app);
    announce(location, choice, flags.app !== undefined);
    const { app } = choice;
    let workflowId = flags.workflow;
    let workflowNote = '';
    if (!workflowId) {
      const row = sandbox.db
        .prepare<[string], { id: string }>('SELECT id FROM workflows WHERE application_id = ? ORDER BY is_default DESC, created_at DESC LIMIT 1')
        .get(app.applicationId);
      if (row) {
        workflowId = row.id;
        workflowNote = ' (the default workflow; choose another with --workflow ID)';
      } else {
        workflowId = sandbox.workflows.create(app, { workflow_label: 'facematch trigger', features: [{ feature: 'FACE_MATCH' }] }).uuid;
        workflowNote = ' (created: the application had no workflow)';
      }
    }
    const session = sandbox.sessions.create(app, { workflow_id: workflowId, vendor_data: flags['vendor-data'] ?? `trigger-${outcome.toLowerCase().replace(/[\s_]+/g, '-')}-${Date.now()}` });
    const decision = sandbox.sessions.simulate(app, session.session_id, outcome);
    await sandbox.webhooks.flush(Number(waitText) * 1000);
    const deliveries = sandbox.db
      .prepare<[string], DeliveryRow>(
        `SELECT o.webhook_type, json_extract(o.payload, '$.status') AS status, d.url, d.label, o.state, o.attempts, o.last_error,
                (SELECT a.status_code FROM webhook_attempts a WHERE a.outbox_id = o.id ORDER BY a.id DESC LIMIT 1) AS status_code
           FROM webhook_outbox o JOIN webhook_destinations d ON d.id = o.destination_id WHERE o.session_id = ? ORDER BY o.id`,
      )
      .all(session.session_id);
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
