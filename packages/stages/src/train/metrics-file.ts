/**
 * Reads the training metrics the command wrote. Python's `json.dump` writes bare `NaN`/`Infinity`,
 * which `JSON.parse` rejects, so those tokens are accepted and, like any non-number, kept as null
 * and reported: a diverged training run must show up, not vanish or crash the stage.
 */
export interface ParsedMetrics {
  values: Record<string, number | null>;
  /** `loss is NaN`, `note is not a number ("abc")`. */
  problems: string[];
}

const NON_FINITE = '\u0000mlops-non-finite:';
const TOKENS = ['-Infinity', '+Infinity', 'Infinity', 'NaN'];

/** Throws an Error whose message names `file` when the text is not a JSON object. */
export function parseMetrics(text: string, file: string): ParsedMetrics {
  let data: unknown;
  try {
    data = JSON.parse(replaceNonFiniteTokens(text));
  } catch (err) {
    throw new Error(`metrics file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`metrics file ${file} must hold a JSON object of numbers, e.g. {"loss": 0.31}`);
  }
  const values: Record<string, number | null> = {};
  const problems: string[] = [];
  flatten(data as Record<string, unknown>, '', values, problems);
  return { values, problems };
}

/** Nested objects become dotted names: `{"train": {"loss": 1}}` → `train.loss`. */
function flatten(
  obj: Record<string, unknown>,
  prefix: string,
  values: Record<string, number | null>,
  problems: string[],
): void {
  for (const [key, value] of Object.entries(obj)) {
    const name = prefix + key;
    if (typeof value === 'number' && Number.isFinite(value)) {
      values[name] = value;
    } else if (typeof value === 'string' && value.startsWith(NON_FINITE)) {
      values[name] = null;
      problems.push(`${name} is ${value.slice(NON_FINITE.length).replace(/^\+/, '')}`);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      flatten(value as Record<string, unknown>, `${name}.`, values, problems);
    } else {
      values[name] = null;
      problems.push(`${name} is not a number (${JSON.stringify(value)})`);
    }
  }
}

function replaceNonFiniteTokens(text: string): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (inString) {
      if (ch === '\\') {
        out += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (ch === '"') inString = false;
      out += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      i++;
      continue;
    }
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (token !== undefined) {
      out += JSON.stringify(NON_FINITE + token);
      i += token.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
