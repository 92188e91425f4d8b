// The capture page's stylesheet, served as /static/capture.css.
export const CAPTURE_CSS = `
:root { color-scheme: light dark; --accent: #1f5fbf; --error: #b00020; }
* { box-sizing: border-box; }
body { margin: 0; font: 1.05rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: Canvas; padding: .5rem; z-index: 1; }
header .banner { margin: 0; padding: .5rem 1rem; background: #fff4d6; color: #4a3800; font-size: .9rem; }
main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; }
fieldset { border: 1px solid #8a8a8a; border-radius: .5rem; margin: 0 0 1rem; padding: 1rem; }
legend { font-weight: 600; padding: 0 .25rem; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input[type=file] { display: block; max-width: 100%; padding: .25rem 0; }
.hint { font-size: .9rem; margin: .25rem 0 .5rem; }
button { font: inherit; padding: .6rem 1.1rem; border-radius: .4rem; border: 2px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button[type=button] { background: transparent; color: inherit; }
button:disabled { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid #ff9f1c; outline-offset: 2px; }
.camera video { display: block; width: 100%; max-width: 24rem; margin: .5rem 0; border-radius: .4rem; transform: scaleX(-1); }
.camera-actions { display: flex; gap: .5rem; flex-wrap: wrap; }
.preview { display: block; max-width: 12rem; max-height: 12rem; margin-top: .5rem; border-radius: .4rem; }
progress { width: 100%; height: 1.2rem; }
.status { min-height: 1.5em; }
.error { color: var(--error); font-weight: 600; min-height: 1.5em; }
.result { border-left: 4px solid var(--accent); padding: .25rem 1rem; margin-top: 1rem; }
[hidden] { display: none !important; }
`;
