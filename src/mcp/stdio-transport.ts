// The MCP stdio transport with a message budget. Why not the SDK's: its reader gives up (and
// the server exits, code 0, without a word) on any frame over 10 MB, which two base64 images
// under the 5 MB cap already reach, and it answers nothing to a line that is not JSON.
// Here every frame gets an answer: a tools/call over the budget gets an isError result saying
// to pass file paths; other requests over it a JSON-RPC error; unparseable lines -32700; and
// the server keeps reading.
import process from 'node:process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { inexactNumber, inexactNumberSentence } from '../json-numbers.js';
import { log } from '../log.js';

const MB = 1024 * 1024;
/** Default budget for one message: two 5 MB images in base64 (6.7 MB each) fit. */
export const DEFAULT_MESSAGE_BUDGET_BYTES = 16 * MB;
/** Above this a frame is not even kept in memory: skipped to its newline, answered from its head. */
const HARD_CAP_FACTOR = 4;
const HEAD_KEEP = 64 * 1024;

export interface BudgetedStdioOptions {
  /** Bytes one incoming message may have (default 16 MB, or FACEMATCH_MCP_MAX_MESSAGE_MB). */
  maxMessageBytes?: number;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

export function budgetFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.FACEMATCH_MCP_MAX_MESSAGE_MB);
  return Number.isFinite(mb) && mb >= 1 && mb <= 1024 ? Math.floor(mb * MB) : DEFAULT_MESSAGE_BUDGET_BYTES;
}

const mbText = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;

/** The sentence for a tools/call that is too big. */
export function overBudgetText(size: number, budget: number): string {
  return (
    `This tools/call message is ${mbText(size)}, over the ${mbText(budget)} one MCP message may carry here. ` +
    `Pass a file path (or an http(s) URL) for images over 1 MB instead of base64: base64 makes an image a third larger and every byte travels through the client.`
  );
}

type Id = string | number;

/** The request id, found without parsing a frame too big to parse (top level is assumed near the start). */
function idFromHead(head: string): Id | null {
  const m = /"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,16})/.exec(head);
  if (!m) return null;
  return m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : Number(m[1]);
}

export class BudgetedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly budget: number;
  private readonly stdin: NodeJS.ReadableStream;
  private readonly stdout: NodeJS.WritableStream;
  private chunks: Buffer[] = [];
  private size = 0;
  /** Past the hard cap: only the head is kept and the rest skipped up to the newline. */
  private skipping: { head: Buffer; size: number } | null = null;
  private started = false;

  constructor(opts: BudgetedStdioOptions = {}) {
    this.budget = Math.max(1024, opts.maxMessageBytes ?? budgetFromEnv());
    this.stdin = opts.stdin ?? process.stdin;
    this.stdout = opts.stdout ?? process.stdout;
  }

  private readonly onData = (chunk: Buffer | string): void => {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0) {
        this.take(buf);
        return;
      }
      this.take(buf.subarray(0, nl));
      this.endFrame();
      buf = buf.subarray(nl + 1);
    }
  };

  private readonly onError = (err: Error): void => {
    this.onerror?.(err);
  };

  private take(part: Buffer): void {
    if (part.length === 0) return;
    if (this.skipping) {
      this.skipping.size += part.length;
      return;
    }
    this.size += part.length;
    if (this.size > this.budget * HARD_CAP_FACTOR) {
      const head = Buffer.concat([...this.chunks, part]).subarray(0, HEAD_KEEP);
      this.skipping = { head, size: this.size };
      this.chunks = [];
      return;
    }
    this.chunks.push(part);
  }

  private endFrame(): void {
    if (this.skipping) {
      const { head, size } = this.skipping;
      this.skipping = null;
      this.size = 0;
      this.refuse(idFromHead(head.toString('utf8')), /"method"\s*:\s*"tools\/call"/.test(head.toString('utf8')), size);
      return;
    }
    const size = this.size;
    const frame = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    let text = frame.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (!text.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      log(`MCP stdio: a ${mbText(size)} line is not JSON; answered with a parse error`);
      void this.send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: each line on stdin must be one JSON-RPC message (JSON, newline-terminated).' } } as unknown as JSONRPCMessage);
      return;
    }
    const obj = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    const id = obj && (typeof obj.id === 'string' || typeof obj.id === 'number') ? obj.id : null;
    if (size > this.budget) {
      this.refuse(id, obj?.method === 'tools/call', size);
      return;
    }
    // A tool argument JSON.parse has already changed (a big integer, 1e400): say so instead of
    // acting on another value.
    const changed = obj?.method === 'tools/call' && id !== null ? inexactNumber(text) : null;
    if (changed !== null) {
      void this.send({ jsonrpc: '2.0', id: id!, result: { content: [{ type: 'text', text: `Arguments refused: ${inexactNumberSentence(changed)}` }], isError: true } } as JSONRPCMessage);
      return;
    }
    const checked = JSONRPCMessageSchema.safeParse(parsed);
    if (!checked.success) {
      if (id !== null || obj?.method !== undefined) {
        void this.send({ jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid request: expected a JSON-RPC 2.0 message with jsonrpc "2.0", a method, and an id for requests.' } } as unknown as JSONRPCMessage);
      }
      return;
    }
    try {
      this.onmessage?.(checked.data);
    } catch (err) {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private refuse(id: Id | null, isToolCall: boolean, size: number): void {
    log(`MCP stdio: refused a ${mbText(size)} message (budget ${mbText(this.budget)})`);
    if (id === null) {
      void this.send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: overBudgetText(size, this.budget) } } as unknown as JSONRPCMessage);
      return;
    }
    if (isToolCall) {
      void this.send({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: overBudgetText(size, this.budget) }], isError: true } } as JSONRPCMessage);
      return;
    }
    void this.send({ jsonrpc: '2.0', id, error: { code: -32600, message: `Request too large: ${mbText(size)}, over the ${mbText(this.budget)} one MCP message may carry.` } } as unknown as JSONRPCMessage);
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('BudgetedStdioTransport already started');
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onError);
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.chunks = [];
    this.skipping = null;
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.stdout.once('drain', () => resolve());
    });
  }
}
