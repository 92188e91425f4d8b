// The one place onnxruntime-node is loaded, with its telemetry turned off first (ES modules
// run their imports in order, so no-telemetry.js sets the environment before the runtime starts).
import './no-telemetry.js';
import * as ort from 'onnxruntime-node';

export { ort };
