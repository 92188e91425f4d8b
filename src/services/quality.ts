// The capture page's photo check before submission: the engine's own quality signals for one
// image, plus the plain-words advice the page shows. Advisory only: nothing is stored and a
// user may submit a photo the check did not like.
import { FacematchError } from '../errors.js';
import type { ServiceContext } from './context.js';
import { sniffImageType } from './context.js';

export interface QualityIssue {
  code: string;
  message: string;
}

/** What `FaceEngine.assess(image)` reports (the engine owns the measurement and the codes). */
export interface ImageQuality {
  face_found: boolean;
  face_count: number;
  face_bbox: [number, number, number, number] | null;
  face_size_px: number | null;
  brightness: number;
  contrast: number;
  sharpness: number;
  pose: unknown;
  issues: QualityIssue[];
}

export type PhotoPurpose = 'selfie' | 'reference';

export type PhotoCheck =
  | { checked: true; ok: boolean; advice: string[]; quality: ImageQuality }
  | { checked: false; ok: true; advice: string[]; reason: string };

export interface Quality {
  /** Checks one photo; throws IMAGE_* errors for bytes that are not a usable image. */
  check(image: Buffer, purpose: PhotoPurpose): Promise<PhotoCheck>;
}

interface Assessor {
  assess(image: Buffer): Promise<ImageQuality>;
}

function canAssess(engine: unknown): engine is Assessor {
  return typeof (engine as Partial<Assessor> | null)?.assess === 'function';
}

// Why: the engine's messages are written for developers; the person in front of the camera
// needs to know what to do. Unknown codes fall back to the engine's own sentence.
const ADVICE: Record<PhotoPurpose, Record<string, string>> = {
  selfie: {
    NO_FACE: 'We could not find a face. Look straight at the camera with your whole face in the oval.',
    MULTIPLE_FACES: 'More than one face is in the picture. Make sure only you are in view.',
    FACE_TOO_SMALL: 'Your face is too small. Move closer so your face fills the oval.',
    FACE_TOO_LARGE: 'You are too close. Move back a little so your whole face fits.',
    FACE_CUT_OFF: 'Part of your face is outside the picture. Center your face in the oval.',
    TOO_DARK: 'The photo is too dark. Turn on a light or face a window.',
    TOO_BRIGHT: 'The photo is too bright. Move away from direct light.',
    LOW_CONTRAST: 'The photo is washed out. Avoid strong light behind you.',
    BLURRY: 'The photo is blurry. Hold still and make sure the camera is in focus.',
    POSE: 'Your head is turned. Look straight at the camera.',
  },
  reference: {
    NO_FACE: 'We could not find a face on the ID photo. Show the page with your photo, flat and in focus.',
    MULTIPLE_FACES: 'More than one face is visible. Show only the photo page of your ID.',
    FACE_TOO_SMALL: 'The photo on the ID is too small. Move the camera closer to the document.',
    FACE_TOO_LARGE: 'The document is too close. Move the camera back so the whole photo fits.',
    FACE_CUT_OFF: 'The ID photo is cut off. Keep the whole document in the picture.',
    TOO_DARK: 'The picture is too dark. Add light.',
    TOO_BRIGHT: 'The picture is too bright or has glare. Tilt the document away from the light.',
    LOW_CONTRAST: 'The picture is washed out. Avoid glare on the document.',
    BLURRY: 'The picture is blurry. Hold still and let the camera focus.',
    POSE: 'The ID photo is at an angle. Hold the document flat, facing the camera.',
  },
};

export function adviceFor(issues: readonly QualityIssue[], purpose: PhotoPurpose): string[] {
  const words = ADVICE[purpose];
  const out: string[] = [];
  for (const issue of issues) {
    const sentence = words[issue.code.toUpperCase()] ?? issue.message;
    if (!out.includes(sentence)) out.push(sentence);
  }
  return out;
}

export function createQuality(ctx: ServiceContext): Quality {
  return {
    async check(image, purpose) {
      if (!Buffer.isBuffer(image) || image.length === 0) {
        throw new FacematchError('IMAGE_EMPTY', 'The photo is an empty file.', { fields: { image: ['The photo is an empty file.'] } });
      }
      if (!sniffImageType(image)) {
        const msg = 'The photo is not a JPEG, PNG, WebP or TIFF image.';
        throw new FacematchError('IMAGE_UNSUPPORTED', msg, { fields: { image: [msg] } });
      }
      const engine = await ctx.engine();
      if (!canAssess(engine)) {
        return { checked: false, ok: true, advice: [], reason: 'This engine build has no photo quality check.' };
      }
      const quality = await engine.assess(image);
      return { checked: true, ok: quality.issues.length === 0, advice: adviceFor(quality.issues, purpose), quality };
    },
  };
}
