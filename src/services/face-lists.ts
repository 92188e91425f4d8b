// Lists (/v3/lists/) and their entries, with what faces add: an entry of a face list holds a
// face (uploaded as base64, or copied from a session's kept face by reference_session_id),
// stored in the face store and deleted with the entry. Every application has one system
// blocklist per entry type (created on first use; it cannot be created, renamed or deleted);
// callers create allowlists and custom lists. POST /v3/blocklist/add/ and /remove/ act on the
// system face blocklist by session.
import { z } from 'zod';
import { decodeBase64 } from '../base64.js';
import { FacematchError } from '../errors.js';
import { fieldError, iso, newId, parseJsonColumn, validate, type ServiceContext } from './context.js';
import type { FaceStore } from './face-store.js';
import type { Media, MediaInternals } from './media.js';
import type { AppContext } from './types.js';
import { ENTRY_TYPES, LIST_TYPES, type EntryType, type ListBody, type ListEntryBody, type ListType } from '../contract/index.js';

/** Decoded face-upload images above this are refused (the platform's documented limit). */
export const FACE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024;

export interface FaceLists {
  list(app: AppContext, q: { list_type?: string; entry_type?: string; limit: number; offset: number }): { count: number; results: ListBody[] };
  create(app: AppContext, input: unknown): ListBody;
  get(app: AppContext, listId: string): ListBody;
  update(app: AppContext, listId: string, input: unknown): ListBody;
  remove(app: AppContext, listId: string): void;
  entries(app: AppContext, listId: string, q: { search?: string; limit: number; offset: number }): { count: number; results: ListEntryBody[] };
  addEntry(app: AppContext, listId: string, input: unknown): ListEntryBody;
  uploadFace(app: AppContext, listId: string, input: unknown): Promise<ListEntryBody>;
  removeEntry(app: AppContext, listId: string, entryId: string): void;
  blocklistAdd(app: AppContext, input: unknown): { message: string };
  blocklistRemove(app: AppContext, input: unknown): { message: string };
}

interface ListRow {
  id: string;
  application_id: string;
  name: string;
  description: string;
  list_type: ListType;
  entry_type: EntryType;
  is_system: number;
  created_at: number;
  updated_at: number;
}

interface EntryRow {
  id: string;
  list_id: string;
  value: string;
  display_label: string;
  comment: string;
  added_by: string;
  reference_session_id: string | null;
  reference_object_uuid: string | null;
  metadata: string | null;
  media_id: string | null;
  created_at: number;
}

const text = (field: string, max: number) => z.string({ error: `${field} must be a string.` }).max(max, { error: `${field} must be at most ${max} characters.` });

const CreateList = z.strictObject({
  name: text('name', 200).trim().min(1, { error: 'name must not be empty.' }),
  description: text('description', 2000).optional(),
  list_type: z.string({ error: 'list_type is required: allowlist or custom.' }),
  entry_type: z.enum(ENTRY_TYPES, { error: `entry_type must be one of: ${ENTRY_TYPES.join(', ')}.` }),
});

const UpdateList = z.strictObject({
  name: text('name', 200).trim().min(1, { error: 'name must not be empty.' }).optional(),
  description: text('description', 2000).optional(),
});

const CreateEntry = z.strictObject({
  value: text('value', 1000).optional(),
  reference_session_id: text('reference_session_id', 200).optional(),
  reference_object_uuid: text('reference_object_uuid', 200).optional(),
  display_label: text('display_label', 200).optional(),
  comment: text('comment', 2000).optional(),
  metadata: z.record(z.string(), z.unknown(), { error: 'metadata must be a JSON object.' }).optional(),
});

const UploadFace = z.strictObject({
  image: z.string({ error: 'image is required: the face photo as base64 (JPEG, PNG or WebP).' }),
  display_label: text('display_label', 200).optional(),
  comment: text('comment', 2000).optional(),
});

const flag = (name: string) => z.boolean({ error: `${name} must be true or false.` }).optional();
const BlocklistAdd = z.object({
  session_id: z.string({ error: 'session_id is required.' }).min(1, { error: 'session_id is required.' }),
  blocklist_face: flag('blocklist_face'),
  blocklist_document: flag('blocklist_document'),
  blocklist_phone: flag('blocklist_phone'),
  blocklist_email: flag('blocklist_email'),
});
const BlocklistRemove = z.object({
  session_id: z.string({ error: 'session_id is required.' }).min(1, { error: 'session_id is required.' }),
  unblock_face: flag('unblock_face'),
  unblock_document: flag('unblock_document'),
  unblock_phone: flag('unblock_phone'),
  unblock_email: flag('unblock_email'),
});

function systemName(t: EntryType): string {
  return `${t.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())} Blocklist`;
}

export function createFaceLists(ctx: ServiceContext, deps: { faces: FaceStore; media: Media & MediaInternals }): FaceLists {
  const { db } = ctx;
  const { faces, media } = deps;

  /** The application's system blocklists, one per entry type, made on first use. */
  function ensureSystem(app: AppContext): void {
    const have = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM lists WHERE application_id = ? AND is_system = 1').get(app.applicationId)!.n;
    if (have >= ENTRY_TYPES.length) return;
    const ins = db.prepare(
      "INSERT OR IGNORE INTO lists (id, application_id, name, description, list_type, entry_type, is_system, created_at, updated_at) VALUES (?, ?, ?, '', 'blocklist', ?, 1, ?, ?)",
    );
    db.transaction(() => {
      const now = ctx.now();
      for (const t of ENTRY_TYPES) {
        const exists = db.prepare<[string, string], { id: string }>("SELECT id FROM lists WHERE application_id = ? AND is_system = 1 AND entry_type = ?").get(app.applicationId, t);
        if (!exists) ins.run(newId(), app.applicationId, systemName(t), t, now, now);
      }
    }).immediate();
  }

  function listRow(app: AppContext, listId: string): ListRow {
    ensureSystem(app);
    const row = typeof listId === 'string' ? db.prepare<[string, string], ListRow>('SELECT * FROM lists WHERE id = ? AND application_id = ?').get(listId, app.applicationId) : undefined;
    if (!row) throw new FacematchError('NOT_FOUND', `List ${String(listId)} not found; list the application's lists with GET /v3/lists/.`);
    return row;
  }

  function toList(row: ListRow): ListBody {
    const stats = db
      .prepare<[string], { n: number; last: number | null }>('SELECT COUNT(*) AS n, MAX(created_at) AS last FROM list_entries WHERE list_id = ?')
      .get(row.id)!;
    return {
      uuid: row.id,
      name: row.name,
      description: row.description,
      list_type: row.list_type,
      entry_type: row.entry_type,
      is_system: row.is_system === 1,
      entry_count: stats.n,
      last_entry_added_at: stats.last === null ? null : iso(stats.last),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  function toEntry(row: EntryRow): ListEntryBody {
    const ref = row.reference_session_id
      ? db.prepare<[string], { session_number: number }>('SELECT session_number FROM sessions WHERE id = ?').get(row.reference_session_id)
      : undefined;
    const meta = parseJsonColumn<Record<string, unknown>>(row.metadata);
    return {
      uuid: row.id,
      value: row.value,
      display_label: row.display_label,
      comment: row.comment,
      added_by: row.added_by,
      reference_session_id: row.reference_session_id,
      reference_session_number: ref?.session_number ?? null,
      reference_object_uuid: row.reference_object_uuid,
      metadata: row.media_id ? { ...(meta ?? {}), reference_image_url: media.signedUrl(row.media_id) } : meta,
      created_at: iso(row.created_at),
    };
  }

  function entryRow(list: ListRow, entryId: string): EntryRow {
    const row = typeof entryId === 'string' ? db.prepare<[string, string], EntryRow>('SELECT * FROM list_entries WHERE id = ? AND list_id = ?').get(entryId, list.id) : undefined;
    if (!row) throw new FacematchError('NOT_FOUND', `Entry ${String(entryId)} not found in list ${list.id}; list its entries with GET /v3/lists/${list.id}/entries/.`);
    return row;
  }

  function insertEntry(
    list: ListRow,
    e: { id?: string; value: string; display_label?: string; comment?: string; added_by: string; reference_session_id?: string | null; reference_object_uuid?: string | null; metadata?: Record<string, unknown> | null; media_id?: string | null },
  ): EntryRow {
    const id = e.id ?? newId();
    db.prepare(
      `INSERT INTO list_entries (id, list_id, application_id, value, display_label, comment, added_by, reference_session_id, reference_object_uuid, metadata, media_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      list.id,
      list.application_id,
      e.value,
      e.display_label ?? '',
      e.comment ?? '',
      e.added_by,
      e.reference_session_id ?? null,
      e.reference_object_uuid ?? null,
      e.metadata ? JSON.stringify(e.metadata) : null,
      e.media_id ?? null,
      ctx.now(),
    );
    return db.prepare<[string], EntryRow>('SELECT * FROM list_entries WHERE id = ?').get(id)!;
  }

  /** A face entry copied from a session's kept face (the entry owns its own copy). */
  function faceEntryFromSession(app: AppContext, list: ListRow, sessionId: string, extra: { display_label?: string; comment?: string; metadata?: Record<string, unknown>; added_by: string }): EntryRow {
    const session = db.prepare<[string, string], { id: string }>('SELECT id FROM sessions WHERE id = ? AND application_id = ?').get(sessionId, app.applicationId);
    if (!session) throw fieldError('reference_session_id', `session ${sessionId} not found in this application.`);
    const face = faces.sessionFace(app.applicationId, sessionId);
    if (!face) throw fieldError('reference_session_id', `session ${sessionId} has no face yet (no selfie with a detected face was submitted), so there is nothing to add to a face list.`);
    return db
      .transaction(() => {
        const entryId = newId();
        const bytes = face.mediaId ? db.prepare<[string], { bytes: Buffer }>('SELECT bytes FROM media WHERE id = ?').get(face.mediaId)?.bytes : undefined;
        const mediaId = bytes ? media.put(app.applicationId, null, 'list_entry', bytes) : null;
        const faceId = faces.put(app.applicationId, { entryId }, 'list_entry', face.embedding, mediaId);
        return insertEntry(list, {
          id: entryId,
          value: faceId,
          reference_object_uuid: faceId,
          reference_session_id: sessionId,
          media_id: mediaId,
          display_label: extra.display_label,
          comment: extra.comment,
          metadata: extra.metadata ?? null,
          added_by: extra.added_by,
        });
      })
      .immediate();
  }

  return {
    list(app, q) {
      ensureSystem(app);
      if (q.list_type !== undefined && !(LIST_TYPES as readonly string[]).includes(q.list_type)) throw fieldError('list_type', `list_type must be one of: ${LIST_TYPES.join(', ')}.`);
      if (q.entry_type !== undefined && !(ENTRY_TYPES as readonly string[]).includes(q.entry_type)) throw fieldError('entry_type', `entry_type must be one of: ${ENTRY_TYPES.join(', ')}.`);
      const where = 'application_id = @app AND (@lt IS NULL OR list_type = @lt) AND (@et IS NULL OR entry_type = @et)';
      const params = { app: app.applicationId, lt: q.list_type ?? null, et: q.entry_type ?? null };
      const count = db.prepare<typeof params, { n: number }>(`SELECT COUNT(*) AS n FROM lists WHERE ${where}`).get(params)!.n;
      const rows = db
        .prepare<typeof params & { limit: number; offset: number }, ListRow>(`SELECT * FROM lists WHERE ${where} ORDER BY is_system DESC, created_at, name LIMIT @limit OFFSET @offset`)
        .all({ ...params, limit: q.limit, offset: q.offset });
      return { count, results: rows.map(toList) };
    },

    create(app, input) {
      ensureSystem(app);
      const body = validate(CreateList, input, 'list');
      if (body.list_type === 'blocklist') {
        throw fieldError('list_type', 'blocklists cannot be created: every application has one system blocklist per entry type (find it with GET /v3/lists/?list_type=blocklist). Create an allowlist or custom list.');
      }
      if (body.list_type !== 'allowlist' && body.list_type !== 'custom') throw fieldError('list_type', 'list_type must be allowlist or custom.');
      if (db.prepare<[string, string], { id: string }>('SELECT id FROM lists WHERE application_id = ? AND name = ?').get(app.applicationId, body.name)) {
        throw fieldError('name', `a list named '${body.name}' already exists in this application; names are unique per application.`);
      }
      const id = newId();
      const now = ctx.now();
      db.prepare('INSERT INTO lists (id, application_id, name, description, list_type, entry_type, is_system, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)').run(
        id,
        app.applicationId,
        body.name,
        body.description ?? '',
        body.list_type,
        body.entry_type,
        now,
        now,
      );
      return toList(listRow(app, id));
    },

    get(app, listId) {
      return toList(listRow(app, listId));
    },

    update(app, listId, input) {
      const row = listRow(app, listId);
      if (row.is_system) throw new FacematchError('FORBIDDEN', 'System blocklists cannot be renamed or edited.');
      const body = validate(UpdateList, input, 'list update');
      if (body.name !== undefined && body.name !== row.name && db.prepare<[string, string], { id: string }>('SELECT id FROM lists WHERE application_id = ? AND name = ?').get(app.applicationId, body.name)) {
        throw fieldError('name', `a list named '${body.name}' already exists in this application.`);
      }
      db.prepare('UPDATE lists SET name = ?, description = ?, updated_at = ? WHERE id = ?').run(body.name ?? row.name, body.description ?? row.description, ctx.now(), row.id);
      return toList(listRow(app, row.id));
    },

    remove(app, listId) {
      const row = listRow(app, listId);
      if (row.is_system) throw new FacematchError('FORBIDDEN', 'System blocklists cannot be deleted; delete their entries instead.');
      // Triggers take the entries, their faces and images with the list.
      db.transaction(() => db.prepare('DELETE FROM lists WHERE id = ?').run(row.id)).immediate();
    },

    entries(app, listId, q) {
      const row = listRow(app, listId);
      const search = q.search?.trim() ? `%${q.search.trim().toLowerCase()}%` : null;
      const where = 'list_id = @list AND (@s IS NULL OR lower(value) LIKE @s OR lower(display_label) LIKE @s)';
      const params = { list: row.id, s: search };
      const count = db.prepare<typeof params, { n: number }>(`SELECT COUNT(*) AS n FROM list_entries WHERE ${where}`).get(params)!.n;
      const rows = db
        .prepare<typeof params & { limit: number; offset: number }, EntryRow>(`SELECT * FROM list_entries WHERE ${where} ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset`)
        .all({ ...params, limit: q.limit, offset: q.offset });
      return { count, results: rows.map(toEntry) };
    },

    addEntry(app, listId, input) {
      const list = listRow(app, listId);
      const body = validate(CreateEntry, input, 'list entry');
      if (list.entry_type === 'face') {
        if (!body.reference_session_id) {
          throw fieldError('reference_session_id', 'a face list entry needs reference_session_id (a session with a selfie); to add a photo without a session use POST /v3/lists/{list_uuid}/entries/face-upload/.');
        }
        return toEntry(faceEntryFromSession(app, list, body.reference_session_id, { ...body, added_by: 'api' }));
      }
      if (body.reference_session_id) {
        throw fieldError('reference_session_id', `this sandbox's sessions hold no ${list.entry_type} data to extract; send value instead.`);
      }
      const value = body.value?.trim();
      if (!value) throw fieldError('value', 'value is required (or reference_session_id for a face list).');
      const normalised = list.entry_type === 'country' ? value.toUpperCase() : value.toLowerCase();
      return toEntry(
        db
          .transaction(() =>
            insertEntry(list, {
              value: normalised,
              display_label: body.display_label,
              comment: body.comment,
              added_by: 'api',
              reference_object_uuid: body.reference_object_uuid ?? null,
              metadata: body.metadata ?? null,
            }),
          )
          .immediate(),
      );
    },

    async uploadFace(app, listId, input) {
      const list = listRow(app, listId);
      if (list.entry_type !== 'face' || (list.list_type !== 'blocklist' && list.list_type !== 'allowlist')) {
        throw fieldError('list_uuid', `face upload needs a face blocklist or allowlist; list ${list.id} is a ${list.list_type} of ${list.entry_type} entries.`);
      }
      const body = validate(UploadFace, input, 'face upload');
      const decoded = decodeBase64(body.image.replace(/^data:[^,]*,/, ''), FACE_UPLOAD_MAX_BYTES);
      if (!decoded.ok) {
        throw fieldError(
          'image',
          decoded.problem === 'too_large'
            ? `the decoded image is larger than ${FACE_UPLOAD_MAX_BYTES / 1024 / 1024} MB; send a smaller photo.`
            : decoded.problem === 'empty'
              ? 'image is empty.'
              : 'image is not valid base64.',
        );
      }
      const engine = await ctx.engine();
      const report = await engine.single(decoded.bytes, { rotateImage: false });
      if (!report.embedding || report.user_image.entities.length === 0) {
        throw fieldError('image', 'No face detected in the image; send a photo with one clearly visible face.');
      }
      const embedding = report.embedding;
      const row = db
        .transaction(() => {
          const fresh = listRow(app, list.id);
          const entryId = newId();
          const mediaId = media.put(app.applicationId, null, 'list_entry', decoded.bytes);
          const faceId = faces.put(app.applicationId, { entryId }, 'list_entry', embedding, mediaId);
          return insertEntry(fresh, {
            id: entryId,
            value: faceId,
            reference_object_uuid: faceId,
            media_id: mediaId,
            display_label: body.display_label,
            comment: body.comment,
            added_by: 'api',
          });
        })
        .immediate();
      return toEntry(row);
    },

    removeEntry(app, listId, entryId) {
      const list = listRow(app, listId);
      const row = entryRow(list, entryId);
      // The trigger deletes the entry's face and image with it.
      db.transaction(() => db.prepare('DELETE FROM list_entries WHERE id = ?').run(row.id)).immediate();
    },

    blocklistAdd(app, input) {
      const body = validate(BlocklistAdd, input, 'blocklist request');
      const session = db.prepare<[string, string], { id: string }>('SELECT id FROM sessions WHERE id = ? AND application_id = ?').get(body.session_id, app.applicationId);
      if (!session) throw new FacematchError('NOT_FOUND', `Session ${body.session_id} not found.`);
      if (body.blocklist_face) {
        ensureSystem(app);
        const list = db.prepare<[string], ListRow>("SELECT * FROM lists WHERE application_id = ? AND is_system = 1 AND entry_type = 'face'").get(app.applicationId)!;
        const already = db.prepare<[string, string], { id: string }>('SELECT id FROM list_entries WHERE list_id = ? AND reference_session_id = ?').get(list.id, body.session_id);
        if (!already) faceEntryFromSession(app, list, body.session_id, { added_by: 'api' });
      }
      // Documents, phones and emails: the sandbox's sessions collect none, so there is nothing to add.
      return { message: 'Successfully updated blocklist.' };
    },

    blocklistRemove(app, input) {
      const body = validate(BlocklistRemove, input, 'blocklist request');
      const session = db.prepare<[string, string], { id: string }>('SELECT id FROM sessions WHERE id = ? AND application_id = ?').get(body.session_id, app.applicationId);
      if (!session) throw new FacematchError('NOT_FOUND', `Session ${body.session_id} not found.`);
      if (body.unblock_face) {
        db.transaction(() =>
          db
            .prepare("DELETE FROM list_entries WHERE reference_session_id = ? AND list_id IN (SELECT id FROM lists WHERE application_id = ? AND list_type = 'blocklist' AND entry_type = 'face')")
            .run(body.session_id, app.applicationId),
        ).immediate();
      }
      return { message: 'Successfully removed from blocklist.' };
    },
  };
}
