// One definition of a model's predictions, shared with the metrics engine (type-only: no code).
export type { Predictions, Task } from '@mlops-actions/core';
