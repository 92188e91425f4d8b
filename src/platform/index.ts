// The platform interface the MCP tools (and any other caller) act through. The local
// implementation (src/platform/local.ts) is imported on its own: it pulls in the services.
export * from './types.js';
export { platformConfigFromEnv, type PlatformConfig } from './config.js';
export { HostedPlatform, HostedError, isHostedError, type HostedPlatformOptions } from './hosted.js';
export { eventIdOf, withEventIds } from './deliveries.js';
