/** §1.10: the provenance record kept for a registration (never stamped into the user's file). */
import { createHash } from 'node:crypto';
import type { ProvenanceRecord } from './asset.js';
import { isJsonObject, pythonJsonDumps, type JsonObject } from './json.js';

export interface ProvenanceInput {
  source?: string;
  inputs?: JsonObject;
  user_id?: string;
  workflow_hash?: string;
  commit_hash?: string;
  c2pa_like?: JsonObject;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

/** The environment a provenance record reads, copied once (each `process.env` read is a C++ call). */
export function provenanceEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ASSET_REGISTRY_GIT_COMMIT: env.ASSET_REGISTRY_GIT_COMMIT,
    ASSET_REGISTRY_USER: env.ASSET_REGISTRY_USER,
  };
}

export function buildProvenance(
  input: ProvenanceInput,
  meta: JsonObject,
  asset: { uid: string; hash: string },
  createdAt: string,
  env: NodeJS.ProcessEnv = process.env,
): Omit<ProvenanceRecord, 'id'> {
  const source = text(input.source) ?? text(meta.source) ?? 'unspecified';
  const inputs: JsonObject = { ...(isJsonObject(input.inputs) ? input.inputs : {}) };
  inputs.asset_uid ??= asset.uid;
  inputs.asset_hash ??= asset.hash;
  const workflowHash =
    text(input.workflow_hash) ??
    createHash('sha256')
      .update(Buffer.concat([Buffer.from(source, 'utf8'), Buffer.from(pythonJsonDumps(inputs), 'utf8')]))
      .digest('hex');
  return {
    asset_uid: asset.uid,
    source,
    workflow_hash: workflowHash,
    commit_hash: text(input.commit_hash) ?? text(env.ASSET_REGISTRY_GIT_COMMIT) ?? null,
    inputs,
    c2pa_like: isJsonObject(input.c2pa_like) ? input.c2pa_like : {},
    user_id: text(input.user_id) ?? text(meta.user_id) ?? text(env.ASSET_REGISTRY_USER) ?? null,
    created_at: createdAt,
  };
}
