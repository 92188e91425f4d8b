// The capture page's stylesheet, served as /static/capture.css. No web fonts, images or other
// third-party assets: system fonts and CSS shapes only, so the page works offline.
export const CAPTURE_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f3f5f9; --card: #ffffff; --text: #17202e; --muted: #4f5b6d; --line: #d8dee8;
  --accent: #2454d6; --accent-text: #ffffff; --accent-soft: #e6edfd;
  --ok: #137a46; --ok-soft: #e3f5eb; --warn: #8a5300; --warn-soft: #fff3dc; --error: #b3261e;
  --focus: #ff9f1c; --radius: 14px;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f141c; --card: #18202b; --text: #e8edf5; --muted: #a9b4c4; --line: #2c3746;
    --accent: #7aa2ff; --accent-text: #0b1320; --accent-soft: #1d2a44;
    --ok: #5fd49a; --ok-soft: #143223; --warn: #ffc46b; --warn-soft: #3a2a10; --error: #ff8a80;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; min-height: 100vh; background: var(--bg); color: var(--text);
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.skip { position: absolute; left: -999px; top: 0; }
.skip:focus { left: 1rem; top: .5rem; background: var(--card); color: var(--text); padding: .5rem .75rem; z-index: 10; border-radius: 8px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
[hidden] { display: none !important; }
/* Read by screen readers, not shown: the status line repeats what the page already shows. */
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }

.top { display: flex; align-items: center; gap: .6rem; max-width: 36rem; margin: 0 auto; padding: .9rem 1rem .4rem; }
.brand { display: inline-flex; align-items: center; gap: .5rem; font-weight: 650; letter-spacing: .01em; }
.logo { width: 1.5rem; height: 1.5rem; border-radius: 50%; background: var(--accent);
  box-shadow: inset 0 0 0 .32rem var(--card), inset 0 0 0 .5rem var(--accent); }
.badge { font-size: .75rem; font-weight: 650; text-transform: uppercase; letter-spacing: .06em; padding: .15rem .5rem;
  border-radius: 999px; background: var(--warn-soft); color: var(--warn); }

main { max-width: 36rem; margin: 0 auto; padding: .5rem 1rem 1rem; }
main:focus { outline: none; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.25rem;
  box-shadow: 0 1px 2px rgba(16, 24, 40, .06), 0 8px 24px rgba(16, 24, 40, .06); }
h1 { font-size: 1.45rem; line-height: 1.25; margin: .25rem 0 .5rem; }
.lead { color: var(--muted); margin: 0 0 1rem; }
.attempts { font-weight: 600; }
body[data-state="done"] .lead, body[data-state="done"] .attempts { display: none; }
.foot { text-align: center; color: var(--muted); font-size: .85rem; padding: 0 1rem 1.5rem; }
.foot p { margin: 0; }
.framed .foot { display: none; }

.stepper { display: flex; gap: .4rem; list-style: none; margin: 0 0 1rem; padding: 0; counter-reset: s; font-size: .85rem; }
.stepper li { flex: 1; color: var(--muted); padding-top: .45rem; border-top: 4px solid var(--line); counter-increment: s; }
.stepper li::before { content: counter(s) ". "; }
.stepper li.done { border-color: var(--ok); color: var(--text); }
.stepper li.current { border-color: var(--accent); color: var(--text); font-weight: 650; }

fieldset { border: 1px solid var(--line); border-radius: 12px; margin: 0 0 1rem; padding: 1rem; min-width: 0; }
legend { font-weight: 650; padding: 0 .35rem; display: inline-flex; align-items: center; gap: .45rem; }
.num { display: inline-grid; place-items: center; width: 1.5rem; height: 1.5rem; border-radius: 50%; background: var(--accent); color: var(--accent-text); font-size: .85rem; }
.js fieldset.step { border: 0; padding: 0; margin: 0; }
.js fieldset.step:not(.current) { display: none; }
.js legend { font-size: 1.1rem; padding: 0; margin-bottom: .75rem; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input[type=file] { display: block; max-width: 100%; padding: .35rem 0; font: inherit; color: var(--muted); }
input[type=file]::file-selector-button { font: inherit; font-weight: 600; margin-right: .75rem; padding: .5rem 1rem; border-radius: 10px;
  border: 1px solid var(--accent); background: var(--accent-soft); color: var(--text); cursor: pointer; }
.hint { font-size: .9rem; color: var(--muted); margin: .25rem 0 0; }
.file-row { margin-top: .75rem; }
.js .file-row { padding: .75rem; border: 1px dashed var(--line); border-radius: 10px; }
.js .file-row label { font-weight: 600; }

.stage { position: relative; overflow: hidden; border-radius: 12px; background: #0d1117; aspect-ratio: 4 / 3; width: 100%; }
.stage video, .stage img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; z-index: 0; }
.stage.mirror video { transform: scaleX(-1); }
.stage[data-view="ready"] { background: radial-gradient(circle at 50% 40%, #2a3446 0, #121822 70%); }
.guide { position: absolute; pointer-events: none; z-index: 3; }
.guide-face { left: 50%; top: 47%; width: 46%; height: 76%; transform: translate(-50%, -50%); border-radius: 50%;
  border: 3px solid rgba(255, 255, 255, .9); }
.guide-card { left: 50%; top: 50%; width: 82%; height: 62%; transform: translate(-50%, -50%); border-radius: 14px;
  border: 3px solid rgba(255, 255, 255, .9); }
.stage[data-view="ready"] .guide { border-style: dashed; }
.stage[data-view="checking"] .guide, .stage[data-view="review"] .guide { display: none; }
.stage-tip { position: absolute; left: 0; right: 0; bottom: .6rem; margin: 0; text-align: center; color: #fff;
  font-size: .9rem; font-weight: 600; text-shadow: 0 1px 3px rgba(0, 0, 0, .8); padding: 0 .5rem; z-index: 3; }
.spinner { position: absolute; left: 50%; top: 50%; width: 3rem; height: 3rem; margin: -1.5rem 0 0 -1.5rem; border-radius: 50%;
  border: 4px solid rgba(255, 255, 255, .35); border-top-color: #fff; animation: spin .9s linear infinite; z-index: 3; }
.stage[data-view="checking"] img { filter: brightness(.6); }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 3s; } }

.checks { margin-top: .75rem; padding: .75rem 1rem; border-radius: 10px; border-left: 4px solid var(--line); }
.checks.good { background: var(--ok-soft); border-color: var(--ok); }
.checks.warn { background: var(--warn-soft); border-color: var(--warn); }
.checks-title { font-size: 1rem; margin: 0 0 .25rem; }
.checks-title:focus { outline: none; }
.checks ul { margin: 0; padding-left: 1.2rem; }

.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .75rem; }
.btn { font: inherit; font-weight: 600; min-height: 2.75rem; padding: .55rem 1.1rem; border-radius: 10px; cursor: pointer;
  border: 1px solid var(--line); background: var(--card); color: var(--text); text-decoration: none;
  display: inline-flex; align-items: center; justify-content: center; }
.btn:hover { background: var(--accent-soft); }
.btn.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
.btn.primary:hover { filter: brightness(1.08); }
.btn.wide { width: 100%; }
.btn.link { border: 0; background: none; color: var(--muted); text-decoration: underline; min-height: 2.25rem; padding: .25rem .5rem; }
.btn:disabled { opacity: .6; cursor: progress; }
.actions .btn.primary { flex: 1 1 12rem; }
.submit-row { margin-top: .5rem; }

.progress-wrap { margin-top: 1rem; }
progress { width: 100%; height: .8rem; accent-color: var(--accent); }
.status { min-height: 1.5em; margin: .75rem 0 0; color: var(--muted); }
.error { color: var(--error); font-weight: 600; min-height: 0; margin: .5rem 0 0; }
.error:empty { display: none; }
body[data-state="error"] .error { padding: .6rem .8rem; border-radius: 10px; border: 1px solid var(--error); }

.result { text-align: center; padding: .5rem 0; }
.result:focus { outline: none; }
.result h2 { margin: .5rem 0 .25rem; font-size: 1.35rem; }
.result .actions { justify-content: center; }
.result-icon { width: 4rem; height: 4rem; margin: .5rem auto 0; border-radius: 50%; position: relative; background: var(--accent-soft); }
.result-icon.ok { background: var(--ok-soft); }
.result-icon.ok::after { content: ""; position: absolute; left: 1.45rem; top: .9rem; width: 1rem; height: 1.9rem;
  border: solid var(--ok); border-width: 0 .3rem .3rem 0; transform: rotate(45deg); }
.result-icon.bad { background: #fde8e7; }
.result-icon.bad::before, .result-icon.bad::after { content: ""; position: absolute; left: 1.85rem; top: 1rem; width: .3rem; height: 2rem;
  background: var(--error); border-radius: 2px; transform: rotate(45deg); }
.result-icon.bad::after { transform: rotate(-45deg); }
.result-icon.wait::after { content: ""; position: absolute; inset: 1rem; border-radius: 50%; border: .3rem solid var(--accent); border-right-color: transparent; }
.cancel-row { text-align: center; margin: .75rem 0 0; }

@media (max-width: 480px) {
  .top { padding: .6rem .75rem .3rem; }
  main { padding: .25rem .5rem .75rem; }
  .card { padding: 1rem .9rem; border-radius: 12px; }
  h1 { font-size: 1.3rem; }
  .stage { aspect-ratio: 3 / 4; }
  .guide-face { width: 64%; height: 62%; }
  .guide-card { width: 88%; height: 44%; }
  .actions .btn { flex: 1 1 100%; }
}
`;
