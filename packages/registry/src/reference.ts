/**
 * Image references in docker's grammar (`host[:port]/path[:tag][@sha256:…]`) and skopeo's
 * transport syntax for layouts (`oci:DIR[:TAG|@digest]`, `docker://REF`).
 */
import { InputError } from '@mlops-actions/core';
import { isDigest, isValidTag } from './types.js';

export interface RegistryReference {
  kind: 'registry';
  /** `host[:port]` as written (docker.io for Docker Hub). */
  host: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export interface LayoutReference {
  kind: 'layout';
  dir: string;
  tag?: string;
  digest?: string;
}

export type Reference = RegistryReference | LayoutReference;

const REPO_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

function splitTagDigest(rest: string, raw: string): { name: string; tag?: string; digest?: string } {
  let name = rest;
  let digest: string | undefined;
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!isDigest(digest)) throw new InputError(`reference '${raw}': '${digest}' is not a sha256 digest`);
  }
  let tag: string | undefined;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!isValidTag(tag)) throw new InputError(`reference '${raw}': invalid tag '${tag}'`);
  }
  const out: { name: string; tag?: string; digest?: string } = { name };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

export function parseRegistryReference(raw: string): RegistryReference {
  const text = raw.startsWith('docker://') ? raw.slice('docker://'.length) : raw;
  const { name, tag, digest } = splitTagDigest(text, raw);
  const parts = name.split('/');
  let host = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    host = first;
    parts.shift();
  }
  if (host === 'docker.io' && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (!repository || !parts.every((p) => REPO_COMPONENT.test(p))) {
    throw new InputError(
      `reference '${raw}': repository '${repository}' must be lowercase letters, digits and separators (. _ __ -) in '/'-separated parts`,
    );
  }
  const ref: RegistryReference = { kind: 'registry', host, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** `oci:DIR[:TAG]`, `oci:DIR@sha256:…`, `docker://…`, or a bare registry reference. */
export function parseReference(raw: string): Reference {
  if (raw.startsWith('oci:')) {
    let rest = raw.slice(4);
    let digest: string | undefined;
    const at = rest.lastIndexOf('@sha256:');
    if (at >= 0) {
      digest = rest.slice(at + 1);
      rest = rest.slice(0, at);
      if (!isDigest(digest)) throw new InputError(`reference '${raw}': '${digest}' is not a sha256 digest`);
    }
    let tag: string | undefined;
    // skopeo's rule: the tag follows the last ':' (a directory with ':' in its name needs a tag).
    const colon = rest.lastIndexOf(':');
    if (colon >= 0 && !rest.slice(colon + 1).includes('/')) {
      tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (!isValidTag(tag)) throw new InputError(`reference '${raw}': invalid tag '${tag}'`);
    }
    if (!rest) throw new InputError(`reference '${raw}': missing directory after 'oci:'`);
    const ref: LayoutReference = { kind: 'layout', dir: rest };
    if (tag !== undefined) ref.tag = tag;
    if (digest !== undefined) ref.digest = digest;
    return ref;
  }
  return parseRegistryReference(raw);
}

export function formatReference(ref: Reference): string {
  const base = ref.kind === 'layout' ? `oci:${ref.dir}` : `${ref.host}/${ref.repository}`;
  if (ref.digest) return `${base}@${ref.digest}`;
  return ref.tag ? `${base}:${ref.tag}` : base;
}

/** Loopback registries speak plain HTTP by default, as docker treats them as insecure. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}
