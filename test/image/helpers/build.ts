import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { sha256File } from '@mlops-actions/core';
import {
  buildImage,
  locateServerSources,
  readBaseImage,
  type BuildImageOptions,
  type BuiltImage,
} from '@mlops-actions/image';
import { OciLayout } from '@mlops-actions/registry';
import { REPO_ROOT, testBaseLayout } from './base-image.js';

export const WINE_MODEL = path.join(REPO_ROOT, 'examples/wine/baseline/model.onnx');
export const CLI_DIST = path.join(REPO_ROOT, 'packages/cli/dist');

export async function buildTestImage(
  outDir: string,
  overrides: Partial<BuildImageOptions> & { baseTag?: string } = {},
): Promise<{ image: BuiltImage; layout: OciLayout }> {
  const baseStore = await OciLayout.open(testBaseLayout(), { create: false });
  const baseTag = overrides.baseTag ?? 'node';
  const base = await readBaseImage(baseStore, baseTag, `oci:test-base:${baseTag}`);
  const layout = await OciLayout.open(outDir);
  const model = overrides.model?.model ?? WINE_MODEL;
  const { baseTag: _b, ...rest } = overrides;
  const image = await buildImage({
    base,
    target: layout,
    tags: ['v1'],
    model: { model },
    modelInfo: {
      name: 'wine',
      task: 'multiclass-classification',
      sha256: await sha256File(model),
      headline: 'accuracy',
      metrics: { accuracy: 0.95, macro_f1: 0.94 },
    },
    server: locateServerSources(CLI_DIST, REPO_ROOT),
    lineage: { source: 'https://github.com/example/wine', revision: 'abc1234', version: '1.0.0' },
    ...rest,
  });
  return { image, layout };
}

export function skopeo(args: string[]): unknown {
  return JSON.parse(execFileSync('skopeo', args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
}
