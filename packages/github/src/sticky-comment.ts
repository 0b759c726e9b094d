import { COMMENT_LIMIT, reportMarker } from '@mlops-actions/core';
import type { GitHubClient } from './client.js';
import { statusOf } from './client.js';
import { resolveIdentity, sameLogin } from './identity.js';

export type CommentMode = 'update' | 'recreate' | 'off';
export const COMMENT_MODES: readonly CommentMode[] = ['update', 'recreate', 'off'];

export interface UpsertOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  issueNumber: number;
  /** One sticky comment per key per PR; different keys (e.g. per model) coexist. */
  key: string;
  body: string;
  mode: CommentMode;
  /** Login our comments are made as; resolved from the token when absent (see resolveIdentity). */
  identity?: string;
}

export interface UpsertResult {
  action: 'created' | 'updated' | 'unchanged' | 'recreated' | 'skipped';
  commentId?: number;
  url?: string;
}

interface Comment {
  id: number;
  body?: string | null;
  html_url: string;
  user?: { login: string } | null;
}

function normalize(body: string | null | undefined): string {
  return (body ?? '').replace(/\r\n/g, '\n').trimEnd();
}

/** The body always carries the marker, and never exceeds what GitHub accepts. */
export function withMarker(body: string, key: string): string {
  const marker = reportMarker(key);
  const marked = body.includes(marker) ? body : `${marker}\n${body}`;
  if (marked.length <= COMMENT_LIMIT) return marked;
  // Callers should truncate by section (truncateReport); this is the last line of defence.
  const note =
    "\n\n> [!NOTE]\n> This comment was cut to fit GitHub's size limit; see the job summary for the full report.\n";
  const cut = marked.slice(0, COMMENT_LIMIT - note.length);
  let head = cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0));
  if ((head.match(/^```/gm)?.length ?? 0) % 2 === 1) head += '\n```';
  return head + note;
}

async function listOurs(o: UpsertOptions, identity: string, marker: string): Promise<Comment[]> {
  const all = (await o.octokit.paginate(o.octokit.rest.issues.listComments, {
    owner: o.owner,
    repo: o.repo,
    issue_number: o.issueNumber,
    per_page: 100,
  })) as Comment[];
  // Another user's comment that quotes our marker is not ours to edit (and we could not).
  return all
    .filter((c) => sameLogin(c.user?.login, identity) && (c.body ?? '').includes(marker))
    .sort((a, b) => a.id - b.id);
}

async function deleteQuietly(o: UpsertOptions, id: number): Promise<void> {
  try {
    await o.octokit.rest.issues.deleteComment({ owner: o.owner, repo: o.repo, comment_id: id });
  } catch (err) {
    // A concurrent run may have removed the same duplicate first.
    if (statusOf(err) !== 404) throw err;
  }
}

async function update(o: UpsertOptions, c: Comment, body: string): Promise<Comment> {
  const { data } = await o.octokit.rest.issues.updateComment({
    owner: o.owner,
    repo: o.repo,
    comment_id: c.id,
    body,
  });
  return data as Comment;
}

/**
 * Keeps exactly one of our comments: the oldest survives, newer duplicates (from concurrent
 * runs, or a create that timed out after GitHub stored it and was retried) are deleted, and the
 * survivor gets our body.
 */
async function converge(
  o: UpsertOptions,
  identity: string,
  marker: string,
  body: string,
  created: Comment,
): Promise<UpsertResult> {
  const listed = await listOurs(o, identity, marker);
  const ours = listed.some((c) => c.id === created.id)
    ? listed
    : [...listed, created].sort((a, b) => a.id - b.id);
  const [survivor, ...duplicates] = ours as [Comment, ...Comment[]];
  for (const d of duplicates) await deleteQuietly(o, d.id);
  if (survivor.id === created.id) return { action: 'created', commentId: created.id, url: created.html_url };
  const final = normalize(survivor.body) === normalize(body) ? survivor : await update(o, survivor, body);
  return { action: 'updated', commentId: final.id, url: final.html_url };
}

/**
 * One report comment per PR and key, found by the hidden marker among all comments (paged) made
 * by our identity: updated in place, left alone when unchanged, or deleted and reposted in
 * `recreate` mode (so it moves to the bottom of the conversation).
 */
export async function upsertStickyComment(o: UpsertOptions): Promise<UpsertResult> {
  if (o.mode === 'off') return { action: 'skipped' };
  const identity = await resolveIdentity(o.octokit, o.identity);
  const marker = reportMarker(o.key);
  const body = withMarker(o.body, o.key);
  const existing = await listOurs(o, identity, marker);

  if (o.mode === 'update' && existing.length) {
    const [keep, ...duplicates] = existing as [Comment, ...Comment[]];
    for (const d of duplicates) await deleteQuietly(o, d.id);
    if (normalize(keep.body) === normalize(body)) {
      return { action: 'unchanged', commentId: keep.id, url: keep.html_url };
    }
    const updated = await update(o, keep, body);
    return { action: 'updated', commentId: updated.id, url: updated.html_url };
  }

  for (const c of existing) await deleteQuietly(o, c.id);
  const { data } = await o.octokit.rest.issues.createComment({
    owner: o.owner,
    repo: o.repo,
    issue_number: o.issueNumber,
    body,
  });
  const result = await converge(o, identity, marker, body, data as Comment);
  if (existing.length && result.action === 'created') return { ...result, action: 'recreated' };
  return result;
}
