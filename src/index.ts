/**
 * The library surface for scripts and plugins: open a registry, follow its hooks.
 *
 *   import { RegistryService, hooks } from 'asset-registry-gallery';
 *   hooks.subscribe('asset_registered', (p) => console.log(p.uid, p.path));
 *   const registry = RegistryService.open().project();
 */
export { emit, HOOK_EVENTS, HookBus, hooks, subscribe, unsubscribe } from './hooks/bus.js';
export type { HookEnvelope, HookEvent, HookListener, HookPayloads } from './hooks/bus.js';
export { RegistryService } from './registry/service.js';
export type { OpenOptions } from './registry/service.js';
export { AssetRegistry } from './registry/registry.js';
export type { RegisterInput, RegisterResult, SearchInput } from './registry/registry.js';
export { serializeAsset, buildSidecar } from './domain/asset.js';
export type { AssetRecord, ProvenanceRecord } from './domain/asset.js';
export type { AssetPayload, AssetUrls } from './domain/asset-payload.js';
export { AppError } from './domain/errors.js';
export { buildApp } from './server/app.js';
