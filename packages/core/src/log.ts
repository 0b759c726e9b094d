/**
 * Where stages write progress. The CLI prints to the terminal; actions route through
 * @actions/core so lines fold into log groups and warnings become annotations.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Runs `fn` with its output folded under `name` (a log group on GitHub). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(`warning: ${m}`),
  error: (m) => console.error(`error: ${m}`),
  group: async (name, fn) => {
    console.log(`── ${name}`);
    return fn();
  },
};

export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  group: (_name, fn) => fn(),
};
