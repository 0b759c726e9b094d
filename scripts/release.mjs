#!/usr/bin/env node
// Cuts a release the way actions/checkout and docker/build-push-action do: an immutable tag vX.Y.Z
// and a major tag vX that moves to the newest vX.*.* release, so `uses: …@v0` follows fixes while
// `uses: …@<full sha> # v0.1.0` stays pinned.
//
//   node scripts/release.mjs patch|minor|major|X.Y.Z [--dry-run] [--no-push] [--remote origin]
//     [--branch main] [--skip-ci-check] [--skip-bundle-check] [--skip-build]
//   The first release names the version already in package.json: node scripts/release.mjs 0.1.0
//
// Preconditions (checked first, also in --dry-run): a clean working tree on the release branch,
// the committed bundles equal a fresh build (`node scripts/build.mjs --check`), CI passed on HEAD
// (GitHub's combined status and check runs for the commit; needs GITHUB_TOKEN or GH_TOKEN), and the
// new tag does not exist. Then: bump package.json, package-lock.json and TOOL_VERSION, move the
// "Unreleased" section of CHANGELOG.md under the new version, rebuild the bundles (they embed
// TOOL_VERSION), commit, tag vX.Y.Z, move vX, push. --dry-run prints this plan and changes nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.MLOPS_RELEASE_ROOT || join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const dryRun = flag('--dry-run');
const push = !flag('--no-push');
const remote = option('--remote', 'origin');
const branch = option('--branch', 'main');
const bump = args.find((a, i) => !a.startsWith('--') && !['--remote', '--branch'].includes(args[i - 1]));

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

function git(...a) {
  return execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
}

function gitOk(...a) {
  return spawnSync('git', a, { cwd: root, encoding: 'utf8' }).status === 0;
}

if (!bump) {
  fail('usage: node scripts/release.mjs patch|minor|major|X.Y.Z [--dry-run] [--no-push] (see the header)');
}

const pkgPath = join(root, 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
const current = pkg.version;
const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(current);
if (!m) fail(`package.json version '${current}' is not X.Y.Z`);
const [maj, min, pat] = m.slice(1).map(Number);
const next =
  bump === 'major'
    ? `${maj + 1}.0.0`
    : bump === 'minor'
      ? `${maj}.${min + 1}.0`
      : bump === 'patch'
        ? `${maj}.${min}.${pat + 1}`
        : /^\d+\.\d+\.\d+$/.test(bump)
          ? bump
          : fail(`'${bump}' is not patch, minor, major or X.Y.Z`);
// An explicit X.Y.Z may equal the current version: the first release (0.1.0) is cut that way.
const version = next;
const tag = `v${version}`;
const major = `v${version.split('.')[0]}`;
const today = new Date().toISOString().slice(0, 10);

// ── preconditions ──────────────────────────────────────────────────────────────────────────────
const problems = [];
const dirty = git('status', '--porcelain');
if (dirty) problems.push(`the working tree is not clean:\n${dirty}`);
const head = git('rev-parse', 'HEAD');
const onBranch = git('rev-parse', '--abbrev-ref', 'HEAD');
if (onBranch !== branch)
  problems.push(`HEAD is on '${onBranch}', not the release branch '${branch}' (--branch)`);
if (gitOk('rev-parse', '-q', '--verify', `refs/tags/${tag}`)) problems.push(`tag ${tag} exists already`);
if (!flag('--skip-bundle-check')) {
  console.log('checking that the committed bundles equal a fresh build (node scripts/build.mjs --check)…');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) problems.push(`bundles are stale or do not build:\n${(r.stdout + r.stderr).trim()}`);
}
if (!flag('--skip-ci-check')) {
  const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN;
  const slug = /github\.com[/:]([^/]+\/[^/.]+)/.exec(pkg.repository?.url ?? '')?.[1];
  if (!token || !slug) {
    problems.push(
      'cannot check CI: set GITHUB_TOKEN (or GH_TOKEN), or pass --skip-ci-check after checking it yourself',
    );
  } else {
    const api = (p) =>
      fetch(`https://api.github.com/repos/${slug}${p}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
      }).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${p}: HTTP ${r.status}`))));
    try {
      const [status, checks] = await Promise.all([
        api(`/commits/${head}/status`),
        api(`/commits/${head}/check-runs?per_page=100`),
      ]);
      const runs = checks.check_runs ?? [];
      const bad = runs.filter(
        (c) => c.status !== 'completed' || !['success', 'skipped', 'neutral'].includes(c.conclusion),
      );
      if (runs.length === 0 && status.total_count === 0) problems.push(`no CI ran on ${head}`);
      if (bad.length)
        problems.push(
          `CI on ${head}: ${bad.map((c) => `${c.name}: ${c.conclusion ?? c.status}`).join(', ')}`,
        );
      if (status.total_count > 0 && status.state !== 'success')
        problems.push(`commit status on ${head}: ${status.state}`);
    } catch (err) {
      problems.push(`cannot read CI results: ${err.message}`);
    }
  }
}

// ── the changes ────────────────────────────────────────────────────────────────────────────────
const changelogPath = join(root, 'CHANGELOG.md');
const changelog = readFileSync(changelogPath, 'utf8');
function changelogWithRelease() {
  const heading = `## ${version} — ${today}`;
  if (changelog.includes(`\n## ${version}\n`) || changelog.includes(`\n## ${version} `)) {
    // The entry was written by hand (the first release): date it and keep it.
    return changelog.replace(
      new RegExp(`\\n## ${version.replace(/\./g, '\\.')}( — [\\d-]+)?\\n`),
      `\n${heading}\n`,
    );
  }
  const at = changelog.indexOf('## Unreleased');
  if (at < 0) fail('CHANGELOG.md has no "## Unreleased" section');
  const bodyStart = changelog.indexOf('\n', at) + 1;
  const nextHeading = changelog.indexOf('\n## ', bodyStart);
  const body = changelog.slice(bodyStart, nextHeading < 0 ? undefined : nextHeading + 1).trim();
  let entry = body;
  if (!entry) {
    const since = gitOk('rev-parse', '-q', '--verify', `refs/tags/v${current}`)
      ? `v${current}..HEAD`
      : 'HEAD';
    const subjects = git('log', '--no-merges', '--format=- %s', since);
    entry = subjects || '- Maintenance release.';
  }
  const rest = nextHeading < 0 ? '' : changelog.slice(nextHeading + 1);
  return `${changelog.slice(0, at)}## Unreleased\n\n${heading}\n\n${entry}\n\n${rest}`.replace(
    /\n{3,}/g,
    '\n\n',
  );
}

const versionTs = join(root, 'packages', 'core', 'src', 'version.ts');
const lockPath = join(root, 'package-lock.json');
const plan = [
  ...(version !== current ? [`package.json, package-lock.json: version ${current} → ${version}`] : []),
  ...(version !== current ? [`packages/core/src/version.ts: TOOL_VERSION → '${version}'`] : []),
  `CHANGELOG.md: entry "## ${version} — ${today}"`,
  ...(flag('--skip-build') ? [] : ['node scripts/build.mjs (the bundles embed TOOL_VERSION)']),
  `git commit -am "Release ${tag}"`,
  `git tag -a ${tag} -m "${tag}"`,
  `git tag -fa ${major} -m "${major} → ${tag}"   (moves the major tag)`,
  ...(push
    ? [
        `git push ${remote} HEAD:${branch}`,
        `git push ${remote} ${tag}`,
        `git push --force ${remote} ${major}`,
      ]
    : ['(no push: --no-push)']),
  `then: npm publish from a clean checkout of ${tag}; gh release create ${tag} --notes-from-tag`,
];

console.log(`release ${tag} from ${head.slice(0, 12)} on ${onBranch}${dryRun ? ' (dry run)' : ''}`);
if (problems.length) {
  console.error(`\nnot releasable:\n- ${problems.join('\n- ')}`);
  if (!dryRun) process.exit(1);
}
console.log(`\nplan:\n${plan.map((p, i) => `  ${i + 1}. ${p}`).join('\n')}`);
if (dryRun) {
  console.log(
    `\nCHANGELOG entry:\n${changelogWithRelease().split(`## ${version} — ${today}`)[1]?.split('\n## ')[0]?.trim()}`,
  );
  process.exit(problems.length ? 1 : 0);
}

// ── do it ──────────────────────────────────────────────────────────────────────────────────────
if (version !== current) {
  pkg.version = version;
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  lock.version = version;
  if (lock.packages?.['']) lock.packages[''].version = version;
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  const ts = readFileSync(versionTs, 'utf8');
  writeFileSync(versionTs, ts.replace(/TOOL_VERSION = '[^']*'/, `TOOL_VERSION = '${version}'`));
}
writeFileSync(changelogPath, changelogWithRelease());
if (!flag('--skip-build')) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0)
    fail('node scripts/build.mjs failed; nothing was committed (git checkout . undoes the bump)');
}
git('commit', '-am', `Release ${tag}`);
git('tag', '-a', tag, '-m', tag);
git('tag', '-fa', major, '-m', `${major} → ${tag}`);
console.log(`tagged ${tag} and moved ${major} to ${git('rev-parse', 'HEAD').slice(0, 12)}`);
if (push) {
  git('push', remote, `HEAD:${branch}`);
  git('push', remote, tag);
  git('push', '--force', remote, major);
  console.log(`pushed ${branch}, ${tag} and ${major} to ${remote}`);
}
