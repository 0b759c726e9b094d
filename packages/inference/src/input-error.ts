// The errors module alone, not the core index: this package must load without ajv and the
// report renderer (it runs inside worker-heavy evaluation and small bundles).
export { InputError } from '@mlops-actions/core/errors';
