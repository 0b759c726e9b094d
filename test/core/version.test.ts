import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOL_VERSION } from '../../packages/core/src/index.js';
import { REPO_ROOT } from '../helpers/runner.js';

describe('tool version', () => {
  it('is the version in package.json (results and cache keys record it)', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(TOOL_VERSION).toBe(pkg.version);
  });
});
