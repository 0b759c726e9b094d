/**
 * Opens the store a reference names: `oci:DIR[:TAG]` → an {@link OciLayout}, anything else → a
 * repository on a registry. Clients are cached per host so auth tokens and sockets are shared.
 */
import { createHash } from 'node:crypto';
import { RegistryClient, type RegistryClientOptions } from './client.js';
import { OciLayout } from './layout.js';
import { parseReference, type Reference } from './reference.js';
import type { OciStore } from './store.js';

export interface OpenStoreOptions extends RegistryClientOptions {
  /** Create a missing layout directory (default true). */
  create?: boolean;
  /** Client cache to share between calls (default: a module-wide one). */
  clients?: Map<string, RegistryClient>;
}

const defaultClients = new Map<string, RegistryClient>();

export function registryClient(host: string, options: OpenStoreOptions = {}): RegistryClient {
  const cache = options.clients ?? defaultClients;
  const secret = createHash('sha256')
    .update(JSON.stringify(options.credentials ?? null))
    .digest('hex');
  const key = `${host}|${String(options.insecure)}|${String(options.dockerConfig)}|${secret}`;
  let client = cache.get(key);
  if (!client) {
    client = new RegistryClient(host, options);
    cache.set(key, client);
  }
  return client;
}

export async function openStore(
  raw: string,
  options: OpenStoreOptions = {},
): Promise<{ store: OciStore; ref: Reference }> {
  const ref = parseReference(raw);
  if (ref.kind === 'layout') {
    return { store: await OciLayout.open(ref.dir, { create: options.create }), ref };
  }
  return { store: registryClient(ref.host, options).repository(ref.repository), ref };
}
