// The shape of one MCP prompt module: a text template with string arguments.
import type { z } from 'zod';

export interface PromptDefinition {
  name: string;
  title: string;
  description: string;
  /** Prompt arguments are strings; optional ones may be absent. */
  argsSchema: Record<string, z.ZodString | z.ZodOptional<z.ZodString>>;
  render(args: Record<string, string | undefined>): string;
}
