// Public face-engine API: everything other parts (services, HTTP, MCP, CLI) may import.
export { FaceEngine, EngineBusyError, DEFAULT_MAX_QUEUE, DEFAULT_ENGINE_NICE, type FaceEngineOptions, type ProgressFn, type ImageInput } from './engine.js';
export { QUALITY_THRESHOLDS, type ImageQuality, type QualityIssue, type QualityIssueCode } from './quality.js';
export { scoreFromCosine, cosineForScore, reportScore, CALIBRATION, SCORE_KNOTS, type CalibrationRow } from './score.js';
export { decideStandalone, decideWorkflow, STANDALONE_DECLINE_DEFAULT, WORKFLOW_DECLINE_DEFAULT, WORKFLOW_REVIEW_DEFAULT, type Decision } from './decision.js';
export { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, probeImage } from './decode.js';
export { sniffFormat } from './image-format.js';
export { cosine } from './embed.js';
export type { FaceAnalysis } from './pipeline.js';
export type { PipelineConfig } from './pipeline-config.js';
export * from './types.js';
