// The tool registry: every MCP tool, in the order an agent meets them.
import type { AnyTool } from '../src/mcp/tool.js';
import { provisionAccount } from './provision_account.js';
import { useApplication } from './use_application.js';
import { createWorkflow } from './create_workflow.js';
import { listWorkflows } from './list_workflows.js';
import { createSession } from './create_session.js';
import { submitSessionImages } from './submit_session_images.js';
import { simulateSessionOutcome } from './simulate_session_outcome.js';
import { getSessionDecision } from './get_session_decision.js';
import { listSessions } from './list_sessions.js';
import { reviewSession } from './review_session.js';
import { deleteSession } from './delete_session.js';
import { faceMatch } from './face_match.js';
import { faceSearch } from './face_search.js';
import { createWebhookDestination } from './create_webhook_destination.js';
import { listWebhookDestinations } from './list_webhook_destinations.js';
import { updateWebhookDestination } from './update_webhook_destination.js';
import { deleteWebhookDestination } from './delete_webhook_destination.js';
import { listWebhookDeliveries } from './list_webhook_deliveries.js';
import { resendWebhook } from './resend_webhook.js';
import { verifyWebhookSignature } from './verify_webhook_signature.js';
import { signWebhookPayload } from './sign_webhook_payload.js';
import { webhookVerifierSnippetTool } from './webhook_verifier_snippet.js';
import { calibrateThresholds } from './calibrate_thresholds.js';
import { sandboxStatus } from './sandbox_status.js';
import { revokeApiKey } from './revoke_api_key.js';

export const TOOLS: readonly AnyTool[] = [
  provisionAccount,
  useApplication,
  createWorkflow,
  listWorkflows,
  createSession,
  submitSessionImages,
  simulateSessionOutcome,
  getSessionDecision,
  listSessions,
  reviewSession,
  deleteSession,
  faceMatch,
  faceSearch,
  createWebhookDestination,
  listWebhookDestinations,
  updateWebhookDestination,
  deleteWebhookDestination,
  listWebhookDeliveries,
  resendWebhook,
  verifyWebhookSignature,
  signWebhookPayload,
  webhookVerifierSnippetTool,
  calibrateThresholds,
  sandboxStatus,
  revokeApiKey,
];

/** Pure computation on the caller's input: never the platform, so never open-world. */
export const OFFLINE_TOOLS: readonly AnyTool[] = [verifyWebhookSignature, signWebhookPayload, calibrateThresholds];
