// The platform's wire contract: the shapes its API sends and accepts and the names it uses
// (statuses, events, risk codes, features), one file per resource. Every vocabulary is written
// once, here, as an `as const` list with its type derived; services, HTTP routes, MCP tools, the
// CLI, the hosted client and the docs' tests read them from this module.
export * from './accounts.js';
export * from './face-match.js';
export * from './face-search.js';
export * from './liveness.js';
export * from './sessions.js';
export * from './webhooks.js';
export * from './workflows.js';
