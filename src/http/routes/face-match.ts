// POST /v3/face-match/ (multipart): user_image + ref_image (aliases source_image, target_image).
// Images are capped while streaming; text fields are passed to the services as strings.
import { HttpError } from '../errors.js';
import { readMultipart, type MultipartForm } from '../multipart.js';
import { json } from '../reply.js';
import { keyRoute, type Route, type RouteContext } from '../router.js';

const FILE_FIELDS = new Set(['user_image', 'ref_image', 'source_image', 'target_image']);
const ONE_IMAGE = new Set(['user_image', 'image']);

/** The image under `name` or its alias; 400 naming the field when missing, empty or doubled. */
export function pickImage(form: MultipartForm, name: string, alias: string): Buffer {
  const main = form.files.get(name);
  const other = form.files.get(alias);
  if (main && other) {
    const msg = `send either ${name} or its alias ${alias}, not both`;
    throw new HttpError(400, msg, { fields: { [name]: [msg] } });
  }
  const file = main ?? other;
  if (!file) {
    const asText = form.fields.has(name) || form.fields.has(alias);
    const msg = asText
      ? `${name} must be an uploaded file (multipart file part), not a text field`
      : `${name} is required: upload a JPEG, PNG, WebP or TIFF image`;
    throw new HttpError(400, msg, { fields: { [name]: [msg] } });
  }
  if (file.bytes.length === 0) {
    const msg = `${file.field} is an empty file`;
    throw new HttpError(400, msg, { fields: { [file.field]: [msg] } });
  }
  return file.bytes;
}

/** Reads an image upload form with the server's caps (per file, per text field, in total). */
export function readImageForm(ctx: RouteContext, fileFields: ReadonlySet<string>): Promise<MultipartForm> {
  return readMultipart(ctx.req, {
    fileFields,
    maxFileBytes: ctx.limits.maxImageBytes,
    maxFieldBytes: ctx.limits.maxFieldBytes,
    maxTotalBytes: ctx.limits.maxMultipartBytes,
  });
}

export const faceMatchRoutes: Route[] = [
  keyRoute('POST', '/v3/face-match/', async (ctx) => {
    const form = await readImageForm(ctx, FILE_FIELDS);
    const userImage = pickImage(form, 'user_image', 'source_image');
    const refImage = pickImage(form, 'ref_image', 'target_image');
    const result = await ctx.sandbox.faceMatch.standalone(ctx.app, {
      userImage,
      refImage,
      // Text fields go as sent: the services parse "40", "true" and JSON metadata themselves.
      declineThreshold: form.fields.get('face_match_score_decline_threshold'),
      rotateImage: form.fields.get('rotate_image'),
      saveApiRequest: form.fields.get('save_api_request'),
      vendorData: form.fields.get('vendor_data'),
      metadata: form.fields.get('metadata'),
    });
    return json(200, result);
  }),
  ...(['passive-liveness', 'age-estimation'] as const).map((name) =>
    keyRoute('POST', `/v3/${name}/`, async (ctx) => {
      const form = await readImageForm(ctx, ONE_IMAGE);
      const input = {
        userImage: pickImage(form, 'user_image', 'image'),
        declineThreshold: form.fields.get('face_liveness_score_decline_threshold'),
        rotateImage: form.fields.get('rotate_image'),
        saveApiRequest: form.fields.get('save_api_request'),
        vendorData: form.fields.get('vendor_data'),
      };
      const run = name === 'passive-liveness' ? ctx.sandbox.faceMatch.passiveLiveness : ctx.sandbox.faceMatch.ageEstimation;
      return json(200, await run(ctx.app, input));
    }),
  ),
];
