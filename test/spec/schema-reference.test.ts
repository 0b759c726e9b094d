import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = 'scripts/schema-reference.mjs';

async function script(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('scripts/schema-reference.mjs', () => {
  it('prints a table per section with key, type, default, description', async () => {
    const { code, stdout } = await script();
    expect(code).toBe(0);
    for (const section of ['### model', '### data', '### train', '### evaluate', '### report']) {
      expect(stdout).toContain(`${section}\n`);
    }
    expect(stdout).toContain('### evaluate\n');
    expect(stdout).toContain('| key | type | default | description |');
    expect(stdout).toContain(
      '| `batch-size` | integer | `4096` | Rows per inference batch (1 to 1000000). |',
    );
    expect(stdout).toContain(
      '| `task` | `binary-classification` \\| `multiclass-classification` \\| `regression` | **required** |',
    );
    expect(stdout).toContain('| `confidence.replicates` | integer | `1000` |');
    expect(stdout).toContain('| `on-missing-baseline` | `pass` \\| `warn` \\| `fail` | `fail` |');
  });

  it('--write replaces the marked block and --check then passes; a stale block fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ref-'));
    const readme = join(dir, 'README.md');
    await writeFile(
      readme,
      '# T\n\n<!-- mlops-reference:start -->\nold\n<!-- mlops-reference:end -->\n\nafter\n',
    );
    expect((await script('--check', readme)).code).toBe(1);
    expect((await script('--write', readme)).code).toBe(0);
    const text = await readFile(readme, 'utf8');
    const { stdout } = await script();
    expect(text).toBe(
      `# T\n\n<!-- mlops-reference:start -->\n${stdout}<!-- mlops-reference:end -->\n\nafter\n`,
    );
    expect((await script('--check', readme)).code).toBe(0);
  });

  it('missing markers or file exit 2 with a message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ref-'));
    const readme = join(dir, 'README.md');
    await writeFile(readme, '# no markers\n');
    const r = await script('--check', readme);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('markers');
    expect((await script('--write', join(dir, 'missing.md'))).code).toBe(2);
  });
});
