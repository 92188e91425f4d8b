// The capture page's script, served as /static/capture.js. A browser script (no imports, no
// exports), type-checked against the DOM by its own tsconfig beside this file and compiled to
// dist/src/http/capture/browser/capture.js, which the server reads (src/http/capture/script.ts).
// It turns the plain form into the hosted flow: one step at a time, live camera with a framing
// guide, capture and retake, the sandbox's photo check before submission, upload progress,
// the result. When the page is framed (the vendor's web SDK opens it in an iframe) it reports
// each moment to the embedding window with the SDK's `didit:*` postMessage events. Without it
// the form still posts and the server redirects.

/** One capture step of the page (a fieldset rendered by html.ts) and what the user gave for it. */
interface CaptureStep {
  el: HTMLFieldSetElement;
  /** The web SDK's step name: face or document_front. */
  name: string;
  purpose: string;
  input: HTMLInputElement;
  stage: HTMLElement;
  video: HTMLVideoElement;
  preview: HTMLImageElement;
  tip: HTMLElement;
  spinner: HTMLElement;
  checks: HTMLElement;
  checksTitle: HTMLElement;
  advice: HTMLElement;
  actions: HTMLElement;
  fileRow: HTMLElement;
  btn: { camera: HTMLButtonElement; shoot: HTMLButtonElement; sw: HTMLButtonElement; stop: HTMLButtonElement; retake: HTMLButtonElement; use: HTMLButtonElement };
  lens: 'front' | 'back';
  canSwitch: boolean;
  noun: string;
  blob: Blob | null;
  fromCamera: boolean;
  stream: MediaStream | null;
  previewUrl: string | null;
  /** Video inputs seen when the camera opened (0 until then). */
  cameraCount: number;
}

type View = 'ready' | 'camera' | 'checking' | 'review';

/** What POST /session/{token}/quality/ answers (services/quality.ts), or an error's detail. */
interface QualityReply {
  checked?: boolean;
  ok?: boolean;
  advice?: string[];
  detail?: unknown;
}

/** What the capture POST answers to a JSON client (routes/capture.ts). */
interface SubmitReply {
  status: string;
  face_match: { status: string; score: number | null } | null;
  accepts_images: boolean;
  attempts_used: number;
  attempts_allowed: number;
  redirect_url: string | null;
  return_url: string | null;
  detail?: unknown;
}

(function () {
  const main = document.getElementById('main');
  const sessionId = main && main.getAttribute('data-session-id');
  let sessionStatus = (main && main.getAttribute('data-session-status')) || null;
  const params = new URLSearchParams(window.location.search);

  // ---- the SDK protocol: {type, data, timestamp} to the embedding window only -------------
  function originOf(text: string): string | null {
    try {
      const u = new URL(text);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
    } catch {
      return null;
    }
  }
  function findParentOrigin(): string | null {
    if (window.parent === window) return null;
    // The browser's own record of who framed us wins over anything in the URL (Chromium and
    // Safari have it; Firefox does not, hence the check).
    const ao: DOMStringList | undefined = window.location.ancestorOrigins;
    if (ao && ao.length) return ao[0] === 'null' ? null : (ao[0] ?? null);
    const fromParam = params.get('parent_origin');
    if (fromParam) return originOf(fromParam);
    return document.referrer ? originOf(document.referrer) : null;
  }
  const parentOrigin = findParentOrigin();
  const framed = !!parentOrigin;
  function post(type: string, data?: Record<string, unknown>): void {
    if (!parentOrigin) return;
    const payload: Record<string, unknown> = {};
    if (sessionId) payload.sessionId = sessionId;
    if (data) for (const k of Object.keys(data)) payload[k] = data[k];
    try {
      window.parent.postMessage({ type, data: payload, timestamp: Date.now() }, parentOrigin);
    } catch {
      /* parent gone */
    }
  }
  if (framed) {
    document.documentElement.classList.add('framed');
    // Keyboard focus inside the iframe keeps Escape from the SDK's own listener on the host
    // page: ask the SDK to close (it shows its exit confirmation).
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        post('didit:close_request');
      }
    });
  }

  const form = document.getElementById('capture-form') as HTMLFormElement | null;
  if (!form) {
    // A finished or expired session's page: tell the embedder what it is looking at.
    if (sessionId) {
      post('didit:ready', { status: sessionStatus });
      post('didit:status_updated', { status: sessionStatus });
    }
    return;
  }
  const page: HTMLFormElement = form;

  /** An element html.ts always renders on the capture page. */
  function byId<T extends HTMLElement>(id: string): T {
    return document.getElementById(id) as T;
  }

  document.documentElement.classList.add('js');
  const maxBytes = Number(page.getAttribute('data-max-bytes')) || 5242880;
  const maxMb = Math.round(maxBytes / 1048576);
  const qualityUrl = page.getAttribute('data-quality-url') ?? '';
  const statusEl = byId<HTMLElement>('status');
  const errorEl = byId<HTMLElement>('error');
  const progressWrap = byId<HTMLElement>('progress-wrap');
  const progressEl = byId<HTMLProgressElement>('progress');
  const resultEl = byId<HTMLElement>('result');
  const resultIcon = byId<HTMLElement>('result-icon');
  const resultTitle = byId<HTMLElement>('result-title');
  const resultText = byId<HTMLElement>('result-text');
  const resultNext = byId<HTMLElement>('result-next');
  const resultActions = byId<HTMLElement>('result-actions');
  const submitRow = page.querySelector<HTMLElement>('[data-part="submit-row"]');
  const stepper = byId<HTMLOListElement>('stepper');
  const cancelBtn = document.getElementById('cancel') as HTMLButtonElement | null;
  // navigator.mediaDevices is missing outside a secure context, whatever the DOM types say.
  const media: MediaDevices | undefined = navigator.mediaDevices;
  const canCamera = !!(media && typeof media.getUserMedia === 'function' && window.isSecureContext);
  let started = false;
  let lastAnnounced = -1;

  function setState(name: string): void {
    document.body.setAttribute('data-state', name);
  }
  function say(text: string): void {
    statusEl.textContent = text;
  }
  function fail(text: string, focusEl?: HTMLElement): void {
    errorEl.textContent = text;
    if (focusEl) focusEl.focus();
  }
  function clearError(): void {
    errorEl.textContent = '';
  }
  function lensParam(name: string, fallback: 'front' | 'back'): 'front' | 'back' {
    const v = params.get(name);
    return v === 'front' || v === 'back' ? v : fallback;
  }
  function switchAllowed(name: string): boolean {
    return params.get(name) !== 'false';
  }

  // ---- steps ------------------------------------------------------------------------------
  const steps: CaptureStep[] = Array.from(page.querySelectorAll<HTMLFieldSetElement>('fieldset.step'), function (el) {
    function part<T extends HTMLElement>(n: string): T {
      return el.querySelector(`[data-part="${n}"]`) as T;
    }
    function act(n: string): HTMLButtonElement {
      return el.querySelector(`[data-act="${n}"]`) as HTMLButtonElement;
    }
    const isFace = el.getAttribute('data-purpose') === 'selfie';
    return {
      el,
      name: el.getAttribute('data-step') ?? '',
      purpose: el.getAttribute('data-purpose') ?? '',
      input: byId<HTMLInputElement>(el.getAttribute('data-input') ?? ''),
      stage: part('stage'),
      video: part<HTMLVideoElement>('video'),
      preview: part<HTMLImageElement>('preview'),
      tip: part('tip'),
      spinner: part('spinner'),
      checks: part('checks'),
      checksTitle: part('checks-title'),
      advice: part('advice'),
      actions: part('actions'),
      fileRow: part('file-row'),
      btn: { camera: act('camera'), shoot: act('shoot'), sw: act('switch'), stop: act('stop'), retake: act('retake'), use: act('use') },
      // Camera options from the SDK's URL parameters: which lens first, and whether the user may switch.
      lens: isFace ? lensParam('liveness_camera', 'front') : lensParam('document_camera', 'back'),
      canSwitch: isFace ? switchAllowed('liveness_camera_switch') : switchAllowed('document_camera_switch'),
      noun: isFace ? 'selfie' : 'photo of your ID',
      blob: null,
      fromCamera: false,
      stream: null,
      previewUrl: null,
      cameraCount: 0,
    };
  });
  let current = 0;
  /** The step on screen (the page always has the selfie step). */
  function currentStep(): CaptureStep {
    return steps[current]!;
  }

  function renderStepper(): void {
    if (steps.length < 2) return;
    stepper.hidden = false;
    stepper.textContent = '';
    steps
      .map((s) => s.name)
      .concat(['result'])
      .forEach(function (name, i) {
        const li = document.createElement('li');
        li.textContent = name === 'face' ? 'Selfie' : name === 'result' ? 'Result' : 'ID photo';
        if (i < current) li.className = 'done';
        if (i === current) {
          li.className = 'current';
          li.setAttribute('aria-current', 'step');
        }
        stepper.appendChild(li);
      });
  }

  function show(s: CaptureStep, what: View): void {
    const b = s.btn;
    s.stage.hidden = false;
    s.stage.setAttribute('data-view', what);
    s.actions.hidden = false;
    s.video.hidden = what !== 'camera';
    s.preview.hidden = !(what === 'checking' || what === 'review');
    s.spinner.hidden = what !== 'checking';
    s.checks.hidden = what !== 'review';
    s.fileRow.hidden = what !== 'ready';
    b.camera.hidden = !(what === 'ready' && canCamera);
    b.shoot.hidden = what !== 'camera';
    b.stop.hidden = what !== 'camera';
    b.sw.hidden = !(what === 'camera' && s.canSwitch && s.cameraCount > 1);
    b.retake.hidden = what !== 'review';
    b.use.hidden = what !== 'review';
    s.tip.textContent =
      what === 'camera'
        ? s.purpose === 'selfie'
          ? 'Center your face in the oval'
          : 'Fit the document in the frame'
        : what === 'ready'
          ? s.purpose === 'selfie'
            ? 'Good light, face the camera, no sunglasses'
            : 'Photo page of your passport or ID card'
          : '';
    setState(what);
  }

  function goTo(i: number): void {
    current = i;
    steps.forEach(function (s, j) {
      s.el.classList.toggle('current', j === i);
    });
    renderStepper();
    const s = currentStep();
    show(s, s.blob ? 'review' : 'ready');
  }

  function begin(s: CaptureStep): void {
    if (!started) {
      started = true;
      post('didit:started');
      post('didit:step_started', { step: s.name });
    }
  }

  // ---- camera -----------------------------------------------------------------------------
  function stopCamera(s: CaptureStep): void {
    if (s.stream) {
      s.stream.getTracks().forEach(function (t) {
        t.stop();
      });
      s.stream = null;
    }
    s.video.srcObject = null;
  }
  function openCamera(s: CaptureStep): void {
    clearError();
    begin(s);
    const facing = s.lens === 'back' ? 'environment' : 'user';
    s.stage.setAttribute('data-facing', facing);
    s.stage.setAttribute('data-switch', s.canSwitch ? 'on' : 'off');
    s.stage.classList.toggle('mirror', facing === 'user');
    say('Opening the camera...');
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: facing }, width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false })
      .then(function (stream) {
        s.stream = stream;
        s.video.srcObject = stream;
        return s.video.play();
      })
      .then(function () {
        return navigator.mediaDevices.enumerateDevices().then(
          function (list) {
            s.cameraCount = list.filter(function (d) {
              return d.kind === 'videoinput';
            }).length;
          },
          function () {
            s.cameraCount = 1;
          },
        );
      })
      .then(function () {
        show(s, 'camera');
        post('didit:media_started', { step: s.name, mediaType: 'image' });
        s.btn.shoot.focus();
        say(
          s.purpose === 'selfie'
            ? 'Camera on. Center your face in the oval, then press Take selfie.'
            : 'Camera on. Fit the document in the frame, then press Take photo of ID.',
        );
      })
      .catch(function (err: unknown) {
        stopCamera(s);
        show(s, 'ready');
        const raw = (err as { name?: unknown } | null)?.name;
        const name = raw ? String(raw) : 'Error';
        const denied = name === 'NotAllowedError' || name === 'SecurityError';
        post('didit:error', { step: s.name, error: denied ? 'cameraAccessDenied' : 'cameraUnavailable' });
        fail((denied ? 'Camera access was refused' : 'The camera is not available') + ' (' + name + '). Choose a photo file instead.', s.input);
        say('');
      });
  }
  function shoot(s: CaptureStep): void {
    const v = s.video;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth || 640;
    canvas.height = v.videoHeight || 480;
    const context = canvas.getContext('2d');
    // A browser out of canvas memory gives no context: say so rather than throw in the click handler.
    if (!context) {
      fail('The camera picture could not be taken. Choose a photo file instead.', s.input);
      return;
    }
    context.drawImage(v, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(
      function (blob) {
        if (!blob) {
          fail('The camera picture could not be taken. Choose a photo file instead.', s.input);
          return;
        }
        stopCamera(s);
        s.fromCamera = true;
        s.input.value = '';
        s.input.required = false;
        post('didit:media_captured', { step: s.name, isAuto: false, mediaType: 'image' });
        accept(s, blob, (s.purpose === 'selfie' ? 'Selfie taken' : 'Photo of your ID taken') + ' with the camera. ');
      },
      'image/jpeg',
      0.92,
    );
  }

  // ---- the photo check --------------------------------------------------------------------
  function setPreview(s: CaptureStep, blob: Blob | null): void {
    if (s.previewUrl) URL.revokeObjectURL(s.previewUrl);
    s.previewUrl = blob ? URL.createObjectURL(blob) : null;
    if (s.previewUrl) s.preview.src = s.previewUrl;
    else s.preview.removeAttribute('src');
    s.preview.alt = blob ? 'Your ' + s.noun : '';
  }
  function sizeProblem(blob: Blob | null, noun: string): string | null {
    if (!blob) return 'Add your ' + noun + ' first.';
    if (blob.size === 0) return 'Your ' + noun + ' is an empty file; choose another photo.';
    if (blob.size > maxBytes) return 'Your ' + noun + ' is larger than ' + maxMb + ' MB; choose a smaller photo.';
    return null;
  }
  function renderAdvice(s: CaptureStep, items: string[], good: boolean, title?: string): void {
    s.advice.textContent = '';
    s.checks.className = 'checks ' + (good ? 'good' : 'warn');
    s.checksTitle.textContent = title || (good ? 'Photo check: looks good' : 'Photo check: please look at this');
    items.forEach(function (text) {
      const li = document.createElement('li');
      li.textContent = text;
      s.advice.appendChild(li);
    });
  }
  function useLabel(): string {
    return current === steps.length - 1 ? 'Submit for verification' : 'Continue';
  }
  function accept(s: CaptureStep, blob: Blob, prefix?: string): void {
    clearError();
    const problem = sizeProblem(blob, s.noun);
    if (problem) {
      fail(problem, s.input);
      return;
    }
    s.blob = blob;
    setPreview(s, blob);
    show(s, 'checking');
    say((prefix || '') + 'Checking your ' + s.noun + '...');
    const data = new FormData();
    data.append('purpose', s.purpose);
    data.append('image', blob, 'photo');
    let done = false;
    fetch(qualityUrl, { method: 'POST', body: data, headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) {
        return res.json().then(
          function (body: QualityReply) {
            return { ok: res.ok, status: res.status, body: body as QualityReply | null };
          },
          function () {
            return { ok: false, status: res.status, body: null };
          },
        );
      })
      .then(function (r) {
        done = true;
        if (s.blob !== blob) return;
        const b = r.body;
        if (r.status === 400 || r.status === 413 || r.status === 415) {
          // The server cannot read this file as a photo: refuse it here, on its own step, rather
          // than at submit on a later step where "Retake" would retake another photo.
          s.blob = null;
          s.input.value = '';
          s.input.required = true;
          setPreview(s, null);
          show(s, 'ready');
          fail((b && b.detail ? String(b.detail) : 'This file is not a photo that can be used.') + ' Choose another ' + s.noun + '.', s.input);
          say(errorEl.textContent ?? '');
          return;
        }
        if (!r.ok || !b) {
          renderAdvice(s, [(b && b.detail ? String(b.detail) : 'The photo could not be checked.') + ' You can still use it or take another.'], false);
        } else if (!b.checked) {
          renderAdvice(s, ['The photo check is not available in this sandbox. You can still use this photo.'], true, 'Photo check not available');
        } else if (b.ok) {
          renderAdvice(s, [s.purpose === 'selfie' ? 'One face found, well lit and sharp.' : 'A face was found on the document, well lit and sharp.'], true);
        } else {
          renderAdvice(s, b.advice && b.advice.length ? b.advice : ['The photo may not work well.'], false);
        }
        show(s, 'review');
        s.btn.use.textContent = useLabel();
        say(
          s.checksTitle.textContent +
            '. ' +
            Array.from(s.advice.children, function (li) {
              return li.textContent;
            }).join(' '),
        );
        s.checksTitle.focus();
      })
      .catch(function () {
        if (done || s.blob !== blob) return;
        renderAdvice(s, ['The photo could not be checked (network error). You can still use it or take another.'], false);
        show(s, 'review');
        s.btn.use.textContent = useLabel();
      });
  }
  function retake(s: CaptureStep): void {
    s.blob = null;
    s.input.value = '';
    s.input.required = true;
    setPreview(s, null);
    if (s.fromCamera && canCamera) {
      openCamera(s);
      return;
    }
    show(s, 'ready');
    say('Choose another ' + (s.purpose === 'selfie' ? 'selfie' : 'photo') + '.');
    s.input.focus();
  }
  /** The camera's or the picker's first choice: its camera button, or the file input without a camera. */
  function firstControl(s: CaptureStep): HTMLElement {
    return s.btn.camera.hidden ? s.input : s.btn.camera;
  }
  function use(s: CaptureStep): void {
    clearError();
    const next = steps[current + 1];
    if (next) {
      post('didit:step_completed', { step: s.name, nextStep: next.name });
      post('didit:step_changed', { step: next.name, previousStep: s.name });
      post('didit:step_started', { step: next.name });
      goTo(current + 1);
      const legend = next.el.querySelector('legend')?.textContent ?? '';
      say('Step ' + (current + 1) + ' of ' + steps.length + ': ' + legend.replace(/^\d+/, '').replace(/^Step \d+: /, '') + '.');
      firstControl(next).focus();
      return;
    }
    submit();
  }

  steps.forEach(function (s) {
    s.input.addEventListener('change', function () {
      const file = s.input.files && s.input.files[0];
      if (!file) return;
      begin(s);
      s.fromCamera = false;
      post('didit:media_captured', { step: s.name, isAuto: false, mediaType: 'image' });
      accept(s, file);
    });
    s.btn.camera.addEventListener('click', function () {
      openCamera(s);
    });
    s.btn.shoot.addEventListener('click', function () {
      shoot(s);
    });
    s.btn.stop.addEventListener('click', function () {
      stopCamera(s);
      show(s, 'ready');
      say('Camera closed.');
      firstControl(s).focus();
    });
    s.btn.sw.addEventListener('click', function () {
      stopCamera(s);
      s.lens = s.lens === 'back' ? 'front' : 'back';
      openCamera(s);
    });
    s.btn.retake.addEventListener('click', function () {
      retake(s);
    });
    s.btn.use.addEventListener('click', function () {
      use(s);
    });
  });

  // ---- submission and result ----------------------------------------------------------------
  const MESSAGES: Record<string, [title: string, text: string]> = {
    Approved: ['Verified', 'Verified: the faces match.'],
    Declined: ['Not verified', 'Not verified: the faces could not be matched.'],
    'In Review': ['In review', 'Thanks: your photos will be reviewed.'],
    Resubmitted: ['Try again', 'Please try again with new photos.'],
    Expired: ['Expired', 'This verification has expired.'],
    Abandoned: ['Abandoned', 'This verification was abandoned.'],
  };
  function button(text: string, cls: string, onClick: () => void): HTMLButtonElement {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn ' + cls;
    b.textContent = text;
    b.addEventListener('click', onClick);
    resultActions.appendChild(b);
    return b;
  }
  function busy(on: boolean): void {
    if (on) page.setAttribute('aria-busy', 'true');
    else page.removeAttribute('aria-busy');
    steps.forEach(function (s) {
      s.btn.use.disabled = on;
      s.btn.retake.disabled = on;
    });
  }
  function complete(status: string): void {
    post('didit:completed', { status });
    if (cancelBtn) cancelBtn.hidden = true;
  }
  function finish(body: SubmitReply): void {
    progressWrap.hidden = true;
    busy(false);
    const prev = sessionStatus;
    sessionStatus = body.status;
    post('didit:status_updated', { status: body.status, previousStatus: prev, previousStep: currentStep().name });
    // While attempts remain the session stays In Progress: the page shows this attempt's result.
    const shown = body.accepts_images && body.face_match ? body.face_match.status : body.status;
    const m = MESSAGES[shown] || [shown, 'Status: ' + shown + '.'];
    let text = m[1];
    if (body.face_match && typeof body.face_match.score === 'number') {
      text += ' (sandbox: face match ' + body.face_match.status + ', score ' + body.face_match.score + ')';
    }
    resultTitle.textContent = m[0];
    resultIcon.className = 'result-icon ' + (shown === 'Approved' ? 'ok' : shown === 'Declined' ? 'bad' : 'wait');
    resultText.textContent = text;
    resultNext.textContent = '';
    resultActions.textContent = '';
    resultEl.hidden = false;
    page.hidden = true;
    stepper.hidden = true;
    setState('done');
    if (body.accepts_images) {
      resultNext.textContent = 'You can try again with other photos (attempt ' + (body.attempts_used + 1) + ' of ' + body.attempts_allowed + ').';
      button('Try again', 'primary', function () {
        resultEl.hidden = true;
        page.hidden = false;
        steps.forEach(function (s) {
          s.blob = null;
          setPreview(s, null);
          s.input.value = '';
          s.input.required = true;
        });
        goTo(0);
        const first = currentStep();
        post('didit:step_changed', { step: first.name, previousStep: 'result' });
        post('didit:step_started', { step: first.name });
        say('Try again: step 1, your selfie.');
        firstControl(first).focus();
      });
      if (framed) {
        button('Finish with this result', '', function () {
          resultActions.textContent = '';
          resultNext.textContent = 'You can close this window.';
          complete(body.status);
          say('Finished: ' + body.status + '.');
        });
      } else if (body.return_url) {
        const back = document.createElement('a');
        back.href = body.return_url;
        back.className = 'btn';
        back.textContent = 'Stop here and return to the site';
        resultActions.appendChild(back);
      }
      say('Verification result: ' + body.status + '.');
    } else {
      complete(body.status);
      const redirectUrl = body.redirect_url;
      if (redirectUrl && !framed) {
        resultNext.textContent = 'Taking you back to the site...';
        say('Verification finished: ' + body.status + '. Redirecting.');
        setTimeout(function () {
          window.location.assign(redirectUrl);
        }, 1200);
      } else {
        resultNext.textContent = framed ? 'You can close this window.' : 'You can close this page.';
        say('Verification finished: ' + body.status + '.');
      }
    }
    resultEl.focus();
  }
  function submitFailed(message: string, focusEl: HTMLElement): void {
    progressWrap.hidden = true;
    busy(false);
    setState('error');
    say('');
    post('didit:error', { step: currentStep().name, error: message });
    fail(message, focusEl);
  }

  /** The photo a step will send: the camera's or the checked one, else the file input's. */
  function chosen(s: CaptureStep): Blob | null {
    return s.blob || (s.input.files && s.input.files[0]) || null;
  }

  function submit(): void {
    clearError();
    const data = new FormData();
    for (const s of steps) {
      const blob = chosen(s);
      const problem = sizeProblem(blob, s.noun);
      if (problem || !blob) {
        fail(problem ?? '', s.input);
        return;
      }
      const fileName = (blob as Partial<File>).name;
      data.append(s.input.name, blob, s.fromCamera ? 'camera-' + s.input.name + '.jpg' : fileName || s.input.name);
    }
    busy(true);
    setState('submitting');
    progressWrap.hidden = false;
    progressEl.value = 0;
    lastAnnounced = -1;
    say('Uploading your photos...');
    post('didit:verification_submitted', { step: currentStep().name });

    const xhr = new XMLHttpRequest();
    xhr.open('POST', page.getAttribute('action') ?? '');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      progressEl.value = pct;
      // Announce in steps of 25% so screen readers are not flooded.
      const step = Math.floor(pct / 25) * 25;
      if (step > lastAnnounced && step < 100) {
        lastAnnounced = step;
        say('Uploading your photos: ' + step + '%');
      }
    };
    xhr.upload.onload = function () {
      progressEl.value = 100;
      say('Photos uploaded. Comparing the faces...');
    };
    xhr.onload = function () {
      let body: SubmitReply | null = null;
      try {
        body = JSON.parse(xhr.responseText) as SubmitReply | null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        finish(body);
        return;
      }
      submitFailed(body && body.detail ? String(body.detail) : 'The photos were not accepted (HTTP ' + xhr.status + '). Try again.', currentStep().btn.use);
    };
    xhr.onerror = function () {
      submitFailed('Network error: the photos could not be sent. Check the connection and try again.', currentStep().btn.use);
    };
    xhr.send(data);
  }
  page.addEventListener('submit', function (event) {
    event.preventDefault();
    submit();
  });

  if (cancelBtn && framed) {
    const cancel = cancelBtn;
    cancel.hidden = false;
    cancel.addEventListener('click', function () {
      steps.forEach(stopCamera);
      post('didit:cancelled', { status: sessionStatus });
      cancel.hidden = true;
      say('Verification cancelled.');
    });
  }

  if (submitRow) submitRow.hidden = true;
  goTo(0);
  post('didit:ready', { status: sessionStatus });
})();
