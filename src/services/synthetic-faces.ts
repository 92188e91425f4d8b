// Synthetic faces for the face search benchmark: bare face_match sessions holding one face
// each, written straight into a throwaway sandbox so the store's costs (bulk load, one more
// face, the index reload after a delete) can be measured without images or the models.
import type { ServiceContext } from './context.js';
import type { FaceStore } from './face-store.js';

export interface SyntheticFaces {
  /** Sessions `${prefix}${i}` with face `f${prefix}${i}`, i from 0, in one transaction; `dim` floats per face. */
  bulkInsert(applicationId: string, prefix: string, vectors: Float32Array, count: number, dim: number): void;
  /** One more session `id` whose face goes through the face store (as a real match stores it). */
  addOne(applicationId: string, id: string, embedding: Float32Array): void;
  /** Deletes a synthetic session and its face. */
  remove(id: string): void;
}

export function createSyntheticFaces(ctx: ServiceContext, faces: Pick<FaceStore, 'put'>): SyntheticFaces {
  const { db } = ctx;
  const session = db.prepare(
    "INSERT INTO sessions (id, application_id, kind, session_number, status, attempts, created_at, updated_at) VALUES (?, ?, 'face_match', (SELECT COALESCE(MAX(session_number), 0) + 1 FROM sessions WHERE application_id = ?), 'Approved', 1, 0, 0)",
  );
  const face = db.prepare("INSERT INTO faces (id, application_id, session_id, role, embedding, created_at) VALUES (?, ?, ?, 'selfie', ?, 0)");
  return {
    bulkInsert(applicationId, prefix, vectors, count, dim) {
      db.transaction(() => {
        for (let i = 0; i < count; i++) {
          session.run(`${prefix}${i}`, applicationId, applicationId);
          face.run(`f${prefix}${i}`, applicationId, `${prefix}${i}`, Buffer.from(vectors.buffer, vectors.byteOffset + i * dim * 4, dim * 4));
        }
      })();
    },
    addOne(applicationId, id, embedding) {
      db.transaction(() => {
        session.run(id, applicationId, applicationId);
        faces.put(applicationId, { sessionId: id }, 'selfie', embedding, null);
      }).immediate();
    },
    remove(id) {
      db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
    },
  };
}
