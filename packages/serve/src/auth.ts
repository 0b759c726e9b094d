import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError } from '@mlops-actions/core';

/**
 * API keys compared in constant time: both sides are hashed to 32 bytes first, so neither the
 * length nor the content of a key leaks through timing, and every key is checked (no early exit).
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map((k) => createHash('sha256').update(k).digest());
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  get count(): number {
    return this.digests.length;
  }

  /** True when the Authorization header carries one of the keys as a Bearer token. */
  check(authorization: string | undefined): boolean {
    if (!this.enabled) return true;
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    const given = createHash('sha256')
      .update(m?.[1] ?? '')
      .digest();
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, given) || ok;
    return ok && m !== null;
  }
}

/** One key per line; blank lines and lines starting with # are ignored. The keys are never echoed. */
export function readApiKeyFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(
      `${file}: cannot read the API key file: ${(err as NodeJS.ErrnoException).code ?? err}`,
      {
        file,
      },
    );
  }
  const keys = parseKeys(text);
  if (keys.length === 0) throw new InputError(`${file}: the API key file holds no keys`, { file });
  for (const [i, k] of keys.entries()) {
    if (/\s/.test(k)) throw new InputError(`${file}: key ${i + 1} contains whitespace`, { file });
  }
  return keys;
}

/** Keys separated by newlines or commas (the form an environment variable carries). */
export function parseKeys(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
