import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBinaryLabels, loadSettings } from '../../examples/breast-cancer/train.js';
import { loadSettings as loadRidgeSettings } from '../../examples/diabetes/train.js';
import { train as trainWine } from '../../examples/wine/train.js';
import { parseTrainArgs } from '../../examples/lib/cli.js';
import { readDataset } from '../../examples/lib/csv.js';
import { minimise } from '../../examples/lib/lbfgs.js';
import { fitStandardiser } from '../../examples/lib/standardise.js';
import { tempDir } from './helpers.js';

function file(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

describe('reading example data: errors name the file, line and column', () => {
  it('reads a well-formed file', () => {
    const d = readDataset(file('ok.csv', 'a,y,b\n1,0,2\n3,1,4\n'), 'y');
    expect(d).toMatchObject({
      features: ['a', 'b'],
      X: [
        [1, 2],
        [3, 4],
      ],
      y: [0, 1],
    });
  });

  it('rejects a missing file, a missing label column, ragged rows and non-numbers', () => {
    expect(() => readDataset('/nonexistent/train.csv', 'y')).toThrow(
      '/nonexistent/train.csv: cannot read the file (ENOENT)',
    );
    expect(() => readDataset(file('e.csv', ''), 'y')).toThrow(/e.csv: the file is empty/);
    expect(() => readDataset(file('h.csv', 'a,y\n'), 'y')).toThrow(/h.csv: no data rows/);
    expect(() => readDataset(file('l.csv', 'a,b\n1,2\n'), 'y')).toThrow(
      /l.csv: no column 'y' in the header \(columns: a, b\)/,
    );
    expect(() => readDataset(file('r.csv', 'a,y\n1,0\n1\n'), 'y')).toThrow(
      /r.csv:3: expected 2 fields like the header, got 1/,
    );
    expect(() => readDataset(file('n.csv', 'a,y\n1,0\nx,1\n'), 'y')).toThrow(
      /n.csv:3: column 'a' \(1\): 'x' is not a number/,
    );
    expect(() => readDataset(file('b.csv', 'a,y\n1,\n'), 'y')).toThrow(
      /b.csv:2: column 'y' \(2\): '' is not a number/,
    );
  });

  it('rejects labels outside the task with the row named', () => {
    const d = readDataset(file('bin.csv', 'a,malignant\n1,0\n2,2\n'), 'malignant');
    expect(() => checkBinaryLabels(d)).toThrow(/bin.csv:3: column 'malignant' must be 0 or 1, got 2/);
    const w = readDataset(file('wine.csv', 'a,cultivar\n1,0\n2,3\n'), 'cultivar');
    expect(() => trainWine(w, { C: 1, maxIter: 10, tolerance: 1e-6, features: ['a'] })).toThrow(
      /wine.csv:3: column 'cultivar' must be a class 0..2, got 3/,
    );
  });
});

describe('params.yml: errors name the file and field', () => {
  const columns = ['mean_radius', 'mean_texture'];
  it('reads both variants', () => {
    const p = file(
      'p.yml',
      'C: 2\nmax-iter: 50\ntolerance: 1e-6\nbaseline: { C: 0.1, features: [mean_radius] }\n',
    );
    expect(loadSettings(p, 'candidate', columns)).toEqual({
      C: 2,
      maxIter: 50,
      tolerance: 1e-6,
      features: columns,
    });
    expect(loadSettings(p, 'baseline', columns)).toEqual({
      C: 0.1,
      maxIter: 50,
      tolerance: 1e-6,
      features: ['mean_radius'],
    });
  });

  it('rejects missing files, bad YAML, bad numbers and unknown features', () => {
    expect(() => loadSettings('/nonexistent/params.yml', 'candidate', columns)).toThrow(
      /params.yml: cannot read the params file/,
    );
    expect(() => loadSettings(file('y.yml', 'C: [1\n'), 'candidate', columns)).toThrow(
      /y.yml: not valid YAML/,
    );
    expect(() => loadSettings(file('s.yml', '- 1\n'), 'candidate', columns)).toThrow(
      /s.yml: expected a mapping/,
    );
    expect(() =>
      loadSettings(file('c.yml', 'C: -1\nmax-iter: 5\ntolerance: 1e-6\n'), 'candidate', columns),
    ).toThrow(/c.yml: 'C' must be a positive number, got -1/);
    expect(() =>
      loadSettings(file('i.yml', 'C: 1\nmax-iter: 5.5\ntolerance: 1e-6\n'), 'candidate', columns),
    ).toThrow(/i.yml: 'max-iter' must be a whole number/);
    expect(() => loadSettings(file('t.yml', 'C: 1\nmax-iter: 5\n'), 'candidate', columns)).toThrow(
      /t.yml: 'tolerance' must be a positive number, got nothing/,
    );
    const base = 'C: 1\nmax-iter: 5\ntolerance: 1e-6\n';
    expect(() => loadSettings(file('b.yml', base), 'baseline', columns)).toThrow(
      /b.yml: 'baseline' must be a mapping/,
    );
    expect(() =>
      loadSettings(file('f.yml', base + 'baseline: { C: 1, features: [radius] }\n'), 'baseline', columns),
    ).toThrow(/f.yml: 'baseline.features' names 'radius', which is not a feature column/);
    expect(() => loadRidgeSettings(file('a.yml', 'alpha: 0\n'), 'candidate', ['bmi'])).toThrow(
      /a.yml: 'alpha' must be a positive number/,
    );
  });
});

describe('trainer command line and numerics', () => {
  it('parses the train flags and rejects an unknown variant', () => {
    expect(parseTrainArgs(['--variant', 'baseline', '--out', 'm.onnx'])).toMatchObject({
      variant: 'baseline',
      out: 'm.onnx',
    });
    expect(() => parseTrainArgs(['--variant', 'best'])).toThrow(
      /--variant must be 'candidate' or 'baseline', got 'best'/,
    );
    expect(() => parseTrainArgs(['--bogus'])).toThrow(/bogus/);
  });

  it('L-BFGS finds the minimum of the Rosenbrock function and reports convergence honestly', () => {
    const rosenbrock = ([x, y]: number[]) => ({
      value: (1 - x!) ** 2 + 100 * (y! - x! ** 2) ** 2,
      gradient: [-2 * (1 - x!) - 400 * x! * (y! - x! ** 2), 200 * (y! - x! ** 2)],
    });
    const r = minimise(rosenbrock, [-1.2, 1], { maxIter: 500, tolerance: 1e-8 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
    expect(minimise(rosenbrock, [-1.2, 1], { maxIter: 3, tolerance: 1e-8 }).converged).toBe(false);
  });

  it('standardises like StandardScaler, keeping constant columns at scale 1', () => {
    expect(
      fitStandardiser([
        [1, 5],
        [3, 5],
      ]),
    ).toEqual({ mean: [2, 5], scale: [1, 1] });
  });
});
