import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputLog, startServer, type InputLogRow } from '@mlops-actions/serve';
import { BREAST_CANCER, evalRows, identityModel, inferBody, post } from './helpers.js';

const bc = evalRows('breast-cancer', 'malignant');
const tmp = (p: string) => mkdtempSync(path.join(tmpdir(), p));
const readRows = (dir: string): InputLogRow[] =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n'))
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as InputLogRow);

describe('--log-inputs', () => {
  it('writes one JSON line per row: features by name, outputs, prediction; no secrets', async () => {
    const dir = tmp('serve-log-');
    const s = await startServer({
      model: BREAST_CANCER,
      name: 'bc',
      threads: 1,
      featureNames: bc.names,
      apiKeys: ['do-not-log-me'],
      logInputs: { dir },
    });
    const auth = { authorization: 'Bearer do-not-log-me' };
    const objects = bc.rows.slice(0, 3).map((r) => Object.fromEntries(bc.names.map((n, j) => [n, r[j]])));
    const p = await post(`${s.url}/v2/models/bc/predict`, { id: 'p', rows: objects }, auth);
    expect(p.status).toBe(200);
    const i = await post(`${s.url}/v2/models/bc/infer`, inferBody(bc.rows.slice(3, 5), 'i'), auth);
    expect(i.status).toBe(200);
    await s.close();

    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^inputs-\d{4}-\d{2}-\d{2}-000\.jsonl$/);
    expect(files[0]!.slice(7, 17)).toBe(new Date().toISOString().slice(0, 10));
    const text = readFileSync(path.join(dir, files[0]!), 'utf8');
    expect(text).not.toContain('do-not-log-me');
    expect(text.toLowerCase()).not.toContain('authorization');
    const rows = readRows(dir);
    expect(rows.map((r) => [r.route, r.request_id])).toEqual([
      ['predict', 'p'],
      ['predict', 'p'],
      ['predict', 'p'],
      ['infer', 'i'],
      ['infer', 'i'],
    ]);
    rows.forEach((r, k) => {
      expect(r.model).toBe('bc');
      expect(r.version).toBe('1');
      expect(Date.parse(r.ts)).not.toBeNaN();
      // The model's float32 view of what was sent.
      expect(r.features).toEqual(
        Object.fromEntries(bc.names.map((n, j) => [n, Math.fround(bc.rows[k]![j]!)])),
      );
      expect(Object.keys(r.outputs)).toEqual(['label', 'probabilities']);
      expect(r.prediction!.label).toBe(r.outputs.label);
      expect(r.prediction!.probabilities).toEqual(r.outputs.probabilities);
      expect(r.prediction!.score).toBe((r.outputs.probabilities as number[])[1]);
    });
    expect(rows.slice(0, 3).map((r) => r.prediction!.score)).toEqual(p.json.scores);
  });

  it('names features input[j] without feature names, and keeps non-float datatypes readable', async () => {
    const dir = tmp('serve-log-types-');
    const s = await startServer({ model: identityModel(), name: 'id', threads: 1, logInputs: { dir } });
    const types: [string, unknown[]][] = [
      ['BOOL', [true, false]],
      ['UINT8', [1, 2]],
      ['UINT16', [1, 2]],
      ['UINT32', [1, 2]],
      ['UINT64', [1, 2]],
      ['INT8', [-1, 2]],
      ['INT16', [1, 2]],
      ['INT32', [1, 2]],
      ['INT64', [-5, 6]],
      ['FP32', [0.5, 1]],
      ['FP64', [0.1, 2]],
      ['BYTES', ['a', 'b']],
    ];
    const r = await post(`${s.url}/v2/models/id/infer`, {
      inputs: types.map(([t, data]) => ({ name: `in_${t}`, datatype: t, shape: [1, 2], data })),
    });
    expect(r.status).toBe(200);
    await s.close();
    const [row] = readRows(dir);
    expect(row!.features['in_BOOL[0]']).toBe(true);
    expect(row!.features['in_INT64[0]']).toBe(-5);
    expect(row!.features['in_FP64[0]']).toBe(0.1);
    expect(row!.features['in_BYTES[1]']).toBe('b');
    expect(row!.outputs.out_INT8).toEqual([-1, 2]);
  });

  it('samples rows at the given rate', async () => {
    const dir = tmp('serve-log-sample-');
    let k = 0;
    const log = new InputLog({ dir, sampleRate: 0.25, random: () => ((k++ % 4) + 0.5) / 4 });
    const picked = Array.from({ length: 100 }, () => log.sample()).filter(Boolean).length;
    expect(picked).toBe(25);
  });

  it('rotates past max-file-bytes, continues numbering, deletes the oldest past max-total-bytes, starts a new file each UTC day', async () => {
    const dir = tmp('serve-log-rotate-');
    let now = new Date('2026-12-01T23:59:00Z');
    const opts = { dir, maxFileBytes: 1000, maxTotalBytes: 3000, now: () => now };
    const row = (i: number): InputLogRow => ({
      ts: now.toISOString(),
      model: 'm',
      version: '1',
      route: 'predict',
      features: { i, pad: 'x'.repeat(60) },
      outputs: {},
    });
    const log = new InputLog(opts);
    for (let i = 0; i < 100; i++) {
      log.write(row(i));
      if (i % 10 === 9) await log.flush();
    }
    await log.flush();
    let files = readdirSync(dir).sort();
    for (const f of files) expect(statSync(path.join(dir, f)).size).toBeLessThanOrEqual(1000);
    const total = files.reduce((s, f) => s + statSync(path.join(dir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(3000);
    // The newest rows survive, the oldest files went.
    const kept = readRows(dir).map((r) => r.features.i as number);
    expect(kept.at(-1)).toBe(99);
    expect(kept[0]).toBeGreaterThan(0);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, j) => kept[0]! + j));
    expect(files.every((f) => f.startsWith('inputs-2026-12-01-'))).toBe(true);
    const lastPart = Number(files.at(-1)!.slice(-9, -6));
    expect(lastPart).toBeGreaterThan(3);

    // A restarted server continues the day's newest part (or the next, when that one is full).
    const again = new InputLog(opts);
    again.write(row(100));
    await again.flush();
    const newest = readdirSync(dir).sort().at(-1)!;
    expect([lastPart, lastPart + 1]).toContain(Number(newest.slice(-9, -6)));
    expect(readRows(dir).at(-1)!.features.i).toBe(100);

    now = new Date('2026-12-02T00:00:01Z');
    again.write(row(101));
    await again.flush();
    files = readdirSync(dir).sort();
    expect(files.at(-1)).toBe('inputs-2026-12-02-000.jsonl');
    expect(readRows(dir).at(-1)!.features.i).toBe(101);
  });

  it('drops rows instead of growing without bound when the disk cannot keep up', () => {
    const log = new InputLog({ dir: tmp('serve-log-drop-'), maxBufferBytes: 500 });
    for (let i = 0; i < 50; i++) {
      log.write({
        ts: '',
        model: 'm',
        version: '1',
        route: 'infer',
        features: { pad: 'y'.repeat(100) },
        outputs: {},
      });
    }
    expect(log.dropped).toBeGreaterThan(40);
    return log.flush();
  });
});
