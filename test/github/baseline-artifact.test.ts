import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../packages/core/src/errors.js';
import { createArtifactBaselineResolver, workflowFileFromRef } from '../../packages/github/src/index.js';
import type { ArtifactBaselineOptions } from '../../packages/github/src/index.js';
import type { FakeArtifact, FakeGitHub, FakeRun } from './fake-github.js';
import { client, startFake } from './helpers.js';

const RUNS = '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs';
const ARTIFACTS = '/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts';
const MODEL = { kind: 'artifact', workflow: 'pr.yml', branch: 'main', name: 'model' } as const;

function run(id: number, day: number, artifacts: FakeArtifact[], extra: Partial<FakeRun> = {}): FakeRun {
  const created_at = `2025-11-${String(day).padStart(2, '0')}T09:30:00Z`;
  return { id, workflow: 'pr.yml', branch: 'main', conclusion: 'success', created_at, artifacts, ...extra };
}

describe('artifact baseline resolver', () => {
  let fake: FakeGitHub;
  let dir: string;
  /** What the injected download unpacks per artifact id: relative path → content. */
  let contents: Map<number, Record<string, string>>;
  let downloads: { artifactId: number; runId: number; dir: string }[];
  let logs: string[];

  beforeEach(async () => {
    fake = await startFake();
    dir = await mkdtemp(join(tmpdir(), 'baseline-artifact-'));
    contents = new Map();
    downloads = [];
    logs = [];
  });
  afterEach(async () => {
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
    expect(fake.violations).toEqual([]);
  });

  function resolver(over: Partial<ArtifactBaselineOptions> = {}) {
    return createArtifactBaselineResolver({
      octokit: client(fake),
      owner: 'acme',
      repo: 'churn',
      token: 'unused-by-injected-download',
      downloadDir: dir,
      log: (m) => logs.push(m),
      // @actions/artifact would follow a signed redirect to Azure blob storage, which cannot run
      // here; this stand-in unpacks known files the way the real download does.
      download: async (artifactId, runId, into) => {
        downloads.push({ artifactId, runId, dir: into });
        for (const [rel, body] of Object.entries(contents.get(artifactId) ?? {})) {
          await mkdir(dirname(join(into, rel)), { recursive: true });
          await writeFile(join(into, rel), body);
        }
      },
      ...over,
    });
  }

  it('takes the newest successful run of the workflow on the branch', async () => {
    fake.addRun('acme', 'churn', run(101, 16, [{ id: 9001, name: 'model' }]));
    fake.addRun('acme', 'churn', run(103, 18, [{ id: 9003, name: 'model' }]));
    fake.addRun('acme', 'churn', run(102, 17, [{ id: 9002, name: 'model' }]));
    fake.addRun('acme', 'churn', run(104, 19, [{ id: 9004, name: 'model' }], { conclusion: 'failure' }));
    fake.addRun('acme', 'churn', run(105, 20, [{ id: 9005, name: 'model' }], { branch: 'feature' }));
    fake.addRun('acme', 'churn', run(106, 21, [{ id: 9006, name: 'model' }], { workflow: 'nightly.yml' }));
    fake.addRun('acme', 'churn', run(107, 22, [{ id: 9007, name: 'model' }], { conclusion: null }));
    contents.set(9003, { 'model.onnx': 'onnx-103' });

    const got = await resolver().resolve(MODEL);

    expect(got?.source).toBe('artifact model from run 103 (pr.yml on main, 2025-11-18)');
    expect(got?.path).toBe(join(dir, 'artifact-9003', 'model.onnx'));
    expect(await readFile(got?.path ?? '', 'utf8')).toBe('onnx-103');
    expect(downloads).toEqual([{ artifactId: 9003, runId: 103, dir: join(dir, 'artifact-9003') }]);
    expect(fake.count('GET', RUNS)).toBe(1);
    expect(fake.count('GET', ARTIFACTS)).toBe(1);
  });

  it('skips a run without the artifact, and an expired one, for an older run', async () => {
    fake.addRun('acme', 'churn', run(201, 10, [{ id: 9201, name: 'model' }]));
    fake.addRun('acme', 'churn', run(202, 11, [{ id: 9202, name: 'model', expired: true }]));
    fake.addRun('acme', 'churn', run(203, 12, [{ id: 9203, name: 'report' }]));
    fake.addRun('acme', 'churn', run(204, 13, []));
    contents.set(9201, { 'model.onnx': 'onnx-201' });

    const got = await resolver().resolve(MODEL);

    expect(got?.source).toBe('artifact model from run 201 (pr.yml on main, 2025-11-10)');
    expect(downloads.map((d) => d.artifactId)).toEqual([9201]);
    expect(fake.count('GET', ARTIFACTS)).toBe(4);
  });

  it('returns undefined with a reason when there is no successful run', async () => {
    fake.addWorkflow('acme', 'churn', 'pr.yml');
    fake.addRun('acme', 'churn', run(301, 10, [{ id: 9301, name: 'model' }], { conclusion: 'failure' }));
    expect(await resolver().resolve(MODEL)).toBeUndefined();
    expect(logs).toEqual(['no baseline model: no successful run of pr.yml on main']);
    expect(downloads).toEqual([]);
  });

  it('returns undefined when every artifact has expired', async () => {
    fake.addRun('acme', 'churn', run(401, 10, [{ id: 9401, name: 'model', expired: true }]));
    fake.addRun('acme', 'churn', run(402, 11, [{ id: 9402, name: 'other' }]));
    expect(await resolver().resolve(MODEL)).toBeUndefined();
    expect(logs).toEqual([
      'no baseline model: none of the latest 2 successful runs of pr.yml on main has a live artifact "model" (1 had it expired)',
    ]);
  });

  it('returns undefined when the workflow file does not exist (404)', async () => {
    expect(await resolver().resolve({ ...MODEL, workflow: 'gone.yml' })).toBeUndefined();
    expect(logs).toEqual(['no baseline model: workflow gone.yml not found in acme/churn']);
  });

  it('looks at the latest 30 successful runs over 3 pages, no further', async () => {
    for (let i = 0; i < 35; i++) fake.addRun('acme', 'churn', run(500 + i, 1 + (i % 28), []));
    // Oldest of all, so beyond the 30 runs looked at.
    fake.addRun('acme', 'churn', {
      ...run(499, 1, [{ id: 9499, name: 'model' }]),
      created_at: '2025-10-01T00:00:00Z',
    });
    expect(await resolver().resolve(MODEL)).toBeUndefined();
    expect(fake.count('GET', RUNS)).toBe(3);
    expect(fake.count('GET', ARTIFACTS)).toBe(30);
    expect(logs[0]).toMatch(/none of the latest 30 successful runs of pr\.yml on main/);
  });

  it('finds an artifact on the third page', async () => {
    for (let i = 0; i < 25; i++)
      fake.addRun('acme', 'churn', {
        ...run(600 + i, 1, []),
        created_at: `2025-11-20T10:${String(10 + i)}:00Z`,
      });
    fake.addRun('acme', 'churn', run(599, 2, [{ id: 9599, name: 'model' }]));
    contents.set(9599, { 'model.onnx': 'x' });
    const got = await resolver().resolve(MODEL);
    expect(got?.source).toBe('artifact model from run 599 (pr.yml on main, 2025-11-02)');
    expect(fake.count('GET', RUNS)).toBe(3);
  });

  it('uses the running workflow when the spec names none, and fails clearly without either', async () => {
    fake.addRun('acme', 'churn', run(701, 10, [{ id: 9701, name: 'model' }], { workflow: 'train.yaml' }));
    contents.set(9701, { 'out/model.onnx': 'x' });
    const spec = { kind: 'artifact', branch: 'main', name: 'model' } as const;
    const got = await resolver({ currentWorkflow: 'train.yaml' }).resolve(spec);
    expect(got?.path).toBe(join(dir, 'artifact-9701', 'out', 'model.onnx'));
    expect(got?.source).toBe('artifact model from run 701 (train.yaml on main, 2025-11-10)');
    await expect(resolver().resolve(spec)).rejects.toThrow(
      /evaluate\.baseline\.artifact\.workflow: not set.*GITHUB_WORKFLOW_REF/,
    );
  });

  it('fails naming the artifact and run when the artifact holds no .onnx file', async () => {
    fake.addRun('acme', 'churn', run(801, 10, [{ id: 9801, name: 'model' }]));
    contents.set(9801, { 'metrics.json': '{}', 'model.onnx.txt': 'not a model' });
    const err = await resolver()
      .resolve(MODEL)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('artifact "model" of run 801 (pr.yml on main): holds no .onnx file');
  });

  it('fails listing the files when several .onnx files are found and none matches model.path', async () => {
    fake.addRun('acme', 'churn', run(901, 10, [{ id: 9901, name: 'model' }]));
    contents.set(9901, { 'model.onnx': 'a', 'old/model.onnx': 'b' });
    await expect(resolver().resolve(MODEL)).rejects.toThrow(
      new InputError(
        'artifact "model" of run 901 (pr.yml on main): holds several .onnx files (model.onnx, old/model.onnx)',
      ),
    );
    await expect(resolver({ modelPath: 'elsewhere/net.onnx' }).resolve(MODEL)).rejects.toThrow(
      /several \.onnx files \(model\.onnx, old\/model\.onnx\), none of them at elsewhere\/net\.onnx$/,
    );
  });

  it('picks the file matching model.path among several', async () => {
    fake.addRun('acme', 'churn', run(1001, 10, [{ id: 10001, name: 'model' }]));
    // upload-artifact drops the common ancestor: artifacts/model.onnx comes back as model.onnx.
    contents.set(10001, { 'model.onnx': 'current', 'old/model.onnx': 'previous', 'x/Model.ONNX': 'z' });
    const viaTail = await resolver({ modelPath: './artifacts/model.onnx' }).resolve(MODEL);
    expect(await readFile(viaTail?.path ?? '', 'utf8')).toBe('current');
    const exact = await resolver({ modelPath: 'old/model.onnx' }).resolve(MODEL);
    expect(await readFile(exact?.path ?? '', 'utf8')).toBe('previous');
  });

  it('ignores files left in the download directory by an earlier download', async () => {
    fake.addRun('acme', 'churn', run(1101, 10, [{ id: 11001, name: 'model' }]));
    await mkdir(join(dir, 'artifact-11001'), { recursive: true });
    await writeFile(join(dir, 'artifact-11001', 'stale.onnx'), 'stale');
    await writeFile(join(dir, 'other.onnx'), 'other');
    contents.set(11001, { 'model.onnx': 'fresh' });
    const got = await resolver().resolve(MODEL);
    expect(await readFile(got?.path ?? '', 'utf8')).toBe('fresh');
  });

  it('propagates API errors other than 404', async () => {
    fake.addRun('acme', 'churn', run(1201, 10, [{ id: 12001, name: 'model' }]));
    const denied = resolver({ octokit: client(fake, 'ghp_unknowntoken', 0) }).resolve(MODEL);
    await expect(denied).rejects.toMatchObject({ status: 401 });
    expect(logs).toEqual([]);
  });

  it('rejects the registry kind until the registry exists', async () => {
    await expect(resolver().resolve({ kind: 'registry', registry: 'production' })).rejects.toThrow(
      new InputError(
        'evaluate.baseline.registry: the model registry is not yet available; use baseline.path, baseline.store or baseline.artifact',
      ),
    );
    expect(fake.requests).toEqual([]);
  });
});

describe('artifact baseline resolver through server faults', () => {
  it('retries 5xx answers and still finds the run', async () => {
    const fake = await startFake({ faults: { every: 2, kinds: ['500', '502'] } });
    try {
      fake.addRun('acme', 'churn', run(1301, 10, []));
      fake.addRun('acme', 'churn', run(1300, 9, [{ id: 13000, name: 'model' }]));
      const dir = await mkdtemp(join(tmpdir(), 'baseline-artifact-'));
      const got = await createArtifactBaselineResolver({
        octokit: client(fake),
        owner: 'acme',
        repo: 'churn',
        token: 't',
        downloadDir: dir,
        download: async (_id, _run, into) => writeFile(join(into, 'model.onnx'), 'm'),
      }).resolve(MODEL);
      await rm(dir, { recursive: true, force: true });
      expect(got?.source).toBe('artifact model from run 1300 (pr.yml on main, 2025-11-09)');
      expect(fake.requests.some((r) => r.fault)).toBe(true);
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.stop();
    }
  });
});

describe('workflowFileFromRef', () => {
  it.each([
    ['octo/repo/.github/workflows/pr.yml@refs/heads/main', 'pr.yml'],
    ['octo/repo/.github/workflows/train.yaml@refs/pull/42/merge', 'train.yaml'],
    ['octo/repo/.github/workflows/release.yml@refs/tags/v1.2@beta', 'release.yml'],
    ['octo/repo/.github/workflows/pr.yml', 'pr.yml'],
  ])('%s → %s', (ref, file) => {
    expect(workflowFileFromRef(ref)).toBe(file);
  });

  it.each([
    undefined,
    '',
    'pr.yml',
    'octo/repo/ci/pr.yml@refs/heads/main',
    'octo/repo/.github/workflows/@refs/x',
  ])('rejects %s', (ref) => {
    expect(workflowFileFromRef(ref)).toBeUndefined();
  });
});

describe('fake GitHub checks its Actions answers', () => {
  it('reports a runs list that misses a required field', async () => {
    const fake = await startFake();
    await fake.stop();
    expect(fake.responseProblems('GET', RUNS, 200, { total_count: 1 })).toEqual([
      "data must have required property 'workflow_runs'",
    ]);
    expect(fake.responseProblems('GET', ARTIFACTS, 200, { total_count: 0, artifacts: [] })).toEqual([]);
  });
});
