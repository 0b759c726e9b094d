import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Spec } from '@mlops-actions/core';
import { checkPromote, promote, promoteConfig } from '../../packages/stages/src/promote/index.js';

function validator() {
  const ajv = new Ajv({ strict: false, useDefaults: true, allErrors: true });
  return ajv.compile(promote.schema.property);
}

function spec(section: unknown): Spec {
  return {
    version: 1,
    project: 'p',
    model: { name: 'p', path: 'model.onnx', task: 'binary-classification' },
    report: { title: 'p', comment: 'update', key: 'p', maxSlices: 5 },
    sections: { promote: section },
    file: '/repo/mlops.yml',
    dir: '/repo',
    digest: '0'.repeat(64),
  };
}

describe('promote section', () => {
  it('schema defaults give the embedded layout registry and environment approval', () => {
    const v = validator();
    const section: Record<string, unknown> = {};
    expect(v(section)).toBe(true);
    expect(section).toEqual({
      environment: 'production',
      approval: 'environment',
      store: '.model-store',
      insecure: false,
      to: 'production',
      require: [],
    });
    const config = promoteConfig(spec(section), {}, '/cwd');
    expect(config).toMatchObject({
      registry: 'oci:/repo/.model-store',
      embedded: true,
      to: 'production',
      previousTag: 'production-previous',
    });
    expect(config.comment).toMatchObject({ minPermission: 'write', timeoutMs: 30 * 60_000, pollMs: 15_000 });
  });

  it('schema rejects typos and bad values', () => {
    const v = validator();
    expect(v({ aproval: 'comment' })).toBe(false);
    expect(v({ approval: 'maybe' })).toBe(false);
    expect(v({ comment: { allow: [] } })).toBe(false);
    expect(v({ comment: { timeout: 'soon' } })).toBe(false);
  });

  it('semantic checks name the field', () => {
    const base = {
      environment: 'production',
      store: '.model-store',
      insecure: false,
      require: [] as string[],
    };
    expect(checkPromote({ ...base, approval: 'comment', to: 'production' })).toEqual([
      expect.objectContaining({ path: ['promote', 'comment', 'allow'] }),
    ]);
    expect(checkPromote({ ...base, approval: 'none', to: 'prod-previous' })[0]?.path).toEqual([
      'promote',
      'to',
    ]);
    expect(
      checkPromote({ ...base, approval: 'none', to: 'production', registry: 'ghcr.io/Org/Model' })[0]?.path,
    ).toEqual(['promote', 'registry']);
    expect(
      checkPromote({ ...base, approval: 'none', to: 'production', registry: 'localhost:5000/m:tag' })[0]
        ?.message,
    ).toMatch(/names a tag/);
  });

  it('registry forms and settings', () => {
    const s = spec({
      environment: 'production',
      approval: 'none',
      store: '.model-store',
      insecure: false,
      to: 'production',
      require: [],
      registry: 'oci:reg',
    });
    expect(promoteConfig(s, {}, '/cwd').registry).toBe(`oci:${path.resolve('/repo', 'reg')}`);
    expect(promoteConfig(s, { registry: 'localhost:5000/models/churn' }, '/cwd').registry).toBe(
      'localhost:5000/models/churn',
    );
    expect(promoteConfig(s, { to: 'staging' }, '/cwd').previousTag).toBe('staging-previous');
    expect(() => promoteConfig(s, { to: 'bad tag' }, '/cwd')).toThrow(/--to 'bad tag'/);
    expect(() => promoteConfig(s, { digest: 'sha256:abc' }, '/cwd')).toThrow(/--digest/);
    expect(() => promoteConfig(s, { rollback: true, digest: `sha256:${'a'.repeat(64)}` }, '/cwd')).toThrow(
      /do not combine/,
    );
    expect(promote.cli.settings({ rollback: true, to: 'production' }, [])).toEqual({
      rollback: true,
      to: 'production',
    });
    expect(() => promote.cli.settings({ approval: 'sometimes' }, [])).toThrow(/--approval/);
  });
});
