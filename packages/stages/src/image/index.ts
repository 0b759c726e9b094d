import { UsageError } from '@mlops-actions/core';
import { defineStage } from '../definition.js';
import type { FlagValues } from '../definition.js';
import { imageSection } from './report.js';
import { runImageStage } from './run.js';
import schema from './spec.schema.json' with { type: 'json' };
import { checkImage, imageConfig } from './spec.js';
import type { ImageSettings, ImageStageConfig } from './spec.js';

export { runImageStage, compareLayers } from './run.js';
export type { ImageDetails, LayerChange } from './run.js';
export {
  imageConfig,
  checkImage,
  findServerBundle,
  parseRegistryUrl,
  resolveBaseRef,
  DEFAULT_BASE,
} from './spec.js';
export type { ImageSettings, ImageStageConfig, ImageTarget, RawImage } from './spec.js';
export { imageSection } from './report.js';

function optString(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '')
    throw new UsageError(`mlops build-image: --${name} needs a value`);
  return v;
}

export const image = defineStage<ImageSettings, ImageStageConfig>({
  name: 'image',
  title: 'Build image',
  specKey: 'image',
  schema,
  check: (section) => checkImage(section),
  declared: (spec) => spec.sections.image !== undefined,
  configure: async (spec, settings, ctx) => imageConfig(spec, settings, ctx.resultsDir, ctx.cwd),
  run: (config, ctx) => ctx.log.group(`build-image: ${config.name}`, () => runImageStage(config, ctx)),
  report: (result) => [{ id: 'image', markdown: imageSection(result) }],
  cli: {
    command: 'build-image',
    summary: 'Build the model-server OCI image without a Docker daemon; write a layout or push it',
    usage: `
Usage: mlops build-image [--spec mlops.yml] [--base REF] [--registry HOST[:PORT]] [--insecure]
                         [--tag T ...] [--layout DIR] [--out .mlops]

Builds an OCI image that serves the model (entrypoint: mlops serve on image.port, default 8080,
as a non-root user) on a base image, with no Docker daemon: the base's layers, then a model
server layer (the mlops CLI and onnxruntime-node for the platform), the model with its card,
and the serving config. Same inputs give the same digest (SOURCE_DATE_EPOCH or 0 as every
timestamp). A multi-platform base gives one image per platform under an index.

References use skopeo's syntax: oci:DIR[:TAG] for an OCI image layout, HOST/REPO[:TAG] for a
registry. With no registry (flag or image.registry) the image is written to an OCI layout
(image.layout, default <out>/oci), which skopeo and umoci read.

Writes <out>/image.json: digest, name@digest, tags, model digest, size by layer, and what
changed since the image the first tag pointed at before.

Options:
  --spec FILE         the pipeline spec (default: mlops.yml)
  --base REF          base image (overrides image.base; default node:24-bookworm-slim;
                      'host': this machine's node and its libraries, no registry needed)
  --registry HOST     push to this registry (HOST[:PORT] or http(s)://HOST[:PORT])
  --insecure          plain HTTP to the registry (loopback registries are plain HTTP already)
  --tag T             tag to set; repeat for several (overrides image.tags; default latest)
  --layout DIR        write to this OCI layout instead of pushing
  --server-bundle DIR the mlops CLI bundle to put in the image (default: packages/cli/dist)
  --out DIR           results directory (default: .mlops)
  -h, --help          show this help

With image.dockerfile set, the image is built by docker buildx instead, which needs a working
Docker engine; without one the command says so and exits 2.

Exit codes: 0 built, 2 bad usage or bad input (missing model, base not found, no engine).
`,
    options: {
      base: { type: 'string' },
      registry: { type: 'string' },
      insecure: { type: 'boolean' },
      tag: { type: 'string', multiple: true },
      layout: { type: 'string' },
      'server-bundle': { type: 'string' },
    },
    settings(values) {
      const tags = values.tag;
      const settings: ImageSettings = {};
      const base = optString(values, 'base');
      const registry = optString(values, 'registry');
      const layout = optString(values, 'layout');
      const bundle = optString(values, 'server-bundle');
      if (base) settings.base = base;
      if (registry) settings.registry = registry;
      if (layout) settings.layout = layout;
      if (bundle) settings.serverBundle = bundle;
      if (values.insecure === true) settings.insecure = true;
      if (Array.isArray(tags)) settings.tags = tags.map(String);
      else if (typeof tags === 'string') settings.tags = [tags];
      if (settings.layout && settings.registry) {
        throw new UsageError(
          'mlops build-image: --layout and --registry are exclusive (write a layout, or push)',
        );
      }
      return settings;
    },
  },
  action: {
    name: 'build-image',
    settings(inputs) {
      const settings: ImageSettings = {};
      const base = inputs.optional('base');
      const registry = inputs.optional('registry');
      const layout = inputs.path('layout');
      const insecure = inputs.optionalBoolean('insecure');
      const tags = inputs.list('tags');
      if (base) settings.base = base;
      if (registry) settings.registry = registry;
      if (layout) settings.layout = layout;
      if (insecure !== undefined) settings.insecure = insecure;
      if (tags.length) settings.tags = tags;
      return settings;
    },
    outputs(result) {
      const d = (result.details ?? {}) as {
        image?: { digest?: string; reference?: string; tags?: string[] };
        model?: { reference?: string; sha256?: string };
      };
      return {
        digest: d.image?.digest ?? '',
        image: d.image?.reference ?? '',
        tags: (d.image?.tags ?? []).join(','),
        'model-ref': d.model?.reference ?? '',
        'model-digest': d.model?.sha256 ? `sha256:${d.model.sha256}` : '',
      };
    },
  },
});
