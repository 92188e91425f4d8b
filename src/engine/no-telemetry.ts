// onnxruntime-node ships with its telemetry on: each process that starts it writes
// /tmp/mat-debug-<pid>.log and records runtime, system and device details under
// ~/.cache/Microsoft/DeveloperTools, with code to upload them. ORT_DISABLE_TELEMETRY=1 turns
// that off, but the runtime reads the *process* environment: a worker thread's process.env is
// its own copy and writing it changes nothing. So this module runs on the main thread before
// onnxruntime loads and before any engine worker starts (src/engine/ort.ts, pool.ts, cli.ts);
// child processes inherit it.
process.env.ORT_DISABLE_TELEMETRY = '1';

export {};
