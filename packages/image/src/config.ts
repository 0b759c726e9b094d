/**
 * The image config (image-spec `config.md`) of a model-server image, derived from the base's
 * config so everything the base declares (Env, architecture, variant, history) carries over.
 */

/** Image-spec config; fields we do not touch are kept as the base wrote them. */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
  [key: string]: unknown;
}

export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  /**
   * Not in the OCI image spec (which has no health check): Docker's field, which buildkit writes
   * into OCI configs too and which Docker, Podman and containerd-based tools read. Durations are
   * nanoseconds (Go's time.Duration in JSON).
   */
  Healthcheck?: Healthcheck;
  [key: string]: unknown;
}

export interface Healthcheck {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
  author?: string;
}

export const SECOND_NS = 1_000_000_000;

/** Epoch seconds → the RFC 3339 form image configs use (`1970-01-01T00:00:00Z`). */
export function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

export interface ConfigChanges {
  created: string;
  user: string;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  workingDir: string;
  port: number;
  labels: Record<string, string>;
  healthcheck: Healthcheck;
  /** One per added layer, in order. */
  layers: { diffId: string; createdBy: string; comment?: string }[];
}

/** Env entries of the base with ours set on top (same name → ours, in the base's position). */
export function mergeEnv(base: readonly string[] | undefined, ours: Record<string, string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const entry of base ?? []) {
    const name = entry.split('=', 1)[0] ?? entry;
    if (name in ours) {
      out.push(`${name}=${ours[name]}`);
      seen.add(name);
    } else {
      out.push(entry);
    }
  }
  for (const [name, value] of Object.entries(ours)) if (!seen.has(name)) out.push(`${name}=${value}`);
  return out;
}

function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The new config: a copy of the base's with our layers, process and metadata. Objects with
 * free-form keys (Labels, ExposedPorts) are written with sorted keys so the JSON, and therefore
 * the digest, depends only on the content.
 */
export function deriveConfig(base: ImageConfig, changes: ConfigChanges): ImageConfig {
  const cfg: ContainerConfig = { ...(base.config ?? {}) };
  cfg.User = changes.user;
  cfg.ExposedPorts = sortedRecord({ ...(cfg.ExposedPorts ?? {}), [`${changes.port}/tcp`]: {} });
  cfg.Env = mergeEnv(cfg.Env, changes.env);
  // Cmd is set even when the base had one: with a new Entrypoint, the base's Cmd would otherwise be
  // appended to ours as arguments.
  cfg.Entrypoint = [...changes.entrypoint];
  cfg.Cmd = [...changes.cmd];
  cfg.WorkingDir = changes.workingDir;
  cfg.Labels = sortedRecord({ ...(cfg.Labels ?? {}), ...changes.labels });
  cfg.Healthcheck = changes.healthcheck;
  const out: ImageConfig = {
    ...base,
    created: changes.created,
    config: cfg,
    rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, ...changes.layers.map((l) => l.diffId)] },
  };
  // History entries must match non-empty layers one to one; a base without history gets none
  // from us either, so the counts never disagree.
  if (Array.isArray(base.history)) {
    out.history = [
      ...base.history,
      ...changes.layers.map((l) => ({
        created: changes.created,
        created_by: l.createdBy,
        ...(l.comment !== undefined ? { comment: l.comment } : {}),
      })),
    ];
  }
  return out;
}
