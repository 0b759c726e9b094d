import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, userEnv } from './helpers.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'mlops-release-'));
const clone = path.join(scratch, 'clone');
const origin = path.join(scratch, 'origin.git');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const env = userEnv({
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@example.invalid',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@example.invalid',
});
const git = (...a: string[]) => execFileSync('git', a, { cwd: clone, env, encoding: 'utf8' }).trim();

function release(...a: string[]) {
  const r = spawnSync(process.execPath, [path.join(clone, 'scripts/release.mjs'), ...a], {
    cwd: clone,
    env,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

beforeAll(() => {
  // A clone of the committed history, plus this work's release files, committed there only.
  execFileSync('git', ['clone', '-q', '--no-local', repoRoot, clone], { env });
  git('checkout', '-q', '-B', 'main');
  for (const f of ['scripts/release.mjs', 'CHANGELOG.md', 'package.json']) {
    copyFileSync(path.join(repoRoot, f), path.join(clone, f));
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'release tooling', '--allow-empty');
  execFileSync('git', ['init', '-q', '--bare', origin], { env });
  git('remote', 'set-url', 'origin', origin);
  git('push', '-q', 'origin', 'main');
}, 300_000);

describe('scripts/release.mjs', () => {
  it('--dry-run prints the plan and changes nothing', () => {
    const before = git('rev-parse', 'HEAD');
    const r = release('0.1.0', '--dry-run', '--skip-ci-check', '--skip-bundle-check');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/release v0\.1\.0 from [0-9a-f]{12} on main \(dry run\)/);
    expect(r.out).toMatch(/CHANGELOG\.md: entry "## 0\.1\.0 — \d{4}-\d{2}-\d{2}"/);
    expect(r.out).toMatch(/git tag -a v0\.1\.0/);
    expect(r.out).toMatch(/git tag -fa v0 .*moves the major tag/);
    expect(r.out).toMatch(/git push --force origin v0/);
    expect(r.out).toMatch(/CHANGELOG entry:\nFirst release\./);
    expect(git('rev-parse', 'HEAD')).toBe(before);
    expect(git('status', '--porcelain')).toBe('');
    expect(git('tag', '--list')).toBe('');
  });

  it('refuses a dirty tree and says why, also in a dry run', () => {
    writeFileSync(path.join(clone, 'stray.txt'), 'x');
    const r = release('patch', '--dry-run', '--skip-ci-check', '--skip-bundle-check');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/not releasable:\n- the working tree is not clean:\n\?\? stray\.txt/);
    rmSync(path.join(clone, 'stray.txt'));
  });

  it('without a token it will not claim CI passed', () => {
    const r = release('patch', '--dry-run', '--skip-bundle-check');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cannot check CI: set GITHUB_TOKEN/);
  });

  it('releases 0.1.0, then 0.1.1 moves v0 and writes the changelog from the commits', () => {
    const first = release('0.1.0', '--skip-ci-check', '--skip-bundle-check', '--skip-build');
    expect(first.code, first.out).toBe(0);
    expect(git('rev-parse', 'v0.1.0^{commit}')).toBe(git('rev-parse', 'HEAD'));
    expect(git('rev-parse', 'v0^{commit}')).toBe(git('rev-parse', 'HEAD'));
    expect(execFileSync('git', ['ls-remote', '--tags', origin], { encoding: 'utf8' })).toMatch(
      /refs\/tags\/v0\.1\.0/,
    );
    expect(readFileSync(path.join(clone, 'CHANGELOG.md'), 'utf8')).toMatch(
      /## Unreleased\n\n## 0\.1\.0 — \d{4}-\d{2}-\d{2}\n\nFirst release\./,
    );

    writeFileSync(path.join(clone, 'fix.txt'), 'fixed\n');
    git('add', 'fix.txt');
    git('commit', '-q', '-m', 'Fix the thing');
    const second = release('patch', '--skip-ci-check', '--skip-bundle-check', '--skip-build');
    expect(second.code, second.out).toBe(0);
    const head = git('rev-parse', 'HEAD');
    expect(git('rev-parse', 'v0.1.1^{commit}')).toBe(head);
    expect(git('rev-parse', 'v0^{commit}')).toBe(head);
    expect(git('rev-parse', 'v0.1.0^{commit}')).not.toBe(head);
    expect(JSON.parse(readFileSync(path.join(clone, 'package.json'), 'utf8')).version).toBe('0.1.1');
    expect(readFileSync(path.join(clone, 'packages/core/src/version.ts'), 'utf8')).toContain(
      "TOOL_VERSION = '0.1.1'",
    );
    const changelog = readFileSync(path.join(clone, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/## 0\.1\.1 — [\d-]+\n\n- Fix the thing\n/);
    expect(changelog.indexOf('## 0.1.1')).toBeLessThan(changelog.indexOf('## 0.1.0'));
    const remoteTags = execFileSync('git', ['ls-remote', '--tags', origin], { encoding: 'utf8' });
    expect(remoteTags).toContain(`${git('rev-parse', 'v0')}\trefs/tags/v0\n`);
    // A released tag is never moved.
    const again = release('0.1.1', '--dry-run', '--skip-ci-check', '--skip-bundle-check');
    expect(again.out).toMatch(/tag v0\.1\.1 exists already/);
  });
});
