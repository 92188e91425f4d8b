// The face store: one row per kept face (its unit embedding as float32, its owner: a session or
// a list entry) and the search over them. Search is an exact scan of the application's faces
// held in memory as one Float32Array; the index is appended to when faces were added and
// reloaded when any was deleted, as counted by face_index_state (triggers), so a face deleted
// by another process on the same file is out of the next search. The scan is face-scan.ts's
// onnxruntime one; measured in `bench --search-only`.
import { EMBED_DIM } from '../engine/embed.js';
import { newId, type ServiceContext } from './context.js';
import { OrtScanner } from './face-scan.js';

/** What a face is in its owner: a session's selfie or reference, or a list entry's face. */
export type FaceRole = 'selfie' | 'reference' | 'list_entry';

export type FaceOwner = { sessionId: string } | { entryId: string };

export interface FaceHit {
  faceId: string;
  cosine: number;
}

export interface FaceStore {
  /** Stores one face inside the caller's transaction; returns its id. */
  put(applicationId: string, owner: FaceOwner, role: FaceRole, embedding: Float32Array, mediaId: string | null): string;
  /** The newest stored face of a session (the selfie before a reference), or null. */
  sessionFace(applicationId: string, sessionId: string): { embedding: Float32Array; mediaId: string | null } | null;
  /** Faces of the application with cosine >= floor, best first, at most `limit`. */
  search(applicationId: string, query: Float32Array, opts: { floor: number; limit: number }): Promise<FaceHit[]>;
  /** Faces of the application (for status and tests). */
  count(applicationId: string): number;
}

interface AppIndex {
  inserted: number;
  deleted: number;
  maxRowid: number;
  n: number;
  ids: string[];
  vecs: Float32Array;
}

const INITIAL_CAPACITY = 1024;

function toBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function fromBlob(b: Buffer): Float32Array {
  // Copied: the row's buffer is not guaranteed to be 4-byte aligned.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function createFaceStore(ctx: ServiceContext): FaceStore {
  const { db } = ctx;
  const cache = new Map<string, AppIndex>();
  const scanner = new OrtScanner();
  const insert = db.prepare(
    'INSERT INTO faces (id, application_id, session_id, entry_id, role, media_id, embedding, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const state = db.prepare<[string], { inserted: number; deleted: number }>('SELECT inserted, deleted FROM face_index_state WHERE application_id = ?');
  const rowsAfter = db.prepare<[string, number], { rowid: number; id: string; embedding: Buffer }>(
    'SELECT rowid, id, embedding FROM faces WHERE application_id = ? AND rowid > ? ORDER BY rowid',
  );

  function grow(ix: AppIndex, need: number): void {
    if (need * EMBED_DIM <= ix.vecs.length) return;
    let cap = Math.max(INITIAL_CAPACITY, ix.vecs.length / EMBED_DIM);
    while (cap < need) cap *= 2;
    const next = new Float32Array(cap * EMBED_DIM);
    next.set(ix.vecs.subarray(0, ix.n * EMBED_DIM));
    ix.vecs = next;
  }

  /** The application's index, brought up to date with the database. */
  function indexOf(applicationId: string): AppIndex {
    const st = state.get(applicationId) ?? { inserted: 0, deleted: 0 };
    let ix = cache.get(applicationId);
    if (!ix || ix.deleted !== st.deleted) {
      ix = { inserted: 0, deleted: st.deleted, maxRowid: 0, n: 0, ids: [], vecs: new Float32Array(0) };
      cache.set(applicationId, ix);
    }
    if (ix.inserted !== st.inserted) {
      for (const r of rowsAfter.iterate(applicationId, ix.maxRowid)) {
        grow(ix, ix.n + 1);
        ix.vecs.set(fromBlob(r.embedding), ix.n * EMBED_DIM);
        ix.ids.push(r.id);
        ix.n++;
        ix.maxRowid = r.rowid;
      }
      ix.inserted = st.inserted;
    }
    return ix;
  }

  return {
    put(applicationId, owner, role, embedding, mediaId) {
      if (embedding.length !== EMBED_DIM) throw new Error(`a face embedding has ${EMBED_DIM} values, not ${embedding.length}`);
      const id = newId();
      insert.run(
        id,
        applicationId,
        'sessionId' in owner ? owner.sessionId : null,
        'entryId' in owner ? owner.entryId : null,
        role,
        mediaId,
        toBlob(embedding),
        ctx.now(),
      );
      return id;
    },

    sessionFace(applicationId, sessionId) {
      const row = db
        .prepare<[string, string], { embedding: Buffer; media_id: string | null }>(
          "SELECT embedding, media_id FROM faces WHERE application_id = ? AND session_id = ? ORDER BY role = 'selfie' DESC, rowid DESC LIMIT 1",
        )
        .get(applicationId, sessionId);
      return row ? { embedding: fromBlob(row.embedding), mediaId: row.media_id } : null;
    },

    async search(applicationId, query, opts) {
      const ix = indexOf(applicationId);
      // The ids are read now: a reload during the scan replaces ix.vecs and ix.ids together.
      const ids = ix.ids;
      const hits = await scanner.scan(ix.vecs, ix.n, query, opts.floor, opts.limit);
      return hits.map((h) => ({ faceId: ids[h.row]!, cosine: h.cosine }));
    },

    count(applicationId) {
      return (db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM faces WHERE application_id = ?').get(applicationId) ?? { n: 0 }).n;
    },
  };
}
