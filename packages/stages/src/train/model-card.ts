import { readFile, stat, writeFile } from 'node:fs/promises';
import { combineDigests, digestPath } from '@mlops-actions/core';
import type { ModelCard } from './types.js';

export const MODEL_CARD_FILE = 'model-card.json';

/** A model is usually one file; a directory model (SavedModel-style) gets one digest over its tree. */
export async function digestModel(abs: string): Promise<{ sha256: string; bytes: number }> {
  const info = await stat(abs);
  if (!info.isDirectory()) {
    const [file] = await digestPath(abs, abs);
    return { sha256: file?.sha256 ?? '', bytes: info.size };
  }
  const files = await digestPath(abs, abs);
  return { sha256: combineDigests(files), bytes: files.reduce((n, f) => n + (f.bytes ?? 0), 0) };
}

export async function writeModelCard(abs: string, card: ModelCard): Promise<void> {
  await writeFile(abs, `${JSON.stringify(card, null, 2)}\n`);
}

/** The card of a cached run, or undefined when it is missing or not one of ours. */
export async function readModelCard(abs: string): Promise<ModelCard | undefined> {
  try {
    const card = JSON.parse(await readFile(abs, 'utf8')) as Partial<ModelCard>;
    if (
      card.schemaVersion !== 1 ||
      typeof card.model?.sha256 !== 'string' ||
      typeof card.cacheKey !== 'string'
    ) {
      return undefined;
    }
    return card as ModelCard;
  } catch {
    return undefined;
  }
}
