import { appendFile, mkdir, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@mlops-actions/core';

export interface InputLogOptions {
  dir: string;
  /** Fraction of rows written, 0..1 (default 1). */
  sampleRate?: number;
  /** A file is closed and the next part started past this size (default 16 MiB). */
  maxFileBytes?: number;
  /** Oldest files are deleted while the directory holds more than this (default 256 MiB). */
  maxTotalBytes?: number;
  /** Lines held in memory while a write is under way; beyond it rows are dropped, not queued (default 4 MiB). */
  maxBufferBytes?: number;
  random?: () => number;
  now?: () => Date;
}

/**
 * One logged row, one JSON object per line. `features` maps a feature name (or `input` /
 * `input[j]` when the server knows no names) to its value; `prediction` holds what /predict
 * answers for that row (label, probabilities, score) when the outputs can be read that way.
 */
export interface InputLogRow {
  ts: string;
  model: string;
  version: string;
  route: 'infer' | 'predict';
  request_id?: string;
  features: Record<string, number | string | boolean | null>;
  outputs: Record<string, (number | string | boolean | null)[] | number | string | boolean | null>;
  prediction?: { label?: number | string; probabilities?: number[]; score?: number };
}

const FILE = /^inputs-(\d{4}-\d{2}-\d{2})-(\d{3,})\.jsonl$/;

export const inputLogFileName = (day: string, part: number): string =>
  `inputs-${day}-${String(part).padStart(3, '0')}.jsonl`;

/**
 * Sampled inputs and predictions as daily JSON Lines files: `inputs-YYYY-MM-DD-NNN.jsonl` (UTC
 * day; NNN the part, a new one past maxFileBytes), so names sort in time order. Writes never
 * block a request: rows wait in a bounded buffer and are dropped (and counted) when it is full.
 */
export class InputLog {
  readonly dir: string;
  private readonly sampleRate: number;
  private readonly maxFileBytes: number;
  private readonly maxTotalBytes: number;
  private readonly maxBufferBytes: number;
  private readonly random: () => number;
  private readonly now: () => Date;
  private buffer: string[] = [];
  private bufferBytes = 0;
  private writing: Promise<void> | undefined;
  private day = '';
  private part = 0;
  private fileBytes = 0;
  private started: Promise<void> | undefined;
  dropped = 0;
  written = 0;

  constructor(
    opts: InputLogOptions,
    private readonly log?: Logger,
  ) {
    this.dir = opts.dir;
    this.sampleRate = opts.sampleRate ?? 1;
    this.maxFileBytes = opts.maxFileBytes ?? 16 * 1024 * 1024;
    this.maxTotalBytes = Math.max(opts.maxTotalBytes ?? 256 * 1024 * 1024, this.maxFileBytes);
    this.maxBufferBytes = opts.maxBufferBytes ?? 4 * 1024 * 1024;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? (() => new Date());
  }

  /** Whether the next row is to be logged (call once per row). */
  sample(): boolean {
    return this.sampleRate >= 1 || (this.sampleRate > 0 && this.random() < this.sampleRate);
  }

  write(row: InputLogRow): void {
    const line = JSON.stringify(row) + '\n';
    if (this.bufferBytes + line.length > this.maxBufferBytes) {
      this.dropped++;
      return;
    }
    this.buffer.push(line);
    this.bufferBytes += line.length;
    this.writing ??= this.drainLoop();
  }

  timestamp(): string {
    return this.now().toISOString();
  }

  /** Resolves once every buffered row is on disk. */
  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  private async drainLoop(): Promise<void> {
    try {
      this.started ??= this.start();
      await this.started;
      while (this.buffer.length > 0) {
        const lines = this.buffer;
        this.buffer = [];
        this.bufferBytes = 0;
        await this.append(lines);
      }
    } catch (err) {
      this.dropped += this.buffer.length;
      this.buffer = [];
      this.bufferBytes = 0;
      this.log?.warn(`--log-inputs ${this.dir}: ${(err as Error).message}; rows are being dropped`);
    } finally {
      this.writing = undefined;
    }
  }

  private async append(lines: string[]): Promise<void> {
    const day = this.timestamp().slice(0, 10);
    if (day !== this.day) await this.openDay(day);
    let chunk = '';
    let chunkBytes = 0;
    const flushChunk = async (): Promise<void> => {
      if (chunk === '') return;
      await appendFile(path.join(this.dir, inputLogFileName(this.day, this.part)), chunk);
      this.fileBytes += chunkBytes;
      chunk = '';
      chunkBytes = 0;
    };
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (this.fileBytes + chunkBytes + bytes > this.maxFileBytes && this.fileBytes + chunkBytes > 0) {
        await flushChunk();
        this.part++;
        this.fileBytes = 0;
        await this.enforceTotal();
      }
      chunk += line;
      chunkBytes += bytes;
      this.written++;
    }
    await flushChunk();
    await this.enforceTotal();
  }

  /** Continue the day's newest part after a restart rather than overwrite or skip it. */
  private async openDay(day: string): Promise<void> {
    this.day = day;
    this.part = 0;
    this.fileBytes = 0;
    for (const f of await this.files()) {
      if (f.day === day && f.part >= this.part) {
        this.part = f.part;
        this.fileBytes = f.size;
      }
    }
  }

  private async files(): Promise<{ name: string; day: string; part: number; size: number }[]> {
    const out = [];
    for (const name of await readdir(this.dir)) {
      const m = FILE.exec(name);
      if (m === null) continue;
      const size = await stat(path.join(this.dir, name)).then(
        (s) => s.size,
        () => 0,
      );
      out.push({ name, day: m[1]!, part: Number(m[2]), size });
    }
    return out.sort((a, b) => (a.day === b.day ? a.part - b.part : a.day < b.day ? -1 : 1));
  }

  private async enforceTotal(): Promise<void> {
    const files = await this.files();
    let total = files.reduce((s, f) => s + f.size, 0);
    const current = inputLogFileName(this.day, this.part);
    for (const f of files) {
      if (total <= this.maxTotalBytes) break;
      if (f.name === current) continue;
      await unlink(path.join(this.dir, f.name)).catch(() => undefined);
      total -= f.size;
    }
  }
}
