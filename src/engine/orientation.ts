// Which way up the face is: each rotation of the photo is read (detector and landmarks, no
// embedding) and judged on its own evidence of an upright face, never on how well it
// matches anything; the photo as sent is kept unless a rotation reads clearly more upright.

/**
 * Evidence that a face is upright in the frame it was read in: the detector's score less ten
 * times the landmark model's mirror disagreement. The landmark model puts eyes above nose
 * above mouth at every rotation (it regresses towards its mean face), so the points' order
 * says nothing; but on an upright face its reading of the crop and of the mirrored crop
 * agree (median 0.7% of the crop side on LFW dev), and on a face at 90/180/270 they do not
 * (1.2% at the least). Measured on 500 LFW dev photos at the four rotations: the upright
 * reading scores highest on every one, by 0.05 at the least; the embedder's norm, used
 * before, ranked a rotation above the upright face on 4 of them.
 */
export function uprightness(detScore: number, flipErr: number): number {
  return detScore - 10 * flipErr;
}

/** How much more upright (see uprightness) a rotation must read than the photo as sent to be chosen. */
export const ROTATION_MARGIN = 0.02;

export type Rotation = 90 | 180 | 270;

/** What orientation needs of a reading of the face. */
export interface Reading {
  angle: number;
  /** See uprightness. */
  upright: number;
}

/**
 * The reading to keep: `asSent` (the photo as sent), or the most upright of the three
 * rotations when it reads more upright by ROTATION_MARGIN. `read(angle, embed)` measures
 * the face at a rotation; only the rotation chosen is embedded (when `embed`).
 */
export async function chooseOrientation<R extends Reading>(o: { asSent: R | null; embed: boolean; read: (angle: Rotation, embed: boolean) => Promise<R | null> }): Promise<R | null> {
  let pick: R | null = null;
  for (const angle of [90, 180, 270] as const) {
    const r = await o.read(angle, false);
    if (r && (!pick || r.upright > pick.upright)) pick = r;
  }
  if (pick && (!o.asSent || pick.upright > o.asSent.upright + ROTATION_MARGIN)) {
    return o.embed ? o.read(pick.angle as Rotation, true) : pick;
  }
  return o.asSent;
}
