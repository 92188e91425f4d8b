// One error type for every mistake a caller can fix. Transports map it: HTTP -> status +
// {"detail": message, ...fields}; MCP -> isError result with the message; CLI -> exit 2.

export type ErrorCode =
  // input images
  | 'IMAGE_EMPTY'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_UNSUPPORTED'
  | 'IMAGE_CORRUPT'
  | 'IMAGE_DIMENSIONS'
  // requests
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'GONE'
  // environment
  | 'MODELS_MISSING'
  // load: the face engine's queue is full (carries retryAfterSeconds)
  | 'ENGINE_BUSY';

const STATUS: Record<ErrorCode, number> = {
  IMAGE_EMPTY: 400,
  IMAGE_TOO_LARGE: 400,
  IMAGE_UNSUPPORTED: 400,
  IMAGE_CORRUPT: 400,
  IMAGE_DIMENSIONS: 400,
  VALIDATION: 400,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  GONE: 410,
  MODELS_MISSING: 503,
  ENGINE_BUSY: 429,
};

export class FacematchError extends Error {
  /** Marks errors whose message is safe and useful to show to the caller. */
  readonly expose = true;
  readonly code: ErrorCode;
  readonly status: number;
  /** Field-level messages, e.g. {"user_image": ["..."]}, merged into HTTP error bodies. */
  readonly fields: Record<string, string[]> | undefined;

  constructor(code: ErrorCode, message: string, options: { fields?: Record<string, string[]>; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'FacematchError';
    this.code = code;
    this.status = STATUS[code];
    this.fields = options.fields;
  }
}

export function isFacematchError(err: unknown): err is FacematchError {
  return err instanceof FacematchError;
}

/** Field-keyed messages from validation issues (zod's shape): `a.b` per path, `non_field_errors` without one. */
export function fieldsFromIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : 'non_field_errors';
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}
