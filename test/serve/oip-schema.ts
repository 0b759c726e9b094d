/**
 * JSON Schemas of the Open Inference Protocol's REST payloads, transcribed from the protocol's own
 * documents in kserve/open-inference-protocol: the OpenAPI components of
 * specification/protocol/open_inference_rest.yaml (metadata_server_response, metadata_model_response,
 * metadata_tensor, inference_request, request_input, request_output, tensor_data, response_output,
 * inference_response, *_error_response) and the object shapes of inference_rest.md
 * ($live_server_response, $ready_server_response, $ready_model_response, Tensor Data Types).
 *
 * Tightened where the document's prose is explicit and the YAML is loose: the error response
 * requires "error" (the prose: "The HTTP body must contain the ... object"); metadata shapes are
 * integers with -1 for a variable dimension; response output shapes are non-negative; datatypes
 * come from the Tensor Data Types table.
 */
import { Ajv } from 'ajv';

export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
];

const parameters = { type: 'object' };
const tensorData = {
  $id: 'tensor_data',
  type: 'array',
  items: { anyOf: [{ $ref: 'tensor_data' }, { type: 'number' }, { type: 'string' }, { type: 'boolean' }] },
};

export const SCHEMAS = {
  live_server_response: {
    type: 'object',
    properties: { live: { type: 'boolean' } },
    required: ['live'],
  },
  ready_server_response: {
    // The document's object carries "live" (sic); servers in practice send "ready" too.
    type: 'object',
    properties: { live: { type: 'boolean' }, ready: { type: 'boolean' } },
    required: ['live'],
  },
  ready_model_response: {
    type: 'object',
    properties: { name: { type: 'string' }, ready: { type: 'boolean' } },
    required: ['name', 'ready'],
  },
  metadata_server_response: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      version: { type: 'string' },
      extensions: { type: 'array', items: { type: 'string' } },
    },
    required: ['name', 'version', 'extensions'],
  },
  metadata_model_response: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      versions: { type: 'array', items: { type: 'string' } },
      platform: { type: 'string' },
      inputs: { type: 'array', items: { $ref: '#/$defs/metadata_tensor' } },
      outputs: { type: 'array', items: { $ref: '#/$defs/metadata_tensor' } },
    },
    required: ['name', 'platform'],
    $defs: {
      metadata_tensor: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          datatype: { enum: DATATYPES },
          shape: { type: 'array', items: { type: 'integer', minimum: -1 } },
        },
        required: ['name', 'datatype', 'shape'],
      },
    },
  },
  inference_request: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      parameters,
      inputs: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
            datatype: { enum: DATATYPES },
            parameters,
            data: { $ref: 'tensor_data' },
          },
          required: ['name', 'shape', 'datatype', 'data'],
        },
      },
      outputs: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' }, parameters }, required: ['name'] },
      },
    },
    required: ['inputs'],
  },
  inference_response: {
    type: 'object',
    properties: {
      model_name: { type: 'string' },
      model_version: { type: 'string' },
      id: { type: 'string' },
      parameters,
      outputs: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
            datatype: { enum: DATATYPES },
            parameters,
            data: { $ref: 'tensor_data' },
          },
          required: ['name', 'shape', 'datatype', 'data'],
        },
      },
    },
    required: ['model_name', 'outputs'],
  },
  error_response: {
    type: 'object',
    properties: { error: { type: 'string', minLength: 1 } },
    required: ['error'],
  },
} as const;

export type SchemaName = keyof typeof SCHEMAS;

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(tensorData);
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([k, s]) => [k, ajv.compile(s)]));

/** Throws with ajv's errors when `value` does not match the protocol object. */
export function assertOip(name: SchemaName, value: unknown): void {
  const v = validators[name]!;
  if (!v(value))
    throw new Error(`${name}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(value).slice(0, 500)}`);
}
