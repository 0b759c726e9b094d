import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@mlops-actions/serve';
import {
  BREAST_CANCER,
  DIABETES,
  IDENTITY_TYPES,
  evalRows,
  get,
  identityModel,
  inferBody,
  post,
  type IdentityType,
} from './helpers.js';
import { assertOip } from './oip-schema.js';

let bc: RunningServer;
let ident: RunningServer;
let reg: RunningServer;
const { rows, names } = evalRows('breast-cancer', 'malignant');

beforeAll(async () => {
  [bc, ident, reg] = await Promise.all([
    startServer({ model: BREAST_CANCER, name: 'breast-cancer', threads: 1, featureNames: names }),
    startServer({ model: identityModel(), name: 'identity', version: 'v7', threads: 1 }),
    startServer({ model: DIABETES, name: 'diabetes', threads: 1 }),
  ]);
});

afterAll(async () => {
  await Promise.all([bc?.close(), ident?.close(), reg?.close()]);
});

describe("the transcribed schemas accept the protocol document's own examples", () => {
  it('inference request and response examples (inference_rest.md)', () => {
    assertOip('inference_request', {
      id: '42',
      inputs: [
        { name: 'input0', shape: [2, 2], datatype: 'UINT32', data: [1, 2, 3, 4] },
        { name: 'input1', shape: [3], datatype: 'BOOL', data: [true] },
      ],
      outputs: [{ name: 'output0' }],
    });
    assertOip('inference_response', {
      model_name: 'mymodel',
      id: '42',
      outputs: [{ name: 'output0', shape: [3, 2], datatype: 'FP32', data: [1.0, 1.1, 2.0, 2.1, 3.0, 3.1] }],
    });
    // Nested natural representation: "data" : [ [ 1, 2 ], [ 4, 5 ] ].
    assertOip('inference_request', {
      inputs: [
        {
          name: 'x',
          shape: [2, 2],
          datatype: 'INT32',
          data: [
            [1, 2],
            [4, 5],
          ],
        },
      ],
    });
    expect(() => assertOip('inference_response', { outputs: [] })).toThrow(/model_name/);
    expect(() => assertOip('error_response', {})).toThrow(/error/);
  });
});

describe('OIP health and metadata', () => {
  it('binds 127.0.0.1 by default and answers the health probes', async () => {
    expect(bc.host).toBe('127.0.0.1');
    expect(bc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const live = await get(`${bc.url}/v2/health/live`);
    expect(live.status).toBe(200);
    assertOip('live_server_response', live.json);
    expect(live.json.live).toBe(true);
    const ready = await get(`${bc.url}/v2/health/ready`);
    expect(ready.status).toBe(200);
    assertOip('ready_server_response', ready.json);
    expect(ready.json.ready).toBe(true);
  });

  it('serves server metadata', async () => {
    const r = await get(`${bc.url}/v2`);
    expect(r.status).toBe(200);
    assertOip('metadata_server_response', r.json);
    expect(r.json.name).toBe('mlops-serve');
  });

  it('serves model metadata with onnx_onnxv1 and -1 for the batch dimension, with and without a version', async () => {
    for (const p of ['/v2/models/breast-cancer', '/v2/models/breast-cancer/versions/1']) {
      const r = await get(`${bc.url}${p}`);
      expect(r.status).toBe(200);
      assertOip('metadata_model_response', r.json);
      expect(r.json).toEqual({
        name: 'breast-cancer',
        versions: ['1'],
        platform: 'onnx_onnxv1',
        inputs: [{ name: 'float_input', datatype: 'FP32', shape: [-1, 30] }],
        outputs: [
          { name: 'label', datatype: 'INT64', shape: [-1] },
          { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
        ],
      });
    }
  });

  it('answers model ready, and 404 with {"error"} for unknown models and versions', async () => {
    const r = await get(`${ident.url}/v2/models/identity/versions/v7/ready`);
    expect(r.status).toBe(200);
    assertOip('ready_model_response', r.json);
    expect(r.json).toEqual({ name: 'identity', ready: true });
    for (const p of [
      '/v2/models/other/ready',
      '/v2/models/identity/versions/v8',
      '/v2/models/nope/infer',
      '/v3/x',
    ]) {
      const e = await get(`${ident.url}${p}`);
      expect(e.status).toBe(404);
      assertOip('error_response', e.json);
    }
    const wrongVersion = await post(`${ident.url}/v2/models/identity/versions/v8/infer`, {});
    expect(wrongVersion.status).toBe(404);
    expect(wrongVersion.json.error).toMatch(/no version 'v8'.*v7/);
  });

  it('refuses a wrong method with 405 and Allow', async () => {
    const r = await get(`${bc.url}/v2/models/breast-cancer/infer`);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    assertOip('error_response', r.json);
  });
});

describe('OIP inference', () => {
  it('infers the spec-shaped request, echoes the id, returns every output', async () => {
    const body = inferBody(rows.slice(0, 3), 'req-42');
    assertOip('inference_request', body);
    const r = await post(`${bc.url}/v2/models/breast-cancer/infer`, body);
    expect(r.status).toBe(200);
    assertOip('inference_response', r.json);
    expect(r.json.id).toBe('req-42');
    expect(r.json.model_name).toBe('breast-cancer');
    expect(r.json.model_version).toBe('1');
    expect(r.json.outputs.map((o: { name: string }) => o.name)).toEqual(['label', 'probabilities']);
    expect(r.json.outputs[0]).toMatchObject({ datatype: 'INT64', shape: [3] });
    expect(r.json.outputs[1]).toMatchObject({ datatype: 'FP32', shape: [3, 2] });
    const p = r.json.outputs[1].data as number[];
    for (let i = 0; i < 3; i++) expect(p[2 * i]! + p[2 * i + 1]!).toBeCloseTo(1, 5);
  });

  it('honours the outputs selection and the versions path', async () => {
    const body = { ...(inferBody(rows.slice(0, 2)) as object), outputs: [{ name: 'probabilities' }] };
    const r = await post(`${bc.url}/v2/models/breast-cancer/versions/1/infer`, body);
    expect(r.status).toBe(200);
    assertOip('inference_response', r.json);
    expect(r.json.outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities']);
    expect(r.json.id).toBeUndefined();
  });

  it('accepts nested row-major data and gives the same answer as flat data', async () => {
    const flat = await post(`${bc.url}/v2/models/breast-cancer/infer`, inferBody(rows.slice(0, 4)));
    const nested = await post(`${bc.url}/v2/models/breast-cancer/infer`, {
      inputs: [{ name: 'float_input', shape: [4, 30], datatype: 'FP32', data: rows.slice(0, 4) }],
    });
    expect(nested.status).toBe(200);
    expect(nested.json.outputs).toEqual(flat.json.outputs);
  });

  it('round-trips every datatype through an identity model', async () => {
    const values: Record<IdentityType, unknown[]> = {
      BOOL: [true, false, false, true],
      UINT8: [0, 1, 128, 255],
      UINT16: [0, 1, 40000, 65535],
      UINT32: [0, 1, 3000000000, 4294967295],
      UINT64: [0, 1, 2 ** 40, 2 ** 53 - 1],
      INT8: [-128, -1, 0, 127],
      INT16: [-32768, -1, 0, 32767],
      INT32: [-2147483648, -1, 0, 2147483647],
      INT64: [-(2 ** 53 - 1), -1, 0, 2 ** 53 - 1],
      FP32: [0.5, -1.25, 1024.75, 0],
      FP64: [0.1, -1e-300, 1e300, Math.PI],
      BYTES: ['a', '', 'ünïcødé', 'x y'],
    };
    const types = Object.keys(IDENTITY_TYPES) as IdentityType[];
    const body = {
      id: 'types',
      inputs: types.map((t) => ({ name: `in_${t}`, shape: [2, 2], datatype: t, data: values[t] })),
    };
    assertOip('inference_request', body);
    const r = await post(`${ident.url}/v2/models/identity/versions/v7/infer`, body);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    assertOip('inference_response', r.json);
    expect(r.json.model_version).toBe('v7');
    const meta = await get(`${ident.url}/v2/models/identity`);
    assertOip('metadata_model_response', meta.json);
    for (const t of types) {
      const out = r.json.outputs.find((o: { name: string }) => o.name === `out_${t}`);
      expect(out, t).toMatchObject({ datatype: t, shape: [2, 2] });
      expect(out.data, t).toEqual(values[t]);
      expect(meta.json.inputs.find((i: { name: string }) => i.name === `in_${t}`)).toEqual({
        name: `in_${t}`,
        datatype: t,
        shape: [-1, 2],
      });
    }
  });

  it('keeps 64-bit integers exact beyond 2^53 (decimal strings in, exact literals out)', async () => {
    const types = Object.keys(IDENTITY_TYPES) as IdentityType[];
    const zero: Record<string, unknown> = { BOOL: false, BYTES: '' };
    const inputs = types.map((t) => ({
      name: `in_${t}`,
      shape: [1, 2],
      datatype: t,
      data:
        t === 'INT64'
          ? ['9223372036854775807', '-9223372036854775808']
          : t === 'UINT64'
            ? ['18446744073709551615', 7]
            : [zero[t] ?? 0, zero[t] ?? 0],
    }));
    const res = await fetch(`${ident.url}/v2/models/identity/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs }),
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain(
      '"name":"out_INT64","datatype":"INT64","shape":[1,2],"data":[9223372036854775807,-9223372036854775808]',
    );
    expect(text).toContain('"data":[18446744073709551615,7]');
  });

  it('regression model: FP32 [N, 1] output', async () => {
    const r = await post(`${reg.url}/v2/models/diabetes/infer`, {
      inputs: [{ name: 'float_input', shape: [2, 10], datatype: 'FP32', data: Array(20).fill(0.01) }],
    });
    expect(r.status).toBe(200);
    assertOip('inference_response', r.json);
    expect(r.json.outputs[0]).toMatchObject({ name: 'variable', datatype: 'FP32', shape: [2, 1] });
  });
});

describe('OIP errors are 400 with {"error"} naming the problem', () => {
  const cases: [string, unknown, RegExp][] = [
    ['malformed JSON', '{"inputs": [', /not valid JSON/],
    ['not an object', '[1,2]', /JSON object/],
    ['no inputs', {}, /"inputs" must be a non-empty array/],
    [
      'unknown input',
      { inputs: [{ name: 'x', shape: [1, 30], datatype: 'FP32', data: Array(30).fill(0) }] },
      /no input 'x'.*'float_input'/,
    ],
    [
      'wrong datatype',
      { inputs: [{ name: 'float_input', shape: [1, 30], datatype: 'BYTES', data: Array(30).fill('a') }] },
      /FP32 in the model; the request sends BYTES/,
    ],
    [
      'unknown datatype',
      { inputs: [{ name: 'float_input', shape: [1, 30], datatype: 'FP128', data: [] }] },
      /unsupported datatype "FP128"/,
    ],
    [
      'wrong width',
      { inputs: [{ name: 'float_input', shape: [1, 29], datatype: 'FP32', data: Array(29).fill(0) }] },
      /dimension 1 is 29/,
    ],
    [
      'wrong rank',
      { inputs: [{ name: 'float_input', shape: [30], datatype: 'FP32', data: Array(30).fill(0) }] },
      /has 1 dimensions/,
    ],
    [
      'negative dim',
      { inputs: [{ name: 'float_input', shape: [-1, 30], datatype: 'FP32', data: [] }] },
      /shape\[0\] is -1/,
    ],
    [
      'count mismatch',
      { inputs: [{ name: 'float_input', shape: [2, 30], datatype: 'FP32', data: Array(30).fill(0) }] },
      /has 30 elements but shape \[2, 30\] needs 60/,
    ],
    [
      'huge shape',
      { inputs: [{ name: 'float_input', shape: [1e15, 30], datatype: 'FP32', data: [1] }] },
      /shape|elements/,
    ],
    [
      'string where FP32',
      {
        inputs: [
          { name: 'float_input', shape: [1, 30], datatype: 'FP32', data: ['1', ...Array(29).fill(0)] },
        ],
      },
      /element 0 is "1"; FP32 expects numbers/,
    ],
    [
      'nested mismatch',
      {
        inputs: [
          {
            name: 'float_input',
            shape: [2, 30],
            datatype: 'FP32',
            data: [Array(30).fill(0), Array(29).fill(0)],
          },
        ],
      },
      /data\[1\] has 29 elements/,
    ],
    [
      'unknown output',
      { ...(inferBody([Array(30).fill(0)]) as object), outputs: [{ name: 'proba' }] },
      /no output 'proba'.*'probabilities'/,
    ],
    ['numeric id', { ...(inferBody([Array(30).fill(0)]) as object), id: 42 }, /"id" must be a string/],
  ];
  for (const [title, body, message] of cases) {
    it(title, async () => {
      const r = await post(`${bc.url}/v2/models/breast-cancer/infer`, body);
      expect(r.status).toBe(400);
      assertOip('error_response', r.json);
      expect(r.json.error).toMatch(message);
    });
  }

  it('the binary tensor extension is refused by name', async () => {
    const r = await post(`${bc.url}/v2/models/breast-cancer/infer`, '{"inputs":[]}', {
      'inference-header-content-length': '13',
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/binary tensor data extension is not supported/);
  });

  it('integer range and BOOL checks on the identity model', async () => {
    const base = (t: IdentityType, data: unknown[]) => ({
      inputs: (Object.keys(IDENTITY_TYPES) as IdentityType[]).map((u) => ({
        name: `in_${u}`,
        shape: [1, 2],
        datatype: u,
        data: u === t ? data : u === 'BOOL' ? [true, true] : u === 'BYTES' ? ['', ''] : [0, 0],
      })),
    });
    for (const [t, data, msg] of [
      ['UINT8', [256, 0], /integers in 0..255/],
      ['INT8', [1.5, 0], /integers/],
      ['BOOL', ['yes', true], /true or false/],
      ['BYTES', [1, 'a'], /expects strings/],
      ['UINT64', [-1, 0], /integers in 0\.\./],
    ] as [IdentityType, unknown[], RegExp][]) {
      const r = await post(`${ident.url}/v2/models/identity/infer`, base(t, data));
      expect(r.status, t).toBe(400);
      expect(r.json.error).toMatch(msg);
    }
  });
});

describe('/predict: rows keyed by feature name', () => {
  it('returns labels, probabilities and scores equal to /infer', async () => {
    const sample = rows.slice(0, 5);
    const objects = sample.map((r) => Object.fromEntries(names.map((n, j) => [n, r[j]])));
    const p = await post(`${bc.url}/v2/models/breast-cancer/predict`, { id: 'p1', rows: objects });
    expect(p.status, JSON.stringify(p.json)).toBe(200);
    const inf = await post(`${bc.url}/v2/models/breast-cancer/infer`, inferBody(sample));
    const proba = inf.json.outputs[1].data as number[];
    expect(p.json.id).toBe('p1');
    expect(p.json.labels).toEqual(inf.json.outputs[0].data);
    expect(p.json.probabilities).toEqual(sample.map((_, i) => [proba[2 * i], proba[2 * i + 1]]));
    expect(p.json.scores).toEqual(sample.map((_, i) => proba[2 * i + 1]));
    // Arrays in feature order work too, and a bare array body.
    const arr = await post(`${bc.url}/v2/models/breast-cancer/predict`, sample);
    expect(arr.json.scores).toEqual(p.json.scores);
  });

  it('names the missing feature and the row', async () => {
    const row = Object.fromEntries(names.map((n, j) => [n, rows[0]![j]]));
    delete row.mean_texture;
    const r = await post(`${bc.url}/v2/models/breast-cancer/predict`, { rows: [row, row] });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe("rows[0] has no feature 'mean_texture'");
  });

  it('without feature names, asks for arrays; regression returns scores', async () => {
    const r = await post(`${reg.url}/v2/models/diabetes/predict`, { rows: [{ age: 1 }] });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/knows no feature names/);
    const ok = await post(`${reg.url}/v2/models/diabetes/predict`, { rows: [Array(10).fill(0.01)] });
    expect(ok.status).toBe(200);
    expect(ok.json.scores).toHaveLength(1);
    expect(ok.json.labels).toBeUndefined();
  });
});
