// Every MCP prompt the server offers.
import type { PromptDefinition } from './prompt.js';
import { integrateFaceMatch } from './integrate_face_match.js';
import { debugWebhookSignature } from './debug_webhook_signature.js';
import { chooseThresholds } from './choose_thresholds.js';

export type { PromptDefinition } from './prompt.js';

export const PROMPTS: readonly PromptDefinition[] = [integrateFaceMatch, debugWebhookSignature, chooseThresholds];
