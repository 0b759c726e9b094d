// Imported from the file rather than '@mlops-actions/core' so this package loads without pulling in
// the whole core index (spec, ajv, report rendering). Same module, so `instanceof` still holds.
export { InputError } from '../../core/src/errors.js';
