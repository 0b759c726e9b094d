import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { InputError } from '@mlops-actions/core';
import { statusOf } from './client.js';
import type { GitHubClient } from './client.js';

/** Fetches artifact `artifactId` of run `runId` and unpacks it into `dir`. */
export type DownloadArtifact = (artifactId: number, runId: number, dir: string) => Promise<void>;

export interface ArtifactBaselineOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** Token with `actions: read`, handed to @actions/artifact for the download. */
  token: string;
  /** Each artifact is unpacked into its own subdirectory `<downloadDir>/artifact-<id>`. */
  downloadDir: string;
  /** The running workflow's file name (see workflowFileFromRef), used when the spec names none. */
  currentWorkflow?: string;
  /** The spec's model.path: picks the model when the artifact holds several .onnx files. */
  modelPath?: string;
  /** Replaces the @actions/artifact download (tests: its blob-storage transfer cannot run here). */
  download?: DownloadArtifact;
  /** One line saying why no baseline was found. */
  log?: (message: string) => void;
}

/** Successful runs looked at, newest first, before concluding there is no baseline. */
const PER_PAGE = 10;
const MAX_PAGES = 3;

export const REGISTRY_NOT_AVAILABLE =
  'evaluate.baseline.registry: the model registry is not yet available; ' +
  'use baseline.path, baseline.store or baseline.artifact';

/**
 * The workflow file of `GITHUB_WORKFLOW_REF` (`octo/repo/.github/workflows/pr.yml@refs/heads/main`
 * → `pr.yml`); undefined when the value is absent or not of that shape.
 */
export function workflowFileFromRef(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const at = ref.indexOf('@');
  const path = at < 0 ? ref : ref.slice(0, at);
  return /^[^/]+\/[^/]+\/\.github\/workflows\/([^/]+\.ya?ml)$/.exec(path)?.[1];
}

function defaultDownload(token: string, owner: string, repo: string): DownloadArtifact {
  return async (artifactId, runId, dir) => {
    // Loaded on use: the CLI and most tests never download, and the package is heavy.
    const { DefaultArtifactClient } = await import('@actions/artifact');
    await new DefaultArtifactClient().downloadArtifact(artifactId, {
      path: dir,
      findBy: { token, workflowRunId: runId, repositoryOwner: owner, repositoryName: repo },
    });
  };
}

/** Relative paths (with `/`) of the .onnx files under dir, sorted. */
async function onnxFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const rel of await readdir(dir, { recursive: true })) {
    if (!rel.toLowerCase().endsWith('.onnx')) continue;
    if ((await stat(join(dir, rel))).isFile()) found.push(rel.split(sep).join('/'));
  }
  return found.sort();
}

/**
 * upload-artifact stores paths relative to the files' common ancestor, so `artifacts/model.onnx`
 * comes back as `model.onnx` (or `artifacts/model.onnx` inside a wider upload). The model is the
 * file whose path equals model.path, else the longest one that is a trailing part of it.
 */
function pickModel(files: string[], modelPath: string | undefined): string | undefined {
  if (files.length === 1) return files[0];
  if (!modelPath) return undefined;
  const want = modelPath.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  const exact = files.find((f) => f === want);
  if (exact) return exact;
  const tails = files.filter((f) => want.endsWith(`/${f}`)).sort((a, b) => b.length - a.length);
  return tails[0];
}

interface Candidate {
  runId: number;
  createdAt: string;
  artifactId: number;
}

/** The baselines this resolver is asked for: evaluate's `artifact` and `registry` forms. */
export type ArtifactBaselineRequest =
  | { kind: 'artifact'; workflow?: string; branch: string; name: string }
  | { kind: 'registry'; registry: string };

/** A model file found for a baseline, with where it came from (evaluate's BaselineModel). */
export interface FoundBaseline {
  path: string;
  source: string;
}

export function createArtifactBaselineResolver(opts: ArtifactBaselineOptions): {
  resolve(spec: ArtifactBaselineRequest): Promise<FoundBaseline | undefined>;
} {
  const { octokit, owner, repo } = opts;
  const log = opts.log ?? (() => {});
  const download = opts.download ?? defaultDownload(opts.token, owner, repo);

  async function findCandidate(
    workflow: string,
    branch: string,
    name: string,
  ): Promise<Candidate | { missing: string }> {
    let seen = 0;
    let expired = 0;
    for (let page = 1; page <= MAX_PAGES; page++) {
      let runs;
      try {
        runs = await octokit.rest.actions.listWorkflowRuns({
          owner,
          repo,
          workflow_id: workflow,
          branch,
          status: 'success',
          exclude_pull_requests: true,
          per_page: PER_PAGE,
          page,
        });
      } catch (err) {
        if (statusOf(err) === 404) return { missing: `workflow ${workflow} not found in ${owner}/${repo}` };
        throw err;
      }
      for (const run of runs.data.workflow_runs) {
        seen++;
        let artifacts;
        try {
          artifacts = await octokit.rest.actions.listWorkflowRunArtifacts({
            owner,
            repo,
            run_id: run.id,
            name,
            per_page: 100,
          });
        } catch (err) {
          // The run was deleted between the two calls: look further back.
          if (statusOf(err) === 404) continue;
          throw err;
        }
        const named = artifacts.data.artifacts.filter((a) => a.name === name);
        const live = named.find((a) => !a.expired);
        if (live) return { runId: run.id, createdAt: run.created_at, artifactId: live.id };
        if (named.length) expired++;
      }
      if (runs.data.workflow_runs.length < PER_PAGE || seen >= runs.data.total_count) break;
    }
    const where = `${workflow} on ${branch}`;
    if (!seen) return { missing: `no successful run of ${where}` };
    const why = expired ? ` (${expired} had it expired)` : '';
    return {
      missing: `none of the latest ${seen} successful runs of ${where} has a live artifact "${name}"${why}`,
    };
  }

  return {
    async resolve(spec: ArtifactBaselineRequest) {
      if (spec.kind === 'registry') throw new InputError(REGISTRY_NOT_AVAILABLE);
      const workflow = spec.workflow ?? opts.currentWorkflow;
      if (!workflow) {
        throw new InputError(
          'evaluate.baseline.artifact.workflow: not set, and the running workflow is unknown ' +
            '(GITHUB_WORKFLOW_REF is not set); name the workflow file, e.g. workflow: pr.yml',
        );
      }
      const found = await findCandidate(workflow, spec.branch, spec.name);
      if ('missing' in found) {
        log(`no baseline model: ${found.missing}`);
        return undefined;
      }
      const label = `artifact "${spec.name}" of run ${found.runId} (${workflow} on ${spec.branch})`;
      // A fresh directory per artifact, so files of an earlier download are never mistaken for it.
      const dir = join(opts.downloadDir, `artifact-${found.artifactId}`);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await download(found.artifactId, found.runId, dir);
      const files = await onnxFiles(dir);
      if (!files.length) throw new InputError(`${label}: holds no .onnx file`);
      const model = pickModel(files, opts.modelPath);
      if (!model) {
        const hint = opts.modelPath ? `, none of them at ${opts.modelPath}` : '';
        throw new InputError(`${label}: holds several .onnx files (${files.join(', ')})${hint}`);
      }
      const day = found.createdAt.slice(0, 10);
      return {
        path: join(dir, model),
        source: `artifact ${spec.name} from run ${found.runId} (${workflow} on ${spec.branch}, ${day})`,
      } satisfies FoundBaseline;
    },
  };
}
