import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { TrainShell } from './types.js';

export interface CommandOptions {
  run: string;
  shell: TrainShell;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /** How many trailing output lines to keep for the error message. */
  tailLines?: number;
}

export interface CommandOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the process could not be started at all (shell not installed, cwd missing). */
  spawnError?: Error;
  tail: string[];
  durationMs: number;
}

/** Same invocations GitHub Actions uses for `run:` steps, so a command behaves as it does there. */
export function shellInvocation(shell: TrainShell, run: string): [string, string[]] {
  switch (shell) {
    case 'bash':
      return ['bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', run]];
    case 'sh':
      return ['sh', ['-e', '-c', run]];
    case 'node':
      return [process.execPath, ['-e', run]];
    case 'pwsh':
      return [
        'pwsh',
        [
          '-NoLogo',
          '-NoProfile',
          '-NonInteractive',
          '-command',
          `$ErrorActionPreference = 'stop'\n${run}\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }`,
        ],
      ];
  }
}

const KILL_GRACE_MS = 3000;
/** A background process the command left behind may hold the pipes open; stop waiting after this. */
const PIPE_DRAIN_MS = 2000;

/** Runs the command, streaming complete lines as they arrive; never rejects. */
export function runCommand(options: CommandOptions): Promise<CommandOutcome> {
  const started = performance.now();
  const keep = options.tailLines ?? 20;
  const tail: string[] = [];
  const emit = (line: string, stream: 'stdout' | 'stderr'): void => {
    tail.push(line);
    if (tail.length > keep) tail.shift();
    options.onLine(line, stream);
  };

  const [file, args] = shellInvocation(options.shell, options.run);
  const posix = process.platform !== 'win32';
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let child: ChildProcess;
    let flushOut = (): void => {};
    let flushErr = (): void => {};
    const finish = (outcome: Omit<CommandOutcome, 'tail' | 'durationMs' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      flushOut();
      flushErr();
      resolve({ ...outcome, timedOut, tail, durationMs: Math.round(performance.now() - started) });
    };
    try {
      // A process group of its own (detached) lets a timeout kill the whole tree, not just the shell.
      child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: posix,
        windowsHide: true,
      });
    } catch (err) {
      finish({ exitCode: null, signal: null, spawnError: err as Error });
      return;
    }
    flushOut = pipeLines(child.stdout, (l) => emit(l, 'stdout'));
    flushErr = pipeLines(child.stderr, (l) => emit(l, 'stderr'));

    child.on('error', (err) => finish({ exitCode: null, signal: null, spawnError: err }));
    child.on('exit', (code, signal) => {
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish({ exitCode: code, signal });
      }, PIPE_DRAIN_MS);
    });
    child.on('close', (code, signal) => finish({ exitCode: code, signal }));

    if (options.timeoutMs > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        killTree(child, 'SIGTERM', posix);
        setTimeout(() => killTree(child, 'SIGKILL', posix), KILL_GRACE_MS).unref();
      }, options.timeoutMs);
    }
  });
}

function killTree(child: ChildProcess, signal: NodeJS.Signals, posix: boolean): void {
  if (child.pid === undefined) return;
  try {
    if (posix) process.kill(-child.pid, signal);
    else spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
  } catch {
    // Already gone.
  }
}

/** Calls `onLine` per complete line (LF or CRLF); the returned function flushes a final partial line. */
function pipeLines(stream: Readable | null, onLine: (line: string) => void): () => void {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let flushed = false;
  const push = (text: string): void => {
    pending += text;
    let nl = pending.indexOf('\n');
    while (nl !== -1) {
      onLine(pending.slice(0, nl).replace(/\r$/, ''));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  };
  stream?.on('data', (chunk: Buffer) => push(decoder.write(chunk)));
  return () => {
    if (flushed) return;
    flushed = true;
    push(decoder.end());
    if (pending !== '') onLine(pending.replace(/\r$/, ''));
    pending = '';
  };
}

/** `1800000` → `30m`, `90000` → `1m30s`, `300` → `300ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 1000 !== 0) return `${(ms / 1000).toFixed(1)}s`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].join('');
}
