// The capture page's script, served as /static/capture.js (plain ES5-style JS, no build step).
// It only enhances the form: file previews, the camera where allowed, upload progress, the
// result and the redirect. Without it the form still posts and the server redirects.
export const CAPTURE_JS = String.raw`(function () {
  'use strict';
  var form = document.getElementById('capture-form');
  if (!form) return;
  var maxBytes = Number(form.getAttribute('data-max-bytes')) || 5242880;
  var maxMb = Math.round(maxBytes / 1048576);
  var selfieInput = document.getElementById('selfie');
  var referenceInput = document.getElementById('reference');
  var statusEl = document.getElementById('status');
  var errorEl = document.getElementById('error');
  var progressWrap = document.getElementById('progress-wrap');
  var progressEl = document.getElementById('progress');
  var resultEl = document.getElementById('result');
  var resultText = document.getElementById('result-text');
  var resultNext = document.getElementById('result-next');
  var submitBtn = document.getElementById('submit');
  var camera = document.getElementById('camera');
  var video = document.getElementById('camera-video');
  var startBtn = document.getElementById('camera-start');
  var shootBtn = document.getElementById('camera-shoot');
  var stopBtn = document.getElementById('camera-stop');
  var cameraBlob = null;
  var stream = null;
  var lastAnnounced = -1;

  function say(text) { statusEl.textContent = text; }
  function fail(text, focusEl) {
    errorEl.textContent = text;
    if (focusEl) focusEl.focus();
  }
  function clearError() { errorEl.textContent = ''; }

  function showPreview(img, blob) {
    if (!img) return;
    if (img.getAttribute('data-url')) URL.revokeObjectURL(img.getAttribute('data-url'));
    if (!blob) { img.hidden = true; img.removeAttribute('src'); return; }
    var url = URL.createObjectURL(blob);
    img.setAttribute('data-url', url);
    img.src = url;
    img.hidden = false;
  }

  function watch(input, previewId) {
    if (!input) return;
    input.addEventListener('change', function () {
      clearError();
      var file = input.files && input.files[0];
      if (input === selfieInput && file) { cameraBlob = null; selfieInput.required = true; }
      showPreview(document.getElementById(previewId), file || null);
    });
  }
  watch(selfieInput, 'selfie-preview');
  watch(referenceInput, 'reference-preview');

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true; shootBtn.hidden = true; stopBtn.hidden = true; startBtn.hidden = false;
  }

  if (camera && navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.isSecureContext) {
    camera.hidden = false;
    startBtn.addEventListener('click', function () {
      clearError();
      navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false; shootBtn.hidden = false; stopBtn.hidden = false; startBtn.hidden = true;
        return video.play();
      }).then(function () {
        shootBtn.focus();
        say('Camera on. Look at the camera, then press Take selfie.');
      }).catch(function (err) {
        stopCamera();
        fail('The camera is not available (' + (err && err.name ? err.name : 'error') + '). Choose a photo file instead.', selfieInput);
      });
    });
    shootBtn.addEventListener('click', function () {
      var canvas = document.createElement('canvas');
      canvas.width = video.videoWidth || 640;
      canvas.height = video.videoHeight || 480;
      canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        if (!blob) { fail('The camera picture could not be taken. Choose a photo file instead.', selfieInput); return; }
        cameraBlob = blob;
        selfieInput.value = '';
        selfieInput.required = false;
        showPreview(document.getElementById('selfie-preview'), blob);
        stopCamera();
        say('Selfie taken with the camera.');
        submitBtn.focus();
      }, 'image/jpeg', 0.92);
    });
    stopBtn.addEventListener('click', function () { stopCamera(); startBtn.focus(); });
  }

  function problemWith(file, label) {
    if (!file) return 'Add ' + label + ' first.';
    if (file.size === 0) return label.charAt(0).toUpperCase() + label.slice(1) + ' is an empty file; choose another photo.';
    if (file.size > maxBytes) return label.charAt(0).toUpperCase() + label.slice(1) + ' is larger than ' + maxMb + ' MB; choose a smaller photo.';
    return null;
  }

  var MESSAGES = {
    'Approved': 'Verified: the faces match.',
    'Declined': 'Not verified: the faces could not be matched.',
    'In Review': 'Thanks: your photos will be reviewed.',
    'Resubmitted': 'Please try again with new photos.',
    'Expired': 'This verification has expired.',
    'Abandoned': 'This verification was abandoned.'
  };

  function finish(body) {
    progressWrap.hidden = true;
    form.removeAttribute('aria-busy');
    var text = MESSAGES[body.status] || ('Status: ' + body.status + '.');
    if (body.face_match && typeof body.face_match.score === 'number') {
      text += ' (sandbox: face match ' + body.face_match.status + ', score ' + body.face_match.score + ')';
    }
    resultText.textContent = text;
    resultEl.hidden = false;
    if (body.redirect_url) {
      form.hidden = true;
      resultNext.textContent = 'Taking you back to the site...';
      say('Verification finished: ' + body.status + '. Redirecting.');
      setTimeout(function () { window.location.assign(body.redirect_url); }, 1200);
    } else if (body.accepts_images) {
      submitBtn.disabled = false;
      resultNext.textContent = 'You can try again with other photos (attempt ' + (body.attempts_used + 1) + ' of ' + body.attempts_allowed + ').';
      if (body.return_url) {
        var back = document.createElement('a');
        back.href = body.return_url;
        back.textContent = 'Stop here and return to the site';
        resultNext.appendChild(document.createTextNode(' '));
        resultNext.appendChild(back);
      }
      say('Verification result: ' + body.status + '.');
    } else {
      form.hidden = true;
      resultNext.textContent = 'You can close this page.';
      say('Verification finished: ' + body.status + '.');
    }
    resultEl.focus();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearError();
    resultEl.hidden = true;
    var selfie = cameraBlob || (selfieInput.files && selfieInput.files[0]) || null;
    var problem = problemWith(selfie, 'your selfie');
    if (problem) { fail(problem, selfieInput); return; }
    var reference = null;
    if (referenceInput) {
      reference = (referenceInput.files && referenceInput.files[0]) || null;
      problem = problemWith(reference, 'the photo of your ID');
      if (problem) { fail(problem, referenceInput); return; }
    }
    var data = new FormData();
    data.append('selfie', selfie, cameraBlob ? 'camera-selfie.jpg' : (selfie.name || 'selfie'));
    if (reference) data.append('reference', reference, reference.name || 'reference');

    submitBtn.disabled = true;
    form.setAttribute('aria-busy', 'true');
    progressWrap.hidden = false;
    progressEl.value = 0;
    lastAnnounced = -1;
    say('Uploading your photos...');

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
    xhr.upload.onload = function () {
      progressEl.value = 100;
      say('Photos uploaded. Comparing the faces...');
    };
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status >= 200 && xhr.status < 300 && body) { finish(body); return; }
      progressWrap.hidden = true;
      form.removeAttribute('aria-busy');
      submitBtn.disabled = false;
      say('');
      fail((body && body.detail) ? String(body.detail) : 'The photos were not accepted (HTTP ' + xhr.status + '). Try again.', selfieInput);
    };
    xhr.onerror = function () {
      progressWrap.hidden = true;
      form.removeAttribute('aria-busy');
      submitBtn.disabled = false;
      say('');
      fail('Network error: the photos could not be sent. Check the connection and try again.', submitBtn);
    };
    xhr.send(data);
  });
})();
`;
