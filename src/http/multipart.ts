// A streaming multipart/form-data parser with size caps. Each part is checked as its bytes
// arrive, so a 6 MB image is refused when its 5 MB + 1st byte shows up, before the rest of the
// upload is read; parts the route does not want are counted but never kept.
import type { IncomingMessage } from 'node:http';
import { FacematchError } from '../errors.js';
import { consume, declaredLength, formatBytes, mediaParam, mediaType, tooLarge } from './body.js';
import { HttpError } from './errors.js';

export interface MultipartFile {
  field: string;
  filename: string | null;
  contentType: string | null;
  bytes: Buffer;
}

export interface MultipartForm {
  files: Map<string, MultipartFile>;
  /** Text fields; a repeated name keeps the last value. */
  fields: Map<string, string>;
}

export interface MultipartOptions {
  /** Part names kept as files whatever their filename. Other parts with a filename are dropped. */
  fileFields: ReadonlySet<string>;
  maxFileBytes: number;
  maxFieldBytes: number;
  maxTotalBytes: number;
  maxParts?: number;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const utf8 = new TextDecoder('utf-8', { fatal: true });

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';

interface PartHeaders {
  name: string;
  filename: string | null;
  contentType: string | null;
}

function parseDispositionParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = m[1]!.toLowerCase();
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim();
    params.set(key, raw);
  }
  return params;
}

function parsePartHeaders(block: Buffer): PartHeaders {
  const text = block.toString('utf8');
  let disposition: string | undefined;
  let contentType: string | null = null;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) {
    throw new HttpError(400, 'malformed multipart body: every part needs "Content-Disposition: form-data; name=..."');
  }
  const params = parseDispositionParams(disposition);
  const name = params.get('name');
  if (!name) throw new HttpError(400, 'malformed multipart body: a part has no name');
  let filename = params.get('filename') ?? null;
  const extended = params.get('filename*');
  if (extended) {
    const m = /^utf-8''(.*)$/i.exec(extended);
    if (m) {
      try {
        filename = decodeURIComponent(m[1]!);
      } catch {
        /* keep the plain filename */
      }
    }
  }
  return { name, filename, contentType };
}

class MultipartParser {
  readonly form: MultipartForm = { files: new Map(), fields: new Map() };
  private buf: Buffer = CRLF; // a leading CRLF lets the first delimiter match like the others
  private state: State = 'preamble';
  private readonly delimiter: Buffer;
  private parts = 0;
  private part: PartHeaders | null = null;
  private kind: 'file' | 'field' | 'drop' = 'drop';
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(
    boundary: string,
    private readonly opts: MultipartOptions,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.run();
  }

  finish(): MultipartForm {
    if (this.state !== 'done') {
      throw new HttpError(400, 'malformed multipart body: it ended before the closing boundary (was the upload cut off?)');
    }
    return this.form;
  }

  private run(): void {
    for (;;) {
      switch (this.state) {
        case 'preamble': {
          const at = this.buf.indexOf(this.delimiter);
          if (at < 0) {
            this.buf = this.keepTail(this.buf);
            return;
          }
          this.buf = this.buf.subarray(at + this.delimiter.length);
          this.state = 'after-delimiter';
          break;
        }
        case 'after-delimiter': {
          if (this.buf.length < 2) return;
          if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
            this.state = 'done';
            this.buf = Buffer.alloc(0);
            return;
          }
          const eol = this.buf.indexOf(CRLF);
          if (eol < 0) {
            if (this.buf.length > 256) throw new HttpError(400, 'malformed multipart body: a boundary line is not followed by CRLF');
            return;
          }
          if (!/^[ \t]*$/.test(this.buf.subarray(0, eol).toString('latin1'))) {
            throw new HttpError(400, 'malformed multipart body: unexpected bytes after a boundary');
          }
          this.buf = this.buf.subarray(eol + 2);
          this.parts += 1;
          if (this.parts > (this.opts.maxParts ?? 50)) throw new HttpError(400, `too many multipart parts (at most ${this.opts.maxParts ?? 50})`);
          this.state = 'headers';
          break;
        }
        case 'headers': {
          const end = this.buf.indexOf(HEADER_END);
          // A part with no header lines at all starts directly with the blank line.
          const emptyHeaders = this.buf.length >= 2 && this.buf[0] === 0x0d && this.buf[1] === 0x0a;
          if (emptyHeaders) throw new HttpError(400, 'malformed multipart body: a part has no Content-Disposition header');
          if (end < 0) {
            if (this.buf.length > MAX_HEADER_BYTES) throw new HttpError(400, 'malformed multipart body: part headers are too large');
            return;
          }
          this.startPart(parsePartHeaders(this.buf.subarray(0, end)));
          this.buf = this.buf.subarray(end + HEADER_END.length);
          this.state = 'body';
          break;
        }
        case 'body': {
          const at = this.buf.indexOf(this.delimiter);
          if (at < 0) {
            const safe = this.buf.length - (this.delimiter.length - 1);
            if (safe > 0) {
              this.take(this.buf.subarray(0, safe));
              this.buf = this.buf.subarray(safe);
            }
            return;
          }
          this.take(this.buf.subarray(0, at));
          this.endPart();
          this.buf = this.buf.subarray(at + this.delimiter.length);
          this.state = 'after-delimiter';
          break;
        }
        case 'done':
          this.buf = Buffer.alloc(0); // the epilogue is ignored
          return;
      }
    }
  }

  private keepTail(buf: Buffer): Buffer {
    const keep = this.delimiter.length - 1;
    return buf.length > keep ? Buffer.from(buf.subarray(buf.length - keep)) : buf;
  }

  private startPart(headers: PartHeaders): void {
    this.part = headers;
    this.chunks = [];
    this.size = 0;
    if (this.opts.fileFields.has(headers.name)) {
      if (this.form.files.has(headers.name)) {
        const msg = `${headers.name} was sent more than once; send one file per field`;
        throw new HttpError(400, msg, { fields: { [headers.name]: [msg] } });
      }
      this.kind = 'file';
    } else {
      this.kind = headers.filename !== null ? 'drop' : 'field';
    }
  }

  private take(data: Buffer): void {
    if (!this.part || data.length === 0 || this.kind === 'drop') return;
    this.size += data.length;
    if (this.kind === 'file' && this.size > this.opts.maxFileBytes) {
      const msg = `${this.part.name} is larger than ${formatBytes(this.opts.maxFileBytes)}; send a JPEG, PNG, WebP or TIFF of at most ${formatBytes(this.opts.maxFileBytes)}`;
      throw new FacematchError('IMAGE_TOO_LARGE', msg, { fields: { [this.part.name]: [msg] } });
    }
    if (this.kind === 'field' && this.size > this.opts.maxFieldBytes) {
      const msg = `${this.part.name} is longer than ${formatBytes(this.opts.maxFieldBytes)}`;
      throw new HttpError(400, msg, { fields: { [this.part.name]: [msg] } });
    }
    // Copy: `data` is a view into a buffer that is about to be reused or concatenated.
    this.chunks.push(Buffer.from(data));
  }

  private endPart(): void {
    const part = this.part;
    if (!part) return;
    if (this.kind === 'file') {
      this.form.files.set(part.name, {
        field: part.name,
        filename: part.filename,
        contentType: part.contentType,
        bytes: Buffer.concat(this.chunks, this.size),
      });
    } else if (this.kind === 'field') {
      let value: string;
      try {
        value = utf8.decode(Buffer.concat(this.chunks, this.size));
      } catch {
        const msg = `${part.name} is not valid UTF-8 text`;
        throw new HttpError(400, msg, { fields: { [part.name]: [msg] } });
      }
      this.form.fields.set(part.name, value);
    }
    this.part = null;
    this.chunks = [];
    this.size = 0;
  }
}

/** The boundary of a multipart/form-data request; 415 for other types, 400 without a boundary. */
export function multipartBoundary(contentType: string | undefined): string {
  const type = mediaType(contentType);
  if (type !== 'multipart/form-data') {
    throw new HttpError(415, type ? `unsupported Content-Type '${type}': send the images as multipart/form-data` : 'missing Content-Type: send the images as multipart/form-data');
  }
  const boundary = mediaParam(contentType, 'boundary');
  if (!boundary) throw new HttpError(400, 'multipart/form-data without a boundary parameter in Content-Type');
  if (boundary.length > 70 || /[\r\n]/.test(boundary)) throw new HttpError(400, 'the multipart boundary is invalid (1 to 70 characters)');
  return boundary;
}

/** The documented limit is per image; the whole-request cap only makes room for two of them. */
export function uploadTooLarge(maxTotalBytes: number, maxFileBytes: number): HttpError {
  return new HttpError(413, `the upload is larger than a request may carry: each image may be at most ${formatBytes(maxFileBytes)} (JPEG, PNG, WebP or TIFF), and a whole request at most ${formatBytes(maxTotalBytes)}`);
}

export async function readMultipart(req: IncomingMessage, opts: MultipartOptions): Promise<MultipartForm> {
  const boundary = multipartBoundary(req.headers['content-type']);
  const declared = declaredLength(req);
  if (declared !== null && declared > opts.maxTotalBytes) throw uploadTooLarge(opts.maxTotalBytes, opts.maxFileBytes);
  const parser = new MultipartParser(boundary, opts);
  let total = 0;
  await consume(req, (chunk) => {
    total += chunk.length;
    if (total > opts.maxTotalBytes) throw uploadTooLarge(opts.maxTotalBytes, opts.maxFileBytes);
    parser.push(chunk);
  });
  return parser.finish();
}
