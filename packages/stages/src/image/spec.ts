/** The `image` section: its raw shape, the settings flags/inputs change, and the stage's config. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, UsageError } from '@mlops-actions/core';
import type { SemanticIssue, Spec } from '@mlops-actions/core';
import { isLoopbackHost, isValidTag, parseReference } from '@mlops-actions/registry';

export const DEFAULT_BASE = 'docker.io/library/node:24-bookworm-slim';

export interface RawImage {
  name: string;
  tags?: string[];
  base?: string;
  registry?: { url?: string; insecure?: boolean };
  layout?: string;
  port?: number;
  user?: string;
  server?: 'auto' | 'skip';
  version?: string;
  dockerfile?: string;
  context?: string;
}

/** What `mlops build-image` flags and the action's inputs override. */
export interface ImageSettings {
  base?: string;
  /** `host[:port]` or a URL. */
  registry?: string;
  insecure?: boolean;
  tags?: string[];
  layout?: string;
  /** Directory of the mlops CLI bundle that becomes the image's server (default: found upward). */
  serverBundle?: string;
}

export type ImageTarget =
  { kind: 'layout'; dir: string } | { kind: 'registry'; host: string; repository: string; insecure: boolean };

export interface ImageStageConfig {
  specFile?: string;
  specDir: string;
  specDigest?: string;
  /** Repository as written in image.name. */
  name: string;
  tags: string[];
  /** Base reference; a relative `oci:` directory already resolved against the spec. */
  base: string;
  target: ImageTarget;
  model: { name: string; task: string; path: string; card?: string };
  port: number;
  user: string;
  server: 'auto' | 'skip';
  serverBundle?: string;
  version?: string;
  dockerfile?: string;
  context?: string;
}

/** A relative `oci:` directory is relative to the spec (skopeo would take it from the cwd). */
export function resolveBaseRef(ref: string, baseDir: string): string {
  const parsed = parseReference(ref);
  if (parsed.kind !== 'layout' || path.isAbsolute(parsed.dir)) return ref;
  const dir = path.resolve(baseDir, parsed.dir);
  return `oci:${dir}${parsed.digest ? `@${parsed.digest}` : parsed.tag ? `:${parsed.tag}` : ''}`;
}

/** `https://ghcr.io`, `http://localhost:5000`, `localhost:5000` → host and whether it is plain HTTP. */
export function parseRegistryUrl(raw: string, where: string): { host: string; insecure?: boolean } {
  const m = /^(https?):\/\/([^/]+)\/?$/.exec(raw.trim());
  if (m) return { host: m[2] as string, insecure: m[1] === 'http' ? true : undefined };
  if (/^[^/\s]+$/.test(raw.trim())) return { host: raw.trim() };
  throw new InputError(`${where}: '${raw}' is not a registry (HOST[:PORT] or http(s)://HOST[:PORT])`);
}

/** `ghcr.io/org/model` → host and path; a name without a host part has none. */
function splitName(name: string): { host?: string; repository: string } {
  const parts = name.split('/');
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { host: first, repository: parts.slice(1).join('/') };
  }
  return { repository: name };
}

/** The server bundle: packages/cli/dist found upward from this module (a checkout or an action's tree). */
export function findServerBundle(
  from: string = path.dirname(fileURLToPath(import.meta.url)),
): string | undefined {
  let dir = from;
  for (;;) {
    if (
      existsSync(path.join(dir, 'index.js')) &&
      path.basename(dir) === 'dist' &&
      path.basename(path.dirname(dir)) === 'cli'
    ) {
      return dir;
    }
    const candidate = path.join(dir, 'packages', 'cli', 'dist');
    if (existsSync(path.join(candidate, 'index.js'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function imageConfig(
  spec: Spec | undefined,
  settings: ImageSettings,
  resultsDir: string,
  cwd: string,
): ImageStageConfig {
  if (!spec)
    throw new UsageError(
      'build-image needs a spec (--spec mlops.yml): the model and its image are declared there',
    );
  const raw = (spec.sections.image as RawImage | undefined) ?? { name: spec.model.name };
  const where = `${spec.file}: image`;
  const tags = settings.tags?.length ? settings.tags : raw.tags?.length ? raw.tags : ['latest'];
  for (const t of tags) {
    if (!isValidTag(t)) {
      throw new InputError(
        `${where}.tags: invalid tag '${t}' (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')`,
      );
    }
  }
  const base = settings.base
    ? resolveBaseRef(settings.base, cwd)
    : resolveBaseRef(raw.base ?? DEFAULT_BASE, spec.dir);
  const { host: nameHost, repository } = splitName(raw.name);

  let target: ImageTarget;
  if (settings.layout !== undefined) {
    target = { kind: 'layout', dir: path.resolve(cwd, settings.layout) };
  } else if (settings.registry !== undefined || raw.registry !== undefined) {
    const fromFlag = settings.registry !== undefined;
    const url = settings.registry ?? raw.registry?.url;
    const parsed =
      url !== undefined
        ? parseRegistryUrl(url, fromFlag ? '--registry' : `${where}.registry.url`)
        : undefined;
    const host = parsed?.host ?? nameHost;
    if (host === undefined) {
      throw new InputError(
        `${where}.registry: no registry host: set image.registry.url or give image.name a host (ghcr.io/org/${raw.name})`,
      );
    }
    // Loopback registries speak plain HTTP (as docker treats them); anything else only when asked.
    const insecure =
      settings.insecure === true ||
      parsed?.insecure === true ||
      raw.registry?.insecure === true ||
      isLoopbackHost(host);
    target = { kind: 'registry', host, repository, insecure };
  } else {
    target = {
      kind: 'layout',
      dir: raw.layout ? path.resolve(spec.dir, raw.layout) : path.join(resultsDir, 'oci'),
    };
  }

  const modelPath = path.resolve(spec.dir, spec.model.path);
  const card = path.join(path.dirname(modelPath), 'model-card.json');
  return {
    specFile: spec.file,
    specDir: spec.dir,
    specDigest: spec.digest,
    name: raw.name,
    tags,
    base,
    target,
    model: {
      name: spec.model.name,
      task: spec.model.task,
      path: modelPath,
      ...(existsSync(card) ? { card } : {}),
    },
    port: raw.port ?? 8080,
    user: raw.user ?? '65532:65532',
    server: raw.server ?? 'auto',
    ...(settings.serverBundle ? { serverBundle: path.resolve(cwd, settings.serverBundle) } : {}),
    ...(raw.version ? { version: raw.version } : {}),
    ...(raw.dockerfile ? { dockerfile: path.resolve(spec.dir, raw.dockerfile) } : {}),
    ...(raw.context ? { context: path.resolve(spec.dir, raw.context) } : {}),
  };
}

/** Checks the schema cannot make: the base reference parses, the tags are registry tags. */
export function checkImage(section: unknown): SemanticIssue[] {
  const raw = section as RawImage;
  const issues: SemanticIssue[] = [];
  if (raw.base !== undefined) {
    try {
      parseReference(raw.base);
    } catch (err) {
      issues.push({ path: ['image', 'base'], message: (err as Error).message });
    }
  }
  (raw.tags ?? []).forEach((t, i) => {
    if (!isValidTag(t)) issues.push({ path: ['image', 'tags', i], message: `invalid tag '${t}'` });
  });
  if (raw.context !== undefined && raw.dockerfile === undefined) {
    issues.push({ path: ['image', 'context'], message: 'image.context goes with image.dockerfile' });
  }
  return issues;
}
