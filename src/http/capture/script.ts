// The capture page's script, served as /static/capture.js (plain ES5-style JS, no build step).
// It turns the plain form into the hosted flow: one step at a time, live camera with a framing
// guide, capture and retake, the sandbox's photo check before submission, upload progress,
// the result. When the page is framed (the vendor's web SDK opens it in an iframe) it reports
// each moment to the embedding window with the SDK's `didit:*` postMessage events. Without it
// the form still posts and the server redirects.
export const CAPTURE_JS = String.raw`(function () {
  'use strict';
  var main = document.getElementById('main');
  var sessionId = main && main.getAttribute('data-session-id');
  var sessionStatus = (main && main.getAttribute('data-session-status')) || null;
  var params = new URLSearchParams(window.location.search);

  // ---- the SDK protocol: {type, data, timestamp} to the embedding window only -------------
  function originOf(text) {
    try { var u = new URL(text); return (u.protocol === 'http:' || u.protocol === 'https:') ? u.origin : null; } catch (e) { return null; }
  }
  function findParentOrigin() {
    if (window.parent === window) return null;
    // The browser's own record of who framed us wins over anything in the URL.
    var ao = window.location.ancestorOrigins;
    if (ao && ao.length) return ao[0] === 'null' ? null : ao[0];
    var fromParam = params.get('parent_origin');
    if (fromParam) return originOf(fromParam);
    return document.referrer ? originOf(document.referrer) : null;
  }
  var parentOrigin = findParentOrigin();
  var framed = !!parentOrigin;
  function post(type, data) {
    if (!framed) return;
    var payload = {};
    if (sessionId) payload.sessionId = sessionId;
    if (data) for (var k in data) if (Object.prototype.hasOwnProperty.call(data, k)) payload[k] = data[k];
    try { window.parent.postMessage({ type: type, data: payload, timestamp: Date.now() }, parentOrigin); } catch (e) { /* parent gone */ }
  }
  if (framed) {
    document.documentElement.classList.add('framed');
    // Keyboard focus inside the iframe keeps Escape from the SDK's own listener on the host
    // page: ask the SDK to close (it shows its exit confirmation).
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !e.defaultPrevented) { e.preventDefault(); post('didit:close_request'); }
    });
  }

  var form = document.getElementById('capture-form');
  if (!form) {
    // A finished or expired session's page: tell the embedder what it is looking at.
    if (sessionId) { post('didit:ready', { status: sessionStatus }); post('didit:status_updated', { status: sessionStatus }); }
    return;
  }

  document.documentElement.classList.add('js');
  var maxBytes = Number(form.getAttribute('data-max-bytes')) || 5242880;
  var maxMb = Math.round(maxBytes / 1048576);
  var qualityUrl = form.getAttribute('data-quality-url');
  var statusEl = document.getElementById('status');
  var errorEl = document.getElementById('error');
  var progressWrap = document.getElementById('progress-wrap');
  var progressEl = document.getElementById('progress');
  var resultEl = document.getElementById('result');
  var resultIcon = document.getElementById('result-icon');
  var resultTitle = document.getElementById('result-title');
  var resultText = document.getElementById('result-text');
  var resultNext = document.getElementById('result-next');
  var resultActions = document.getElementById('result-actions');
  var submitRow = form.querySelector('[data-part="submit-row"]');
  var stepper = document.getElementById('stepper');
  var cancelBtn = document.getElementById('cancel');
  var canCamera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.isSecureContext);
  var started = false;
  var lastAnnounced = -1;

  function setState(name) { document.body.setAttribute('data-state', name); }
  function say(text) { statusEl.textContent = text; }
  function fail(text, focusEl) { errorEl.textContent = text; if (focusEl) focusEl.focus(); }
  function clearError() { errorEl.textContent = ''; }
  function lensParam(name, fallback) { var v = params.get(name); return v === 'front' || v === 'back' ? v : fallback; }
  function switchAllowed(name) { return params.get(name) !== 'false'; }

  // ---- steps ------------------------------------------------------------------------------
  var steps = Array.prototype.map.call(form.querySelectorAll('fieldset.step'), function (el) {
    function part(n) { return el.querySelector('[data-part="' + n + '"]'); }
    function act(n) { return el.querySelector('[data-act="' + n + '"]'); }
    var isFace = el.getAttribute('data-purpose') === 'selfie';
    return {
      el: el, name: el.getAttribute('data-step'), purpose: el.getAttribute('data-purpose'),
      input: document.getElementById(el.getAttribute('data-input')),
      stage: part('stage'), video: part('video'), preview: part('preview'), tip: part('tip'), spinner: part('spinner'),
      checks: part('checks'), checksTitle: part('checks-title'), advice: part('advice'), actions: part('actions'), fileRow: part('file-row'),
      btn: { camera: act('camera'), shoot: act('shoot'), sw: act('switch'), stop: act('stop'), retake: act('retake'), use: act('use') },
      // Camera options from the SDK's URL parameters: which lens first, and whether the user may switch.
      lens: isFace ? lensParam('liveness_camera', 'front') : lensParam('document_camera', 'back'),
      canSwitch: isFace ? switchAllowed('liveness_camera_switch') : switchAllowed('document_camera_switch'),
      noun: isFace ? 'selfie' : 'photo of your ID',
      blob: null, fromCamera: false, stream: null, previewUrl: null
    };
  });
  var current = 0;

  function renderStepper() {
    if (steps.length < 2) return;
    stepper.hidden = false;
    stepper.textContent = '';
    steps.concat([{ name: 'result' }]).forEach(function (s, i) {
      var li = document.createElement('li');
      li.textContent = s.name === 'face' ? 'Selfie' : s.name === 'result' ? 'Result' : 'ID photo';
      if (i < current) li.className = 'done';
      if (i === current) { li.className = 'current'; li.setAttribute('aria-current', 'step'); }
      stepper.appendChild(li);
    });
  }

  function show(s, what) {
    // what: 'ready' | 'camera' | 'checking' | 'review'
    var b = s.btn;
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
    s.tip.textContent = what === 'camera'
      ? (s.purpose === 'selfie' ? 'Center your face in the oval' : 'Fit the document in the frame')
      : what === 'ready' ? (s.purpose === 'selfie' ? 'Good light, face the camera, no sunglasses' : 'Photo page of your passport or ID card') : '';
    s.label = what;
    setState(what);
  }

  function goTo(i) {
    current = i;
    steps.forEach(function (s, j) { s.el.classList.toggle('current', j === i); });
    renderStepper();
    var s = steps[i];
    show(s, s.blob ? 'review' : 'ready');
  }

  function begin(s) {
    if (!started) { started = true; post('didit:started'); post('didit:step_started', { step: s.name }); }
  }

  // ---- camera -----------------------------------------------------------------------------
  function stopCamera(s) {
    if (s.stream) { s.stream.getTracks().forEach(function (t) { t.stop(); }); s.stream = null; }
    s.video.srcObject = null;
  }
  function openCamera(s) {
    clearError();
    begin(s);
    var facing = s.lens === 'back' ? 'environment' : 'user';
    s.stage.setAttribute('data-facing', facing);
    s.stage.setAttribute('data-switch', s.canSwitch ? 'on' : 'off');
    s.stage.classList.toggle('mirror', facing === 'user');
    say('Opening the camera...');
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: facing }, width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false }).then(function (stream) {
      s.stream = stream;
      s.video.srcObject = stream;
      return s.video.play();
    }).then(function () {
      return navigator.mediaDevices.enumerateDevices().then(function (list) {
        s.cameraCount = list.filter(function (d) { return d.kind === 'videoinput'; }).length;
      }, function () { s.cameraCount = 1; });
    }).then(function () {
      show(s, 'camera');
      post('didit:media_started', { step: s.name, mediaType: 'image' });
      s.btn.shoot.focus();
      say(s.purpose === 'selfie' ? 'Camera on. Center your face in the oval, then press Take selfie.' : 'Camera on. Fit the document in the frame, then press Take photo of ID.');
    }).catch(function (err) {
      stopCamera(s);
      show(s, 'ready');
      var name = err && err.name ? err.name : 'Error';
      var denied = name === 'NotAllowedError' || name === 'SecurityError';
      post('didit:error', { step: s.name, error: denied ? 'cameraAccessDenied' : 'cameraUnavailable' });
      fail((denied ? 'Camera access was refused' : 'The camera is not available') + ' (' + name + '). Choose a photo file instead.', s.input);
      say('');
    });
  }
  function shoot(s) {
    var v = s.video;
    var canvas = document.createElement('canvas');
    canvas.width = v.videoWidth || 640;
    canvas.height = v.videoHeight || 480;
    canvas.getContext('2d').drawImage(v, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(function (blob) {
      if (!blob) { fail('The camera picture could not be taken. Choose a photo file instead.', s.input); return; }
      stopCamera(s);
      s.fromCamera = true;
      s.input.value = '';
      s.input.required = false;
      post('didit:media_captured', { step: s.name, isAuto: false, mediaType: 'image' });
      accept(s, blob, (s.purpose === 'selfie' ? 'Selfie taken' : 'Photo of your ID taken') + ' with the camera. ');
    }, 'image/jpeg', 0.92);
  }

  // ---- the photo check --------------------------------------------------------------------
  function setPreview(s, blob) {
    if (s.previewUrl) URL.revokeObjectURL(s.previewUrl);
    s.previewUrl = blob ? URL.createObjectURL(blob) : null;
    if (s.previewUrl) s.preview.src = s.previewUrl; else s.preview.removeAttribute('src');
    s.preview.alt = blob ? 'Your ' + s.noun : '';
  }
  function sizeProblem(blob, noun) {
    if (!blob) return 'Add your ' + noun + ' first.';
    if (blob.size === 0) return 'Your ' + noun + ' is an empty file; choose another photo.';
    if (blob.size > maxBytes) return 'Your ' + noun + ' is larger than ' + maxMb + ' MB; choose a smaller photo.';
    return null;
  }
  function renderAdvice(s, items, good, title) {
    s.advice.textContent = '';
    s.checks.className = 'checks ' + (good ? 'good' : 'warn');
    s.checksTitle.textContent = title || (good ? 'Photo check: looks good' : 'Photo check: please look at this');
    items.forEach(function (text) { var li = document.createElement('li'); li.textContent = text; s.advice.appendChild(li); });
  }
  function accept(s, blob, prefix) {
    clearError();
    var problem = sizeProblem(blob, s.noun);
    if (problem) { fail(problem, s.input); return; }
    s.blob = blob;
    setPreview(s, blob);
    show(s, 'checking');
    say((prefix || '') + 'Checking your ' + s.noun + '...');
    var data = new FormData();
    data.append('purpose', s.purpose);
    data.append('image', blob, 'photo');
    var done = false;
    fetch(qualityUrl, { method: 'POST', body: data, headers: { Accept: 'application/json' }, credentials: 'same-origin' }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, status: res.status, body: body }; }, function () { return { ok: false, status: res.status, body: null }; });
    }).then(function (r) {
      done = true;
      if (s.blob !== blob) return;
      var b = r.body;
      if (r.status === 400 || r.status === 413 || r.status === 415) {
        // The server cannot read this file as a photo: refuse it here, on its own step, rather
        // than at submit on a later step where "Retake" would retake another photo.
        s.blob = null;
        s.input.value = '';
        s.input.required = true;
        setPreview(s, null);
        show(s, 'ready');
        fail((b && b.detail ? String(b.detail) : 'This file is not a photo that can be used.') + ' Choose another ' + s.noun + '.', s.input);
        say(errorEl.textContent);
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
      s.lastCheck = b;
      show(s, 'review');
      var last = current === steps.length - 1;
      s.btn.use.textContent = last ? 'Submit for verification' : 'Continue';
      say(s.checksTitle.textContent + '. ' + Array.prototype.map.call(s.advice.children, function (li) { return li.textContent; }).join(' '));
      s.checksTitle.focus();
    }).catch(function () {
      if (done || s.blob !== blob) return;
      renderAdvice(s, ['The photo could not be checked (network error). You can still use it or take another.'], false);
      show(s, 'review');
      s.btn.use.textContent = current === steps.length - 1 ? 'Submit for verification' : 'Continue';
    });
  }
  function retake(s) {
    s.blob = null;
    s.input.value = '';
    s.input.required = true;
    setPreview(s, null);
    if (s.fromCamera && canCamera) { openCamera(s); return; }
    show(s, 'ready');
    say('Choose another ' + (s.purpose === 'selfie' ? 'selfie' : 'photo') + '.');
    s.input.focus();
  }
  function use(s) {
    clearError();
    if (current < steps.length - 1) {
      var next = steps[current + 1];
      post('didit:step_completed', { step: s.name, nextStep: next.name });
      post('didit:step_changed', { step: next.name, previousStep: s.name });
      post('didit:step_started', { step: next.name });
      goTo(current + 1);
      say('Step ' + (current + 1) + ' of ' + steps.length + ': ' + next.el.querySelector('legend').textContent.replace(/^\d+/, '').replace(/^Step \d+: /, '') + '.');
      var focusTo = next.btn.camera.hidden ? next.input : next.btn.camera;
      focusTo.focus();
      return;
    }
    submit();
  }

  steps.forEach(function (s) {
    s.input.addEventListener('change', function () {
      var file = s.input.files && s.input.files[0];
      if (!file) return;
      begin(s);
      s.fromCamera = false;
      post('didit:media_captured', { step: s.name, isAuto: false, mediaType: 'image' });
      accept(s, file);
    });
    s.btn.camera.addEventListener('click', function () { openCamera(s); });
    s.btn.shoot.addEventListener('click', function () { shoot(s); });
    s.btn.stop.addEventListener('click', function () { stopCamera(s); show(s, 'ready'); say('Camera closed.'); (s.btn.camera.hidden ? s.input : s.btn.camera).focus(); });
    s.btn.sw.addEventListener('click', function () { stopCamera(s); s.lens = s.lens === 'back' ? 'front' : 'back'; openCamera(s); });
    s.btn.retake.addEventListener('click', function () { retake(s); });
    s.btn.use.addEventListener('click', function () { use(s); });
  });

  // ---- submission and result ----------------------------------------------------------------
  var MESSAGES = {
    'Approved': ['Verified', 'Verified: the faces match.'],
    'Declined': ['Not verified', 'Not verified: the faces could not be matched.'],
    'In Review': ['In review', 'Thanks: your photos will be reviewed.'],
    'Resubmitted': ['Try again', 'Please try again with new photos.'],
    'Expired': ['Expired', 'This verification has expired.'],
    'Abandoned': ['Abandoned', 'This verification was abandoned.']
  };
  function button(text, cls, onClick) {
    var b = document.createElement('button');
    b.type = 'button'; b.className = 'btn ' + (cls || ''); b.textContent = text;
    b.addEventListener('click', onClick);
    resultActions.appendChild(b);
    return b;
  }
  function busy(on) {
    if (on) form.setAttribute('aria-busy', 'true'); else form.removeAttribute('aria-busy');
    steps.forEach(function (s) { s.btn.use.disabled = on; s.btn.retake.disabled = on; });
  }
  function complete(status) {
    post('didit:completed', { status: status });
    if (cancelBtn) cancelBtn.hidden = true;
  }
  function finish(body) {
    progressWrap.hidden = true;
    busy(false);
    var prev = sessionStatus;
    sessionStatus = body.status;
    post('didit:status_updated', { status: body.status, previousStatus: prev, previousStep: steps[current].name });
    // While attempts remain the session stays In Progress: the page shows this attempt's result.
    var shown = body.accepts_images && body.face_match ? body.face_match.status : body.status;
    var m = MESSAGES[shown] || [shown, 'Status: ' + shown + '.'];
    var text = m[1];
    if (body.face_match && typeof body.face_match.score === 'number') {
      text += ' (sandbox: face match ' + body.face_match.status + ', score ' + body.face_match.score + ')';
    }
    resultTitle.textContent = m[0];
    resultIcon.className = 'result-icon ' + (shown === 'Approved' ? 'ok' : shown === 'Declined' ? 'bad' : 'wait');
    resultText.textContent = text;
    resultNext.textContent = '';
    resultActions.textContent = '';
    resultEl.hidden = false;
    form.hidden = true;
    stepper.hidden = true;
    setState('done');
    if (body.accepts_images) {
      resultNext.textContent = 'You can try again with other photos (attempt ' + (body.attempts_used + 1) + ' of ' + body.attempts_allowed + ').';
      button('Try again', 'primary', function () {
        resultEl.hidden = true; form.hidden = false; steps.forEach(function (s) { s.blob = null; setPreview(s, null); s.input.value = ''; s.input.required = true; });
        goTo(0); post('didit:step_changed', { step: steps[0].name, previousStep: 'result' }); post('didit:step_started', { step: steps[0].name });
        say('Try again: step 1, your selfie.'); (steps[0].btn.camera.hidden ? steps[0].input : steps[0].btn.camera).focus();
      });
      if (framed) {
        button('Finish with this result', '', function () { resultActions.textContent = ''; resultNext.textContent = 'You can close this window.'; complete(body.status); say('Finished: ' + body.status + '.'); });
      } else if (body.return_url) {
        var back = document.createElement('a');
        back.href = body.return_url; back.className = 'btn'; back.textContent = 'Stop here and return to the site';
        resultActions.appendChild(back);
      }
      say('Verification result: ' + body.status + '.');
    } else {
      complete(body.status);
      if (body.redirect_url && !framed) {
        resultNext.textContent = 'Taking you back to the site...';
        say('Verification finished: ' + body.status + '. Redirecting.');
        setTimeout(function () { window.location.assign(body.redirect_url); }, 1200);
      } else {
        resultNext.textContent = framed ? 'You can close this window.' : 'You can close this page.';
        say('Verification finished: ' + body.status + '.');
      }
    }
    resultEl.focus();
  }
  function submitFailed(message, focusEl) {
    progressWrap.hidden = true;
    busy(false);
    setState('error');
    say('');
    post('didit:error', { step: steps[current].name, error: message });
    fail(message, focusEl);
  }

  function submit() {
    clearError();
    var problem = null, focusStep = null;
    steps.forEach(function (s) { if (!problem) { var selected = s.blob || (s.input.files && s.input.files[0]) || null; problem = sizeProblem(selected, s.noun); if (problem) focusStep = s; } });
    if (problem) { fail(problem, focusStep.input); return; }
    var data = new FormData();
    steps.forEach(function (s) {
      var blob = s.blob || s.input.files[0];
      data.append(s.input.name, blob, s.fromCamera ? 'camera-' + s.input.name + '.jpg' : (blob.name || s.input.name));
    });
    busy(true);
    setState('submitting');
    progressWrap.hidden = false;
    progressEl.value = 0;
    lastAnnounced = -1;
    say('Uploading your photos...');
    post('didit:verification_submitted', { step: steps[current].name });

    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.getAttribute('action'));
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round((e.loaded / e.total) * 100);
      progressEl.value = pct;
      // Announce in steps of 25% so screen readers are not flooded.
      var step = Math.floor(pct / 25) * 25;
      if (step > lastAnnounced && step < 100) { lastAnnounced = step; say('Uploading your photos: ' + step + '%'); }
    };
    xhr.upload.onload = function () { progressEl.value = 100; say('Photos uploaded. Comparing the faces...'); };
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status >= 200 && xhr.status < 300 && body) { finish(body); return; }
      submitFailed((body && body.detail) ? String(body.detail) : 'The photos were not accepted (HTTP ' + xhr.status + '). Try again.', steps[current].btn.use);
    };
    xhr.onerror = function () { submitFailed('Network error: the photos could not be sent. Check the connection and try again.', steps[current].btn.use); };
    xhr.send(data);
  }
  form.addEventListener('submit', function (event) { event.preventDefault(); submit(); });

  if (cancelBtn && framed) {
    cancelBtn.hidden = false;
    cancelBtn.addEventListener('click', function () {
      steps.forEach(stopCamera);
      post('didit:cancelled', { status: sessionStatus });
      cancelBtn.hidden = true;
      say('Verification cancelled.');
    });
  }

  if (submitRow) submitRow.hidden = true;
  goTo(0);
  post('didit:ready', { status: sessionStatus });
})();
`;
