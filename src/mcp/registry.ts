// Which tools a server exposes and how they are listed: `--tools` / FACEMATCH_TOOLS picks a
// subset, hosted mode hides the sandbox-only tools (one place), and tools/list is compact JSON
// Schema (no $schema, no "anything goes" noise) so agents pay little context for it.
import { z } from 'zod';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { AnyTool } from './tool.js';

export type ServerMode = 'local' | 'hosted' | 'misconfigured';

/** Parses a comma/space separated tool list; unknown names are reported, never ignored. */
export function selectTools(all: readonly AnyTool[], spec: string): { tools: AnyTool[]; unknown: string[] } {
  const names = spec
    .split(/[\s,]+/)
    .map((n) => n.trim())
    .filter(Boolean);
  const byName = new Map(all.map((t) => [t.name, t]));
  const unknown = names.filter((n) => !byName.has(n));
  const wanted = new Set(names);
  return { tools: all.filter((t) => wanted.has(t.name)), unknown };
}

/** The tools a server in this mode offers: sandbox-only ones are hidden when hosted. */
export function toolsForMode(tools: readonly AnyTool[], mode: ServerMode): AnyTool[] {
  return mode === 'hosted' ? tools.filter((t) => !t.sandboxOnly) : [...tools];
}

/** Removes JSON Schema keywords that say nothing to an agent. */
export function compactSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compactSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === '$schema') continue;
    // zod's whole-number bounds are JavaScript's safe-integer range: no information.
    if ((k === 'minimum' || k === 'maximum') && typeof v === 'number' && Math.abs(v) === Number.MAX_SAFE_INTEGER) continue;
    // `additionalProperties: {}` and string property names are JSON Schema's defaults.
    if (k === 'additionalProperties' && v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    if (k === 'propertyNames' && v && typeof v === 'object' && (v as { type?: unknown }).type === 'string' && Object.keys(v).length === 1) continue;
    out[k] = compactSchema(v);
  }
  // anyOf of bare types (a nullable integer) is the shorter `type: [...]`.
  if (Array.isArray(out.anyOf) && Object.keys(out).length === 1 && (out.anyOf as unknown[]).every((m) => m && typeof m === 'object' && Object.keys(m).length === 1 && typeof (m as { type?: unknown }).type === 'string')) {
    return { type: (out.anyOf as Array<{ type: string }>).map((m) => m.type) };
  }
  return out;
}

function jsonSchema(schema: z.ZodObject): Tool['inputSchema'] {
  return compactSchema(z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' })) as Tool['inputSchema'];
}

type Node = Record<string, unknown>;

/** Just the JSON type(s) of a schema node: what a client needs to check a nested value. */
function typeOnly(node: Node): Node {
  if (node.type !== undefined) return { type: node.type };
  if (Array.isArray(node.anyOf)) {
    const types = [...new Set((node.anyOf as Node[]).flatMap((n) => (Array.isArray(n.type) ? n.type : n.type !== undefined ? [n.type] : [])))];
    return types.length === 1 ? { type: types[0] } : types.length ? { type: types } : {};
  }
  return {};
}

/**
 * Output schemas as listed: the result's top-level fields and their JSON types (nested values as
 * types only, no `required`). The full zod schema still checks every result before it is sent;
 * the listing only has to tell an agent what comes back, and tools/list stays small.
 */
export function shallowOutput(node: Node, depth = 0): Node {
  if (depth >= 1) return typeOnly(node);
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'description' && depth > 0) || k === 'required') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, Node>).map(([name, child]) => [name, shallowOutput(child, depth + 1)]));
    } else if (k === 'items' && v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = shallowOutput(v as Node, depth + 1);
    } else if (k === 'anyOf' && Array.isArray(v)) {
      out[k] = (v as Node[]).map((n) => shallowOutput(n, depth));
    } else if (k === 'additionalProperties' && v && typeof v === 'object') {
      out[k] = shallowOutput(v as Node, depth + 1);
    } else {
      out[k] = v;
    }
  }
  return out;
}

const listed = new WeakMap<AnyTool, { base: Omit<Tool, 'annotations'> }>();

/** What MCP says a client assumes for a hint that is not listed (spec: ToolAnnotations). */
export const HINT_DEFAULTS = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true } as const;

/** Only the hints that differ from MCP's defaults: the same meaning in fewer bytes. */
function listedHints(hints: Record<keyof typeof HINT_DEFAULTS, boolean>): Partial<Record<keyof typeof HINT_DEFAULTS, boolean>> {
  const out: Partial<Record<keyof typeof HINT_DEFAULTS, boolean>> = {};
  for (const k of Object.keys(HINT_DEFAULTS) as Array<keyof typeof HINT_DEFAULTS>) {
    // destructive/idempotent mean nothing for a read-only tool (spec); omitted, they default.
    if (hints.readOnlyHint && (k === 'destructiveHint' || k === 'idempotentHint')) continue;
    if (hints[k] !== HINT_DEFAULTS[k]) out[k] = hints[k];
  }
  return out;
}

/** The tools/list entry of one tool; in hosted mode every platform tool is open-world. */
export function listedTool(tool: AnyTool, mode: ServerMode, offline: boolean): Tool {
  let entry = listed.get(tool);
  if (!entry) {
    entry = {
      base: {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: jsonSchema(tool.inputSchema),
        outputSchema: shallowOutput(jsonSchema(tool.outputSchema) as Node) as Tool['outputSchema'],
      },
    };
    listed.set(tool, entry);
  }
  return { ...entry.base, annotations: listedHints({ ...tool.annotations, openWorldHint: tool.annotations.openWorldHint || (mode === 'hosted' && !offline) }) };
}

/** Bytes of the tools/list result's JSON for these tools (the size agents load). */
export function toolsListBytes(tools: readonly AnyTool[], mode: ServerMode, offline: ReadonlySet<string>): number {
  return Buffer.byteLength(JSON.stringify({ tools: tools.map((t) => listedTool(t, mode, offline.has(t.name))) }));
}
