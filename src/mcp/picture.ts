// The picture face_match returns: both faces side by side (the engine's aligned 112x112 crops,
// or a crop of the detected box when only a box is known) with the score and status on top.

// sharp is imported on first use: it is slow to load and most sessions never draw a picture.
async function sharpModule(): Promise<typeof import('sharp').default> {
  return (await import('sharp')).default;
}

const FACE = 176;
const GAP = 16;
const HEADER = 44;
const FOOTER = 26;
const WIDTH = FACE * 2 + GAP * 3;
const HEIGHT = HEADER + FACE + FOOTER + GAP / 2;

const STATUS_COLOUR: Record<string, string> = {
  Approved: '#1f9d55',
  'In Review': '#d69e2e',
  Declined: '#c53030',
};

export interface PictureFace {
  /** Any image sharp reads (e.g. the aligned 112x112 PNG); null when no face was found. */
  image: Buffer | null;
  label: string;
}

export interface PictureCaption {
  score: number | null;
  status: string;
  detail?: string;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Returns a palette PNG of about 370x250 px (tens of kB). */
export async function composeMatchPicture(faces: [PictureFace, PictureFace], caption: PictureCaption): Promise<Buffer> {
  const sharp = await sharpModule();
  const colour = STATUS_COLOUR[caption.status] ?? '#4a5568';
  const scoreText = caption.score === null ? 'no score' : `score ${caption.score}`;
  const tiles = await Promise.all(
    faces.map(async (f) =>
      f.image
        ? sharp(f.image).resize(FACE, FACE, { fit: 'cover' }).removeAlpha().png().toBuffer()
        : sharp({ create: { width: FACE, height: FACE, channels: 3, background: '#2d3748' } }).png().toBuffer(),
    ),
  );
  const missing = faces
    .map((f, i) =>
      f.image
        ? ''
        : `<text x="${GAP + i * (FACE + GAP) + FACE / 2}" y="${HEADER + FACE / 2 + 6}" text-anchor="middle" font-family="sans-serif" font-size="16" fill="#e2e8f0">no face found</text>`,
    )
    .join('');
  const labels = faces
    .map(
      (f, i) =>
        `<text x="${GAP + i * (FACE + GAP) + FACE / 2}" y="${HEADER + FACE + 19}" text-anchor="middle" font-family="sans-serif" font-size="14" fill="#cbd5e0">${escapeXml(f.label)}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">
<rect x="0" y="0" width="${WIDTH}" height="${HEADER - 6}" fill="${colour}"/>
<text x="${GAP}" y="${HEADER - 17}" font-family="sans-serif" font-size="18" font-weight="bold" fill="#ffffff">${escapeXml(`${caption.status} · ${scoreText}`)}</text>
${caption.detail ? `<text x="${WIDTH - GAP}" y="${HEADER - 18}" text-anchor="end" font-family="sans-serif" font-size="12" fill="#ffffff">${escapeXml(caption.detail)}</text>` : ''}
${missing}${labels}
</svg>`;
  return sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#1a202c' } })
    .composite([
      { input: tiles[0]!, left: GAP, top: HEADER },
      { input: tiles[1]!, left: GAP * 2 + FACE, top: HEADER },
      { input: Buffer.from(svg), left: 0, top: 0 },
    ])
    .png({ palette: true, colours: 64, effort: 2, compressionLevel: 9 })
    .toBuffer();
}

/** A square crop around a detected box of the original photo, for when no aligned crop exists. */
export async function cropFace(image: Buffer, bbox: [number, number, number, number]): Promise<Buffer | null> {
  try {
    const sharp = await sharpModule();
    const meta = await sharp(image).rotate().metadata();
    const W = meta.autoOrient?.width ?? meta.width ?? 0;
    const H = meta.autoOrient?.height ?? meta.height ?? 0;
    const [x1, y1, x2, y2] = bbox;
    const side = Math.max(x2 - x1, y2 - y1) * 1.2;
    const cx = (x1 + x2) / 2;
    const cy = (y1 + y2) / 2;
    const left = Math.max(0, Math.round(cx - side / 2));
    const top = Math.max(0, Math.round(cy - side / 2));
    const width = Math.min(W - left, Math.round(side));
    const height = Math.min(H - top, Math.round(side));
    if (width < 2 || height < 2) return null;
    return await sharp(image).rotate().extract({ left, top, width, height }).png().toBuffer();
  } catch {
    return null;
  }
}
