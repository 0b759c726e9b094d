/**
 * A reproducible tar writer (POSIX ustar + PAX for what ustar cannot say). Everything that would
 * make two builds of the same inputs differ is fixed: entries sorted by path (code-unit order),
 * parents listed before children, one mtime for every entry, numeric owners only (no user or
 * group names), explicit modes, no device numbers, no atime/ctime PAX records.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export type TarSource = { file: string } | Uint8Array | string;

export interface TarEntry {
  /** POSIX path inside the archive, relative (`opt/mlops/model.onnx`); a leading `/` is dropped. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** Default 0644 for files, 0755 for directories, 0777 for links. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Content of a file. */
  source?: TarSource;
  /** Target of a symlink. */
  linkname?: string;
}

export interface TarOptions {
  /** Seconds since the epoch stamped on every entry (default: SOURCE_DATE_EPOCH, else 0). */
  mtime?: number;
  /** Owner of the directories the writer adds for missing parents (default 0:0). */
  parentUid?: number;
  parentGid?: number;
}

interface Resolved {
  path: string;
  type: TarEntry['type'];
  mode: number;
  uid: number;
  gid: number;
  size: number;
  source?: TarSource;
  linkname: string;
}

const BLOCK = 512;

/** SOURCE_DATE_EPOCH (reproducible-builds.org) when set and valid, else 0. */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw.trim() === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`SOURCE_DATE_EPOCH must be a non-negative integer (seconds), got '${raw}'`);
  }
  return n;
}

export function normalizeTarPath(p: string): string {
  const parts = p
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  if (parts.some((s) => s === '..')) throw new Error(`tar path escapes the root: '${p}'`);
  if (parts.length === 0) throw new Error(`empty tar path: '${p}'`);
  return parts.join('/');
}

function sourceSize(source: TarSource | undefined): number | Promise<number> {
  if (source === undefined) return 0;
  if (typeof source === 'string') return Buffer.byteLength(source, 'utf8');
  if (source instanceof Uint8Array) return source.byteLength;
  return stat(source.file).then((s) => s.size);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Entries as they will be written: normalised paths, defaults applied, missing parent
 * directories added, sorted. A path given twice is an error (which one wins would be arbitrary).
 */
export async function resolveEntries(
  entries: readonly TarEntry[],
  opts: TarOptions = {},
): Promise<Resolved[]> {
  const byPath = new Map<string, Resolved>();
  for (const e of entries) {
    const path = normalizeTarPath(e.path);
    if (byPath.has(path)) throw new Error(`tar entry listed twice: '${path}'`);
    if (e.type === 'file' && e.source === undefined) throw new Error(`tar file without content: '${path}'`);
    if (e.type === 'symlink' && !e.linkname) throw new Error(`tar symlink without target: '${path}'`);
    byPath.set(path, {
      path,
      type: e.type,
      mode: e.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      size: e.type === 'file' ? await sourceSize(e.source) : 0,
      source: e.type === 'file' ? e.source : undefined,
      linkname: e.linkname ?? '',
    });
  }
  for (const path of [...byPath.keys()]) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const existing = byPath.get(parent);
      if (existing === undefined) {
        byPath.set(parent, {
          path: parent,
          type: 'dir',
          mode: 0o755,
          uid: opts.parentUid ?? 0,
          gid: opts.parentGid ?? 0,
          size: 0,
          linkname: '',
        });
      } else if (existing.type !== 'dir') {
        throw new Error(`tar path '${path}' is below '${parent}', which is not a directory`);
      }
    }
  }
  return [...byPath.values()].sort((a, b) => compare(a.path, b.path));
}

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  // length-1 octal digits, then NUL: the form GNU tar and Go's archive/tar both write.
  const s = value.toString(8).padStart(length - 1, '0');
  buf.write(s, offset, length - 1, 'ascii');
  buf[offset + length - 1] = 0;
}

/** Largest value a 12-byte octal field holds (8 GiB - 1) and an 8-byte one (2 097 151). */
const MAX_SIZE_OCTAL = 0o77777777777;
const MAX_ID_OCTAL = 0o7777777;

function splitUstarName(path: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  // ustar stores long paths as prefix (≤155) + '/' + name (≤100), split at a slash.
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '/') continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') {
      return { name, prefix };
    }
  }
  return undefined;
}

function header(fields: {
  name: string;
  prefix: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
}): Buffer {
  const h = Buffer.alloc(BLOCK);
  writeString(h, 0, 100, fields.name);
  writeOctal(h, 100, 8, fields.mode & 0o7777);
  writeOctal(h, 108, 8, Math.min(fields.uid, MAX_ID_OCTAL));
  writeOctal(h, 116, 8, Math.min(fields.gid, MAX_ID_OCTAL));
  writeOctal(h, 124, 12, Math.min(fields.size, MAX_SIZE_OCTAL));
  writeOctal(h, 136, 12, fields.mtime);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h.write(fields.typeflag, 156, 1, 'ascii');
  writeString(h, 157, 100, fields.linkname);
  h.write('ustar\u000000', 257, 8, 'binary');
  writeString(h, 345, 155, fields.prefix);
  let sum = 0;
  for (const byte of h) sum += byte;
  // Six octal digits, NUL, space: the traditional checksum layout.
  h.write(sum.toString(8).padStart(6, '0'), 148, 6, 'ascii');
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

function paxRecord(key: string, value: string): string {
  // The record length counts its own digits: iterate to the fixed point.
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return `${len}${body}`;
}

function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return Buffer.alloc(rem === 0 ? 0 : BLOCK - rem);
}

function entryHeaders(e: Resolved, mtime: number): Buffer[] {
  const tarName = e.type === 'dir' ? `${e.path}/` : e.path;
  const split = splitUstarName(tarName);
  const pax: string[] = [];
  if (split === undefined) pax.push(paxRecord('path', tarName));
  if (Buffer.byteLength(e.linkname) > 100) pax.push(paxRecord('linkpath', e.linkname));
  if (e.size > MAX_SIZE_OCTAL) pax.push(paxRecord('size', String(e.size)));
  if (e.uid > MAX_ID_OCTAL) pax.push(paxRecord('uid', String(e.uid)));
  if (e.gid > MAX_ID_OCTAL) pax.push(paxRecord('gid', String(e.gid)));
  const out: Buffer[] = [];
  const short = split ?? { name: tarName.slice(-100), prefix: '' };
  if (pax.length > 0) {
    const body = Buffer.from(pax.join(''), 'utf8');
    out.push(
      header({
        name: `PaxHeaders/${short.name}`.slice(0, 100),
        prefix: '',
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: body.length,
        mtime,
        typeflag: 'x',
        linkname: '',
      }),
      body,
      padding(body.length),
    );
  }
  out.push(
    header({
      name: short.name,
      prefix: short.prefix,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      size: e.size,
      mtime,
      typeflag: e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0',
      linkname: e.linkname.slice(0, 100),
    }),
  );
  return out;
}

/**
 * The archive as a stream of chunks. File contents are streamed from disk (a model or the
 * runtime library is tens of MB); a file whose size changes while it is read is an error rather
 * than a silently corrupt archive.
 */
export async function* tarStream(
  entries: readonly TarEntry[],
  opts: TarOptions = {},
): AsyncGenerator<Buffer> {
  const mtime = opts.mtime ?? sourceDateEpoch();
  for (const e of await resolveEntries(entries, opts)) {
    for (const h of entryHeaders(e, mtime)) if (h.length > 0) yield h;
    if (e.type !== 'file' || e.source === undefined) continue;
    const src = e.source;
    if (typeof src === 'string' || src instanceof Uint8Array) {
      const buf = typeof src === 'string' ? Buffer.from(src, 'utf8') : Buffer.from(src);
      if (buf.length > 0) yield buf;
    } else {
      let seen = 0;
      for await (const chunk of createReadStream(src.file, { highWaterMark: 1 << 20 })) {
        const b = chunk as Buffer;
        seen += b.length;
        if (seen > e.size) break;
        yield b;
      }
      if (seen !== e.size) {
        throw new Error(`${src.file} changed size while it was archived (${e.size} → ${seen} bytes)`);
      }
    }
    const pad = padding(e.size);
    if (pad.length > 0) yield pad;
  }
  yield Buffer.alloc(BLOCK * 2);
}
