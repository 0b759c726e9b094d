/**
 * Benchmark data: reference and current CSV files of ROWS rows × 30 numeric features (default 1M),
 * written in the same format a pandas-written file has. Features 0-2 drift in the current file
 * (shift, scale, a mixture); 20 and more are rounded to few values (discrete features).
 * Usage: node --import tsx bench/drift/generate.ts [--rows N] [--out DIR]
 */
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};
const rows = Number(opt('--rows', '1000000'));
const out = opt('--out', 'bench/out/drift');
const D = 30;
mkdirSync(out, { recursive: true });

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function write(path: string, seed: number, drift: boolean): Promise<void> {
  const marker = `${path}.rows`;
  if (existsSync(path) && existsSync(marker) && statSync(marker).size > 0) {
    const { readFileSync } = await import('node:fs');
    if (readFileSync(marker, 'utf8').trim() === String(rows)) return;
  }
  const r = mulberry(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const ws = createWriteStream(path);
  ws.write(Array.from({ length: D }, (_, j) => `f${j}`).join(',') + '\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const cells: string[] = [];
    for (let j = 0; j < D; j++) {
      let v = 10 + j + (1 + j / 10) * normal();
      if (drift && j === 0) v += 0.3;
      if (drift && j === 1) v = 11 + (v - 11) * 1.2;
      if (drift && j === 2 && r() < 0.1) v += 5;
      cells.push(j >= 20 ? String(Math.round(v)) : v.toPrecision(7));
    }
    buf += cells.join(',') + '\n';
    if (buf.length > 1 << 20) {
      if (!ws.write(buf)) await new Promise<void>((res) => ws.once('drain', () => res()));
      buf = '';
    }
  }
  ws.write(buf);
  await new Promise<void>((res) => ws.end(res));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(marker, String(rows));
}

await write(join(out, 'reference.csv'), 1, false);
await write(join(out, 'current.csv'), 2, true);
console.log(`${out}/reference.csv and current.csv: ${rows} rows × ${D} features`);
