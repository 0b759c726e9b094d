/**
 * A stage is one folder under packages/stages/src/<stage>/ that exports one `StageDefinition`.
 * The pipeline runner, `mlops <command>`, `mlops validate`, the report renderer and every action
 * adapter iterate STAGE_LIST (list.ts) and know nothing else about a stage: adding one is a folder,
 * one line in that list, its action.yml and its schema part (spec.schema.json in the folder).
 */
import type { ParseArgsConfig } from 'node:util';
import type { ReportSection, SemanticIssue, Spec, StageResult } from '@mlops-actions/core';
import type { StageContext } from './context.js';

export type FlagOptions = NonNullable<ParseArgsConfig['options']>;
export type FlagValue = string | boolean | (string | boolean)[] | undefined;
export type FlagValues = Record<string, FlagValue>;

/**
 * The JSON Schema of a stage's section of mlops.yml: `property` becomes
 * `properties[specKey]` of schemas/mlops.schema.json, `definitions` are merged into its
 * definitions (scripts/schema.mjs composes and checks the file).
 */
export interface SchemaPart {
  property: Record<string, unknown>;
  definitions?: Record<string, Record<string, unknown>>;
}

/**
 * Action inputs, read the way the runner passes them (`INPUT_<NAME>`, empty when unset), each
 * validated once with a message that names the input.
 */
export interface InputReader {
  string(name: string, fallback?: string): string;
  optional(name: string): string | undefined;
  boolean(name: string, fallback: boolean): boolean;
  /** undefined when the input is empty, so the spec's value stands. */
  optionalBoolean(name: string): boolean | undefined;
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T;
  /** A number (finite; `min` checked when given); undefined when empty. */
  number(name: string, opts?: { min?: number; integer?: boolean }): number | undefined;
  /** A path relative to the workspace, made absolute; undefined when empty. */
  path(name: string): string | undefined;
  /** Newline- or comma-separated values, trimmed, empty ones dropped. */
  list(name: string): string[];
}

export interface ReportOptions {
  /** How many worst slices to list (report.max-slices). */
  maxSlices: number;
}

export interface StageCli<Settings> {
  /** `mlops <command>`; usually the stage name. */
  command: string;
  summary: string;
  /** The whole `--help` text. `--spec` and `--out` are added to every stage command. */
  usage: string;
  options: FlagOptions;
  /** Positional arguments allowed (e.g. `mlops evaluate merge`). */
  positionals?: boolean;
  /**
   * True when these flags describe the work without a spec (`--model ... --data ...`); otherwise
   * the command loads `--spec` (default mlops.yml).
   */
  standalone?(values: FlagValues): boolean;
  /** Flags → the stage's settings; bad values are a UsageError naming the flag. */
  settings(values: FlagValues, positionals: string[]): Settings;
}

export interface StageAction<Settings, Config> {
  /** Folder under actions/ (the name users write in `uses:`). */
  name: string;
  /** Whether the stage runs ONNX models: the action then brings onnxruntime-node (tool cache). */
  onnxRuntime?: boolean;
  settings(inputs: InputReader): Settings;
  /** Outputs beyond the ones every stage action sets (passed, status, results-file, summary). */
  outputs(result: StageResult, config: Config): Record<string, string | number | boolean>;
  /** Work after the outputs are set, e.g. uploading the model as an artifact. */
  after?(result: StageResult, config: Config, inputs: InputReader, ctx: StageContext): Promise<void>;
}

export interface StageDefinition<Settings = unknown, Config = unknown> {
  /** `StageResult.stage`, the result file `<resultsDir>/<name>.json`, the report's section ids. */
  name: string;
  /** Heading in reports and progress lines. */
  title: string;
  /** The key of its section in mlops.yml. */
  specKey: string;
  schema: SchemaPart;
  /** Checks the schema cannot express, on the schema-valid section; paths from the spec's root. */
  check?(section: unknown, spec: Spec): SemanticIssue[];
  /** Whether `mlops run` runs it for this spec. */
  declared(spec: Spec): boolean;
  /**
   * The spec (absent when flags or inputs describe the work alone) and settings → all that `run`
   * needs. Throws InputError or UsageError; nothing long-running happens here, so bad input fails
   * before any work.
   */
  configure(spec: Spec | undefined, settings: Settings, ctx: StageContext): Promise<Config>;
  /** Does the work, writes `<resultsDir>/<name>.json` (unless the result is a partial one) and returns it. */
  run(config: Config, ctx: StageContext): Promise<StageResult>;
  /** Its sections of the one report (the frame adds the verdict, gate table and footer). */
  report(result: StageResult, opts: ReportOptions): ReportSection[];
  cli: StageCli<Settings>;
  action: StageAction<Settings, Config>;
}

/** Keeps each definition's own Settings and Config types while the list holds them together. */
export function defineStage<Settings, Config>(
  definition: StageDefinition<Settings, Config>,
): StageDefinition<Settings, Config> {
  return definition;
}

// The list holds definitions of different Settings/Config; each is only ever called with what it produced.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStageDefinition = StageDefinition<any, any>;
