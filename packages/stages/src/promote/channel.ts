/**
 * Channel tags in a model registry: `production` names the live digest, `production-previous` the
 * one before it. Moving is by digest only after the candidate is verified as a model artifact with
 * intact weights; the move is read back. Rollback swaps the two tags, so it is one step and a
 * second rollback undoes the first.
 */
import { InputError } from '@mlops-actions/core';
import { resolveModelIn, type Descriptor, type OciStore, type ResolvedModel } from '@mlops-actions/registry';

export interface ChannelMove {
  /** Digest the channel named before (undefined: first promotion). */
  from?: string;
  to: string;
  /** Digest now under `<channel>-previous`. */
  previous?: string;
  changed: boolean;
}

/** Resolves and verifies a model (manifest digest, ModelPack type, weights digest). */
export async function verifyModel(
  store: OciStore,
  digest: string,
  cacheDir: string,
  expectWeights?: string,
): Promise<ResolvedModel> {
  const model = await resolveModelIn(store, digest, { cacheDir });
  if (model.digest !== digest) {
    throw new Error(`${store.location}: asked for ${digest}, the registry answered ${model.digest}`);
  }
  if (expectWeights && model.weightDigest !== expectWeights) {
    throw new InputError(
      `${store.location}@${digest}: its weights are ${model.weightDigest}, but the model that was evaluated is ${expectWeights}: not promoting a different model`,
    );
  }
  return model;
}

async function readBack(store: OciStore, tag: string, digest: string): Promise<void> {
  const now = await store.resolve(tag);
  if (now?.digest !== digest) {
    throw new Error(
      `${store.location}: tag '${tag}' reads back as ${now?.digest ?? 'absent'} after moving it to ${digest}`,
    );
  }
}

/** Moves `channel` to `candidate` (a verified manifest), keeping what it named as `previousTag`. */
export async function moveChannel(
  store: OciStore,
  candidate: { digest: string; descriptor: Descriptor },
  channel: string,
  previousTag: string,
): Promise<ChannelMove> {
  const current = await store.resolve(channel);
  if (current?.digest === candidate.digest) {
    const prev = await store.resolve(previousTag);
    return {
      from: current.digest,
      to: candidate.digest,
      ...(prev ? { previous: prev.digest } : {}),
      changed: false,
    };
  }
  if (current) {
    await store.tag(previousTag, current);
    await readBack(store, previousTag, current.digest);
  }
  await store.tag(channel, candidate.descriptor);
  await readBack(store, channel, candidate.digest);
  return {
    ...(current ? { from: current.digest, previous: current.digest } : {}),
    to: candidate.digest,
    changed: true,
  };
}

/** Swaps the tags of any manifest (an image): verified by reading the previous manifest by digest. */
export async function swapChannel(
  store: OciStore,
  channel: string,
  previousTag: string,
): Promise<ChannelMove | undefined> {
  const [current, previous] = await Promise.all([store.resolve(channel), store.resolve(previousTag)]);
  if (!previous) return undefined;
  const found = await store.getManifest(previous.digest);
  if (!found)
    throw new Error(
      `${store.location}: '${previousTag}' names ${previous.digest}, which is not in the store`,
    );
  await store.tag(channel, found.descriptor);
  await readBack(store, channel, previous.digest);
  if (current && current.digest !== previous.digest) {
    await store.tag(previousTag, current);
    await readBack(store, previousTag, current.digest);
  }
  return {
    ...(current ? { from: current.digest, previous: current.digest } : {}),
    to: previous.digest,
    changed: current?.digest !== previous.digest,
  };
}

/** Swaps `<channel>` and `<channel>-previous` after verifying the previous model. */
export async function rollbackChannel(
  store: OciStore,
  channel: string,
  previousTag: string,
  cacheDir: string,
): Promise<{ move: ChannelMove; restored: ResolvedModel }> {
  const [current, previous] = await Promise.all([store.resolve(channel), store.resolve(previousTag)]);
  if (!previous) {
    throw new InputError(
      `${store.location}: no '${previousTag}' tag: nothing to roll back to${current ? ` ('${channel}' is ${current.digest})` : ''}`,
    );
  }
  const restored = await verifyModel(store, previous.digest, cacheDir);
  await store.tag(channel, restored.descriptor);
  await readBack(store, channel, previous.digest);
  if (current && current.digest !== previous.digest) {
    await store.tag(previousTag, current);
    await readBack(store, previousTag, current.digest);
  }
  return {
    move: {
      ...(current ? { from: current.digest, previous: current.digest } : {}),
      to: previous.digest,
      changed: current?.digest !== previous.digest,
    },
    restored,
  };
}
