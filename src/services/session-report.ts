// The session PDF report (GET /v3/session/{id}/generate-pdf), drawn with pdf-lib: the session's
// identity, status, each face-match and liveness result with its warnings, the review history,
// and the compared images when they are JPEG or PNG.
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { SessionShared } from './session-shared.js';
import type { AppContext } from './types.js';

export interface SessionReport {
  /** PDF bytes of the session's verification report. */
  sessionPdf(app: AppContext, sessionId: string): Promise<Buffer>;
}

/** The standard fonts only encode WinAnsi: anything else is shown as '?'. */
const printable = (v: unknown): string => String(v ?? '-').replace(/[^\x20-\x7e]/g, '?');

export function createSessionReport(s: SessionShared): SessionReport {
  const { db } = s.ctx;
  const mediaBytes = db.prepare<[string], { bytes: Buffer; content_type: string }>('SELECT bytes, content_type FROM media WHERE id = ?');

  return {
    async sessionPdf(app, sessionId) {
      const row = s.owned(app, sessionId);
      const d = s.view.toDecision(row);
      const faceIds = db
        .prepare<[string], { id: string; role: string; content_type: string }>("SELECT id, role, content_type FROM media WHERE session_id = ? ORDER BY created_at DESC")
        .all(row.id);

      const pdf = await PDFDocument.create();
      pdf.setTitle(`Verification report ${row.id}`);
      pdf.setProducer('facematch-mcp sandbox');
      pdf.setCreationDate(new Date(s.ctx.now()));
      const font = await pdf.embedFont(StandardFonts.Helvetica);
      const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
      let page: PDFPage = pdf.addPage([595, 842]);
      let y = 800;
      const line = (text: string, f: PDFFont = font, size = 10): void => {
        if (y < 60) {
          page = pdf.addPage([595, 842]);
          y = 800;
        }
        page.drawText(printable(text).slice(0, 110), { x: 50, y, size, font: f, color: rgb(0.1, 0.1, 0.1) });
        y -= size + 6;
      };

      line('Verification session report', bold, 16);
      line('Sandbox environment: generated locally by facematch-mcp, not by the hosted platform.', font, 8);
      y -= 6;
      line(`Session ID: ${d.session_id}`);
      line(`Session number: ${d.session_number}`);
      line(`Status: ${d.status}`, bold, 12);
      line(`Workflow: ${d.workflow_id ?? 'standalone face match'} (version ${d.workflow_version ?? '-'})`);
      line(`Features: ${d.features.join(', ')}`);
      line(`Vendor data: ${d.vendor_data ?? '-'}`);
      line(`Created: ${d.created_at}   Updated: ${d.updated_at}`);
      y -= 6;
      line('Face match', bold, 12);
      if (!d.face_matches) line('No face match result yet.');
      for (const m of d.face_matches ?? []) {
        line(`${m.node_id}: ${m.status}, score ${m.score === null ? 'not computed' : m.score}`);
        for (const w of m.warnings) line(`  ${w.risk} (${w.log_type}): ${w.short_description}`);
      }
      if (d.liveness_checks) {
        y -= 6;
        line('Liveness', bold, 12);
        for (const l of d.liveness_checks) {
          line(`${l.node_id}: ${l.status}, method ${l.method}, score ${l.score ?? '-'}, estimated age ${l.age_estimation ?? '-'}`);
          for (const w of l.warnings) line(`  ${w.risk} (${w.log_type}): ${w.short_description}`);
        }
      }
      y -= 6;
      line('Reviews', bold, 12);
      if (d.reviews.length === 0) line('No reviews.');
      for (const r of d.reviews) line(`${r.created_at} ${r.action}: ${r.old_status ?? '-'} -> ${r.new_status ?? '-'} ${r.note ? `"${r.note}"` : ''}`);

      // The compared images, newest selfie and reference, side by side.
      const pick = ['selfie', 'reference', 'portrait'].map((role) => faceIds.find((m) => m.role === role)).filter((m) => m !== undefined);
      let x = 50;
      if (pick.length && y > 240) {
        for (const m of pick.slice(0, 2)) {
          const bytes = mediaBytes.get(m.id)?.bytes;
          if (!bytes) continue;
          const img = m.content_type === 'image/jpeg' ? await pdf.embedJpg(bytes) : m.content_type === 'image/png' ? await pdf.embedPng(bytes) : null;
          if (!img) continue;
          const scaled = img.scaleToFit(220, 180);
          page.drawImage(img, { x, y: y - scaled.height - 10, width: scaled.width, height: scaled.height });
          page.drawText(m.role, { x, y: y - scaled.height - 24, size: 8, font });
          x += 250;
        }
      }
      return Buffer.from(await pdf.save());
    },
  };
}
