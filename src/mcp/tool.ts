// The shape of one MCP tool module (tools/<name>.ts): metadata, zod schemas, a handler that
// calls the platform interface (ctx.platform, or ctx.sandbox for sandbox-only tools) and
// returns structured data plus a summary.
import type { z } from 'zod';
import type { ToolContext } from './context.js';

/** MCP behaviour hints; set truthfully per tool. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** A PNG (or other image) attached to a result as MCP image content; never put in text. */
export interface ToolImage {
  data: Buffer;
  mimeType: 'image/png' | 'image/jpeg';
}

export interface ToolOutput<O> {
  /** Validated against the tool's outputSchema before it is sent. */
  structured: O;
  /** A short human/agent summary: what happened and what to call next. */
  summary: string;
  /** The summary already carries the data verbatim (a file to save): the text leaves out the JSON copy. */
  summaryHasData?: boolean;
  images?: ToolImage[];
}

/**
 * The declared fields of an output schema's type, without the index signatures of loose
 * objects, so service result interfaces (which may carry more fields) are assignable.
 */
export type Declared<T> = T extends ReadonlyArray<infer U>
  ? Declared<U>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: Declared<T[K]> }
    : T;

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  /** snake_case */
  name: string;
  title: string;
  /** Written for the agent: what it does, when to use it, what to call next. */
  description: string;
  inputSchema: I;
  outputSchema: O;
  annotations: ToolAnnotations;
  /** Needs the local sandbox (provisioning, playing the end user, forcing outcomes): hidden when hosted. */
  sandboxOnly?: boolean;
  // Method syntax so a registry can hold tools with different schemas.
  handler(input: z.infer<I>, ctx: ToolContext): Promise<ToolOutput<Declared<z.infer<O>>>>;
}

/** Identity helper that keeps the input/output types tied to the schemas. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}

/** A registry entry, whatever its schemas. */
export type AnyTool = ToolDefinition<z.ZodObject, z.ZodObject>;
