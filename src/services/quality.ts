// The capture page's photo check before submission: the engine's own quality signals for one
// image (FaceEngine.assess) and its plain-words issues. Advisory only: nothing is stored and
// a user may still submit a photo the check did not like.
import type { ImageQuality } from '../engine/index.js';
import { FacematchError } from '../errors.js';
import type { ServiceContext } from './context.js';
import { sniffImageType } from './context.js';

export type { ImageQuality, QualityIssue } from '../engine/index.js';

export type PhotoPurpose = 'selfie' | 'reference';

export type PhotoCheck =
  | { checked: true; ok: boolean; advice: string[]; quality: ImageQuality }
  | { checked: false; ok: true; advice: string[]; reason: string };

export interface Quality {
  /** Checks one photo; throws IMAGE_* errors for bytes that are not a usable image. */
  check(image: Buffer, purpose: PhotoPurpose): Promise<PhotoCheck>;
}

interface Assessor {
  assess(image: Buffer, label?: string): Promise<ImageQuality>;
}

// Why: a sandbox may run with an injected matcher (tests, other engines) that has no quality
// check; the page then says so and lets the user go on.
function canAssess(engine: unknown): engine is Assessor {
  return typeof (engine as Partial<Assessor> | null)?.assess === 'function';
}

/** The engine's image labels; its messages then say "selfie" / "reference photo". */
const LABEL: Record<PhotoPurpose, string> = { selfie: 'user_image', reference: 'ref_image' };

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
        return { checked: false, ok: true, advice: [], reason: 'This engine has no photo quality check.' };
      }
      const quality = await engine.assess(image, LABEL[purpose]);
      const advice = [...new Set(quality.issues.map((i) => i.message))];
      return { checked: true, ok: quality.issues.length === 0, advice, quality };
    },
  };
}
