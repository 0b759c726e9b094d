/**
 * A local stand-in for the GitHub REST API that checks every request against GitHub's own
 * OpenAPI description (@octokit/openapi): the route and method must exist, path and query
 * parameters must match their schemas, and JSON bodies must validate against the operation's
 * requestBody schema. Anything else is recorded as a violation and answered 404/422, so a test
 * that checks `violations` fails on it. Answers carry realistic bodies and headers (Link
 * pagination, comment objects with user.login and html_url) and faults can be injected.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { default as addFormatsModule } from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

type Obj = Record<string, unknown>;
type Spec = { paths: Record<string, Record<string, Obj>>; components: Obj };

const require = createRequire(import.meta.url);
const specs = new Map<string, { spec: Spec; ajv: Ajv; routes: Route[] }>();

interface Route {
  template: string;
  regex: RegExp;
  names: string[];
  literals: number;
}

function loadSpec(name: string) {
  let s = specs.get(name);
  if (s) return s;
  const spec = JSON.parse(
    readFileSync(require.resolve(`@octokit/openapi/generated/${name}.json`), 'utf8'),
  ) as Spec;
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  // OpenAPI's numeric formats; the integer type is checked already.
  ajv.addFormat('int32', true).addFormat('int64', true);
  // Component $refs resolve against this schema; operations point into it.
  ajv.addSchema({ $id: 'spec', components: spec.components });
  const routes = Object.keys(spec.paths).map((template) => {
    const names: string[] = [];
    const regex = new RegExp(
      '^' +
        template
          .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          .replace(/\{([^}]+)\}/g, (_m, n: string) => (names.push(n), '([^/]+)')) +
        '$',
    );
    return {
      template,
      regex,
      names,
      literals: template.split('/').filter((p) => p && !p.startsWith('{')).length,
    };
  });
  s = { spec, ajv, routes };
  specs.set(name, s);
  return s;
}

function rewriteRefs(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(rewriteRefs);
  if (x && typeof x === 'object') {
    return Object.fromEntries(
      Object.entries(x as Obj).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' ? `spec${v}` : rewriteRefs(v),
      ]),
    );
  }
  return x;
}

function deref(spec: Spec, x: Obj): Obj {
  const ref = x.$ref;
  if (typeof ref !== 'string') return x;
  let cur: unknown = spec;
  for (const part of ref.replace(/^#\//, '').split('/')) cur = (cur as Obj)[part];
  return cur as Obj;
}

export type FaultKind = '500' | '502' | 'secondary-403' | '429' | 'slow';

export interface FakeOptions {
  /** OpenAPI description to validate against: `api.github.com` or a GHES one (`ghes-3.19`). */
  spec?: string;
  /** Path prefix of the REST root: '' for github.com, '/api/v3' for GHES. */
  prefix?: string;
  /** Inject a fault on every n-th request (n=3: a third of calls), cycling through `kinds`. */
  faults?: { every: number; kinds: FaultKind[]; slowMs?: number };
  /** Logins per token; unknown tokens are 401. `ghs_` tokens are installation tokens. */
  tokens?: Record<string, string>;
  /** Tokens whose writes are refused like a fork PR's read-only GITHUB_TOKEN. */
  readOnlyTokens?: string[];
  /** PR heads for `GET /pulls/{n}`: number → head sha. */
  pulls?: Record<number, { headSha: string }>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  template?: string;
  status: number;
  fault?: FaultKind;
}

export interface FakeComment {
  id: number;
  body: string;
  login: string;
  created_at: string;
  updated_at: string;
}

/** A workflow run for the Actions routes; the fake answers newest first, like GitHub. */
export interface FakeRun {
  id: number;
  /** Workflow file name under .github/workflows, e.g. `pr.yml`. */
  workflow: string;
  branch: string;
  status?: 'completed' | 'in_progress' | 'queued';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | null;
  created_at: string;
  head_sha?: string;
  artifacts: FakeArtifact[];
}

export interface FakeArtifact {
  id: number;
  name: string;
  expired?: boolean;
  size_in_bytes?: number;
}

/** Conclusions a run can end with; `status=` filters on these or on the run's status. */
const RUN_CONCLUSIONS = new Set([
  'success',
  'failure',
  'cancelled',
  'neutral',
  'skipped',
  'stale',
  'timed_out',
  'action_required',
]);

const BOT_ID = 41898282;

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  /** Comments per `owner/repo#number`. */
  readonly comments = new Map<string, FakeComment[]>();
  readonly commitComments: { sha: string; body: string }[] = [];
  /** Workflow runs per `owner/repo`; see addRun. */
  readonly runs = new Map<string, FakeRun[]>();
  private readonly workflowIds = new Map<string, number>();
  private server: Server | undefined;
  private nextId = 1_000_000_001;
  private calls = 0;
  private faultIndex = 0;
  private clock = Date.parse('2025-11-20T10:00:00Z');
  private readonly spec: ReturnType<typeof loadSpec>;
  private readonly validators = new Map<string, ValidateFunction>();
  url = '';

  constructor(readonly opts: FakeOptions = {}) {
    this.spec = loadSpec(opts.spec ?? 'api.github.com');
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}${this.opts.prefix ?? ''}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Existing comments on an issue, e.g. a busy PR. */
  seed(
    owner: string,
    repo: string,
    issue: number,
    n: number,
    login = 'octocat',
    body = (i: number) => `comment ${i}`,
  ): void {
    const list = this.issueComments(`${owner}/${repo}#${issue}`);
    for (let i = 0; i < n; i++) list.push(this.newComment(body(i), login));
  }

  issueComments(key: string): FakeComment[] {
    let list = this.comments.get(key);
    if (!list) this.comments.set(key, (list = []));
    return list;
  }

  count(method: string, template?: string): number {
    return this.requests.filter(
      (r) => r.method === method && (!template || r.template === template) && r.status < 400,
    ).length;
  }

  /** A workflow file that exists (its runs list answers 200, possibly empty); returns its id. */
  addWorkflow(owner: string, repo: string, file: string): number {
    const key = `${owner}/${repo}/${file}`;
    let id = this.workflowIds.get(key);
    if (id === undefined) this.workflowIds.set(key, (id = 161335 + this.workflowIds.size));
    return id;
  }

  addRun(owner: string, repo: string, run: FakeRun): void {
    this.addWorkflow(owner, repo, run.workflow);
    let list = this.runs.get(`${owner}/${repo}`);
    if (!list) this.runs.set(`${owner}/${repo}`, (list = []));
    list.push(run);
  }

  /** Problems of an answer body against the operation's response schema; empty when it fits. */
  responseProblems(method: string, template: string, status: number, body: unknown): string[] {
    const op = this.spec.spec.paths[template]?.[method.toLowerCase()];
    const response = (op?.responses as Obj | undefined)?.[String(status)] as Obj | undefined;
    const content = response ? (deref(this.spec.spec, response).content as Obj | undefined) : undefined;
    const schema = (content?.['application/json'] as Obj | undefined)?.schema as Obj | undefined;
    if (!schema) return [`no ${status} JSON response for ${method} ${template}`];
    const key = `response ${status} ${method} ${template}`;
    let v = this.validators.get(key);
    if (!v) this.validators.set(key, (v = this.spec.ajv.compile(rewriteRefs(schema) as Obj)));
    return v(body) ? [] : [this.spec.ajv.errorsText(v.errors)];
  }

  /** One page of `list` with GitHub's Link header, built from the request's own URL. */
  private paginate<T>(list: T[], url: URL): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
    const page = Number(url.searchParams.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(list.length / perPage));
    const link = (n: number) => {
      const u = new URL(`${this.url}${url.pathname.slice((this.opts.prefix ?? '').length)}`);
      url.searchParams.forEach((v, k) => u.searchParams.set(k, v));
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(n));
      return u.toString();
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`);
    if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (page > 1) rels.push(`<${link(1)}>; rel="first"`);
    return {
      items: list.slice((page - 1) * perPage, page * perPage),
      headers: rels.length ? { link: rels.join(', ') } : {},
    };
  }

  /** A simple-user with every URL GitHub includes (Actions answers are schema-checked). */
  private simpleUser(login: string): Obj {
    const u = this.user(login);
    const api = u.url as string;
    return {
      ...u,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
    };
  }

  private repoJson(owner: string, repo: string): Obj {
    const api = `${this.url}/repos/${owner}/${repo}`;
    const templated: Record<string, string> = {
      archive_url: '/{archive_format}{/ref}',
      assignees_url: '/assignees{/user}',
      blobs_url: '/git/blobs{/sha}',
      branches_url: '/branches{/branch}',
      collaborators_url: '/collaborators{/collaborator}',
      comments_url: '/comments{/number}',
      commits_url: '/commits{/sha}',
      compare_url: '/compare/{base}...{head}',
      contents_url: '/contents/{+path}',
      contributors_url: '/contributors',
      deployments_url: '/deployments',
      downloads_url: '/downloads',
      events_url: '/events',
      forks_url: '/forks',
      git_commits_url: '/git/commits{/sha}',
      git_refs_url: '/git/refs{/sha}',
      git_tags_url: '/git/tags{/sha}',
      hooks_url: '/hooks',
      issue_comment_url: '/issues/comments{/number}',
      issue_events_url: '/issues/events{/number}',
      issues_url: '/issues{/number}',
      keys_url: '/keys{/key_id}',
      labels_url: '/labels{/name}',
      languages_url: '/languages',
      merges_url: '/merges',
      milestones_url: '/milestones{/number}',
      notifications_url: '/notifications{?since,all,participating}',
      pulls_url: '/pulls{/number}',
      releases_url: '/releases{/id}',
      stargazers_url: '/stargazers',
      statuses_url: '/statuses/{sha}',
      subscribers_url: '/subscribers',
      subscription_url: '/subscription',
      tags_url: '/tags',
      teams_url: '/teams',
      trees_url: '/git/trees{/sha}',
    };
    return {
      id: 1296269,
      node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
      name: repo,
      full_name: `${owner}/${repo}`,
      owner: this.simpleUser(owner),
      private: false,
      html_url: `https://github.com/${owner}/${repo}`,
      description: null,
      fork: false,
      url: api,
      ...Object.fromEntries(Object.entries(templated).map(([k, suffix]) => [k, api + suffix])),
    };
  }

  private runJson(owner: string, repo: string, r: FakeRun): Obj {
    const api = `${this.url}/repos/${owner}/${repo}`;
    const sha = r.head_sha ?? r.id.toString(16).padStart(40, 'a').slice(0, 40);
    const workflowId = this.addWorkflow(owner, repo, r.workflow);
    const repository = this.repoJson(owner, repo);
    const actor = this.simpleUser('octocat');
    return {
      id: r.id,
      name: r.workflow.replace(/\.ya?ml$/, ''),
      node_id: `WFR_kwLO${r.id}`,
      check_suite_id: r.id + 7,
      check_suite_node_id: `CS_kwDO${r.id + 7}`,
      head_branch: r.branch,
      head_sha: sha,
      path: `.github/workflows/${r.workflow}`,
      display_title: `Run ${r.id}`,
      run_number: r.id % 1000,
      run_attempt: 1,
      event: 'push',
      status: r.status ?? (r.conclusion === null ? 'in_progress' : 'completed'),
      conclusion: r.conclusion,
      workflow_id: workflowId,
      url: `${api}/actions/runs/${r.id}`,
      html_url: `https://github.com/${owner}/${repo}/actions/runs/${r.id}`,
      pull_requests: [],
      created_at: r.created_at,
      updated_at: r.created_at,
      actor,
      triggering_actor: actor,
      run_started_at: r.created_at,
      jobs_url: `${api}/actions/runs/${r.id}/jobs`,
      logs_url: `${api}/actions/runs/${r.id}/logs`,
      check_suite_url: `${api}/check-suites/${r.id + 7}`,
      artifacts_url: `${api}/actions/runs/${r.id}/artifacts`,
      cancel_url: `${api}/actions/runs/${r.id}/cancel`,
      rerun_url: `${api}/actions/runs/${r.id}/rerun`,
      previous_attempt_url: null,
      workflow_url: `${api}/actions/workflows/${workflowId}`,
      head_commit: {
        id: sha,
        tree_id: sha.split('').reverse().join(''),
        message: 'Train on the new data',
        timestamp: r.created_at,
        author: { name: 'Octo Cat', email: 'octocat@example.com' },
        committer: { name: 'GitHub', email: 'noreply@github.com' },
      },
      repository,
      head_repository: repository,
    };
  }

  private artifactJson(owner: string, repo: string, r: FakeRun, a: FakeArtifact): Obj {
    const api = `${this.url}/repos/${owner}/${repo}`;
    const expires = new Date(Date.parse(r.created_at) + 90 * 86_400_000).toISOString();
    return {
      id: a.id,
      node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
      name: a.name,
      size_in_bytes: a.size_in_bytes ?? 20_480,
      url: `${api}/actions/artifacts/${a.id}`,
      archive_download_url: `${api}/actions/artifacts/${a.id}/zip`,
      expired: a.expired ?? false,
      created_at: r.created_at,
      expires_at: expires,
      updated_at: r.created_at,
      digest: `sha256:${a.id.toString(16).padStart(64, '0')}`,
      workflow_run: {
        id: r.id,
        repository_id: 1296269,
        head_repository_id: 1296269,
        head_branch: r.branch,
        head_sha: r.head_sha ?? r.id.toString(16).padStart(40, 'a').slice(0, 40),
      },
    };
  }

  private newComment(body: string, login: string): FakeComment {
    const at = new Date((this.clock += 1000)).toISOString();
    return { id: this.nextId++, body, login, created_at: at, updated_at: at };
  }

  private violation(res: ServerResponse, rec: RecordedRequest, status: number, message: string): void {
    this.violations.push(`${rec.method} ${rec.path}: ${message}`);
    this.send(res, rec, status, { message, documentation_url: 'https://docs.github.com/rest' });
  }

  private send(
    res: ServerResponse,
    rec: RecordedRequest,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): void {
    rec.status = status;
    this.requests.push(rec);
    const base = {
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '990',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-github-request-id': `F00D:${rec.method}:${this.calls}`,
    };
    if (body === undefined) {
      res.writeHead(status, { ...base, ...headers });
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...base, ...headers });
    res.end(JSON.stringify(body));
  }

  private pickFault(): FaultKind | undefined {
    const f = this.opts.faults;
    if (!f || !f.kinds.length) return undefined;
    if (this.calls % f.every !== 0) return undefined;
    return f.kinds[this.faultIndex++ % f.kinds.length];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const rec: RecordedRequest = { method, path: url.pathname, status: 0 };
    this.calls++;

    const prefix = this.opts.prefix ?? '';
    if (!url.pathname.startsWith(`${prefix}/`))
      return this.violation(res, rec, 404, `path outside the REST root ${prefix}/`);
    const path = url.pathname.slice(prefix.length);
    const matches = this.spec.routes
      .map((r) => ({ r, m: r.regex.exec(path) }))
      .filter((x) => x.m && this.spec.spec.paths[x.r.template]?.[method.toLowerCase()])
      .sort((a, b) => b.r.literals - a.r.literals);
    const hit = matches[0];
    if (!hit?.m) return this.violation(res, rec, 404, 'no such operation in the OpenAPI description');
    rec.template = hit.r.template;
    const op = this.spec.spec.paths[hit.r.template]?.[method.toLowerCase()] as Obj;
    const params: Record<string, string> = {};
    hit.r.names.forEach((n, i) => (params[n] = decodeURIComponent(hit.m?.[i + 1] ?? '')));

    const problems = this.checkParams(op, params, url.searchParams);
    const body = this.checkBody(op, method, raw, hit.r.template, problems);
    if (problems.length) return this.violation(res, rec, 422, problems.join('; '));

    const auth = req.headers.authorization ?? '';
    const token = auth.replace(/^(token|bearer) /i, '');
    const login = this.opts.tokens?.[token];
    if (!login)
      return this.send(res, rec, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });

    const fault = this.pickFault();
    if (fault && fault !== 'slow') {
      rec.fault = fault;
      return this.fault(res, rec, fault);
    }
    const respond = (status: number, data?: unknown, headers?: Record<string, string>) => {
      if (fault === 'slow') {
        // The request takes effect, but the answer arrives after the client gave up.
        rec.fault = fault;
        setTimeout(() => {
          if (!res.destroyed) this.send(res, rec, status, data, headers);
          else this.requests.push({ ...rec, status: 599 });
        }, this.opts.faults?.slowMs ?? 2000);
        return;
      }
      this.send(res, rec, status, data, headers);
    };
    this.route(hit.r.template, method, params, url, body as Obj, token, login, respond, req);
  }

  private fault(res: ServerResponse, rec: RecordedRequest, kind: FaultKind): void {
    const docs = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
    switch (kind) {
      case '500':
        return this.send(res, rec, 500, { message: 'Server Error' });
      case '502':
        rec.status = 502;
        this.requests.push(rec);
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        return;
      case 'secondary-403':
        return this.send(
          res,
          rec,
          403,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url: docs,
            status: '403',
          },
          { 'retry-after': '1' },
        );
      case '429':
        return this.send(
          res,
          rec,
          429,
          {
            message:
              'You have exceeded a secondary rate limit and have been temporarily blocked from content creation.',
            documentation_url: docs,
            status: '429',
          },
          { 'retry-after': '1' },
        );
      default:
        return this.send(res, rec, 500, { message: 'Server Error' });
    }
  }

  private checkParams(op: Obj, path: Record<string, string>, query: URLSearchParams): string[] {
    const problems: string[] = [];
    const declared = ((op.parameters as Obj[] | undefined) ?? []).map((p) => deref(this.spec.spec, p));
    const known = new Set<string>();
    for (const p of declared) {
      const name = p.name as string;
      const where = p.in as string;
      if (where !== 'path' && where !== 'query') continue;
      known.add(`${where}:${name}`);
      const raw = where === 'path' ? path[name] : (query.get(name) ?? undefined);
      if (raw === undefined) {
        if (p.required) problems.push(`missing ${where} parameter ${name}`);
        continue;
      }
      const schema = (p.schema ?? {}) as Obj;
      const value =
        schema.type === 'integer' || schema.type === 'number'
          ? /^-?\d+(\.\d+)?$/.test(raw)
            ? Number(raw)
            : raw
          : schema.type === 'boolean'
            ? raw === 'true'
              ? true
              : raw === 'false'
                ? false
                : raw
            : raw;
      const cacheKey = JSON.stringify(schema);
      let v = this.validators.get(cacheKey);
      if (!v) this.validators.set(cacheKey, (v = this.spec.ajv.compile(rewriteRefs(schema) as Obj)));
      if (!v(value))
        problems.push(`${where} parameter ${name}=${raw}: ${this.spec.ajv.errorsText(v.errors)}`);
    }
    for (const name of query.keys())
      if (!known.has(`query:${name}`)) problems.push(`unknown query parameter ${name}`);
    return problems;
  }

  private checkBody(op: Obj, method: string, raw: string, template: string, problems: string[]): unknown {
    const rb = op.requestBody ? deref(this.spec.spec, op.requestBody as Obj) : undefined;
    if (!rb) {
      if (raw && method !== 'GET' && method !== 'DELETE') problems.push('this operation takes no body');
      return undefined;
    }
    if (!raw) {
      if (rb.required) problems.push('request body required');
      return undefined;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      problems.push('body is not JSON');
      return undefined;
    }
    const key = `${method} ${template}`;
    let v = this.validators.get(key);
    if (!v) {
      const schema = ((rb.content as Obj)['application/json'] as Obj | undefined)?.schema;
      if (!schema) {
        problems.push('operation has no JSON body schema');
        return body;
      }
      v = this.spec.ajv.compile(rewriteRefs(schema) as Obj);
      this.validators.set(key, v);
    }
    if (!v(body)) problems.push(`body: ${this.spec.ajv.errorsText(v.errors)}`);
    return body;
  }

  private user(login: string): Obj {
    const bot = login.endsWith('[bot]');
    const id = bot ? BOT_ID : 583231;
    const web = 'https://github.com';
    return {
      login,
      id,
      node_id: bot ? 'MDM6Qm90NDE4OTgyODI=' : 'MDQ6VXNlcjU4MzIzMQ==',
      avatar_url: `https://avatars.githubusercontent.com/${bot ? 'in/15368' : 'u/583231'}?v=4`,
      gravatar_id: '',
      url: `${this.url}/users/${encodeURIComponent(login)}`,
      html_url: bot ? `${web}/apps/${login.replace('[bot]', '')}` : `${web}/${login}`,
      type: bot ? 'Bot' : 'User',
      site_admin: false,
    };
  }

  private commentJson(owner: string, repo: string, issue: number, c: FakeComment): Obj {
    return {
      id: c.id,
      node_id: `IC_kwDO${Buffer.from(String(c.id)).toString('base64').replace(/=/g, '')}`,
      url: `${this.url}/repos/${owner}/${repo}/issues/comments/${c.id}`,
      html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${c.id}`,
      body: c.body,
      user: this.user(c.login),
      created_at: c.created_at,
      updated_at: c.updated_at,
      issue_url: `${this.url}/repos/${owner}/${repo}/issues/${issue}`,
      author_association: c.login.endsWith('[bot]') ? 'NONE' : 'CONTRIBUTOR',
      performed_via_github_app: null,
      reactions: {
        url: `${this.url}/repos/${owner}/${repo}/issues/comments/${c.id}/reactions`,
        total_count: 0,
        '+1': 0,
        '-1': 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0,
      },
    };
  }

  private findComment(
    owner: string,
    repo: string,
    id: number,
  ): { issue: number; list: FakeComment[]; c: FakeComment } | undefined {
    for (const [key, list] of this.comments) {
      if (!key.startsWith(`${owner}/${repo}#`)) continue;
      const c = list.find((x) => x.id === id);
      if (c) return { issue: Number(key.split('#')[1]), list, c };
    }
    return undefined;
  }

  private route(
    template: string,
    method: string,
    p: Record<string, string>,
    url: URL,
    body: Obj | undefined,
    token: string,
    login: string,
    respond: (status: number, data?: unknown, headers?: Record<string, string>) => void,
    req: IncomingMessage,
  ): void {
    const notFound = () =>
      respond(404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      });
    const readOnly = () =>
      respond(403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
        status: '403',
      });
    const isWrite = method !== 'GET';
    if (isWrite && this.opts.readOnlyTokens?.includes(token)) return readOnly();
    const owner = p.owner ?? '';
    const repo = p.repo ?? '';
    /** Answers from the Actions routes are checked against the response schema too. */
    const checked = (status: number, data: unknown, headers?: Record<string, string>) => {
      for (const problem of this.responseProblems(method, template, status, data))
        this.violations.push(`${method} ${template}: response ${status}: ${problem}`);
      respond(status, data, headers);
    };
    const key = `${method} ${template}`;
    switch (key) {
      case 'GET /user':
        if (token.startsWith('ghs_')) return readOnly();
        return respond(200, {
          ...this.user(login),
          name: login,
          public_repos: 3,
          followers: 1,
          following: 0,
          created_at: '2011-01-25T18:44:36Z',
          updated_at: '2025-01-01T00:00:00Z',
        });
      case 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const issue = Number(p.issue_number);
        const list = this.issueComments(`${owner}/${repo}#${issue}`);
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
        const page = Number(url.searchParams.get('page') ?? 1);
        const last = Math.max(1, Math.ceil(list.length / perPage));
        const items = list
          .slice((page - 1) * perPage, page * perPage)
          .map((c) => this.commentJson(owner, repo, issue, c));
        const link = (n: number) => {
          const u = new URL(`${this.url}/repos/${owner}/${repo}/issues/${issue}/comments`);
          u.searchParams.set('per_page', String(perPage));
          u.searchParams.set('page', String(n));
          return u.toString();
        };
        const rels: string[] = [];
        if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`);
        if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
        if (page > 1) rels.push(`<${link(1)}>; rel="first"`);
        return respond(200, items, rels.length ? { link: rels.join(', ') } : {});
      }
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const issue = Number(p.issue_number);
        const c = this.newComment(String(body?.body), login);
        this.issueComments(`${owner}/${repo}#${issue}`).push(c);
        const json = this.commentJson(owner, repo, issue, c);
        return respond(201, json, { location: json.url as string });
      }
      case 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const found = this.findComment(owner, repo, Number(p.comment_id));
        if (!found) return notFound();
        if (found.c.login !== login)
          return respond(403, { message: 'Must have admin rights to Repository.', status: '403' });
        found.c.body = String(body?.body);
        found.c.updated_at = new Date((this.clock += 1000)).toISOString();
        return respond(200, this.commentJson(owner, repo, found.issue, found.c));
      }
      case 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const found = this.findComment(owner, repo, Number(p.comment_id));
        if (!found) return notFound();
        found.list.splice(found.list.indexOf(found.c), 1);
        return respond(204);
      }
      case 'POST /repos/{owner}/{repo}/commits/{commit_sha}/comments': {
        const id = this.nextId++;
        this.commitComments.push({ sha: p.commit_sha ?? '', body: String(body?.body) });
        return respond(201, {
          id,
          node_id: `CC_kwDO${id}`,
          url: `${this.url}/repos/${owner}/${repo}/comments/${id}`,
          html_url: `https://github.com/${owner}/${repo}/commit/${p.commit_sha}#commitcomment-${id}`,
          body: body?.body,
          path: null,
          position: null,
          line: null,
          commit_id: p.commit_sha,
          user: this.user(login),
          created_at: new Date(this.clock).toISOString(),
          updated_at: new Date(this.clock).toISOString(),
          author_association: 'NONE',
        });
      }
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}': {
        const n = Number(p.pull_number);
        const pr = this.opts.pulls?.[n];
        if (!pr) return notFound();
        return respond(200, {
          url: `${this.url}/repos/${owner}/${repo}/pulls/${n}`,
          id: 1000 + n,
          number: n,
          state: 'open',
          html_url: `https://github.com/${owner}/${repo}/pull/${n}`,
          head: { ref: 'feature', sha: pr.headSha, repo: { full_name: `contributor/${repo}` } },
          base: { ref: 'main', sha: '0'.repeat(40), repo: { full_name: `${owner}/${repo}` } },
        });
      }
      case 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs': {
        const wf = p.workflow_id ?? '';
        const file = [...this.workflowIds].find(
          ([k, id]) =>
            k === `${owner}/${repo}/${wf}` || (k.startsWith(`${owner}/${repo}/`) && String(id) === wf),
        )?.[0];
        if (!file) return notFound();
        const q = url.searchParams;
        const status = q.get('status');
        const runs = (this.runs.get(`${owner}/${repo}`) ?? [])
          .filter((r) => `${owner}/${repo}/${r.workflow}` === file)
          .filter((r) => !q.has('branch') || r.branch === q.get('branch'))
          .filter(
            (r) =>
              !status ||
              (RUN_CONCLUSIONS.has(status)
                ? r.conclusion === status
                : (r.status ?? (r.conclusion === null ? 'in_progress' : 'completed')) === status),
          )
          .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id);
        const { items, headers } = this.paginate(runs, url);
        return checked(
          200,
          { total_count: runs.length, workflow_runs: items.map((r) => this.runJson(owner, repo, r)) },
          headers,
        );
      }
      case 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts': {
        const run = this.runs.get(`${owner}/${repo}`)?.find((r) => String(r.id) === p.run_id);
        if (!run) return notFound();
        const name = url.searchParams.get('name');
        const list = run.artifacts.filter((a) => name === null || a.name === name);
        const { items, headers } = this.paginate(list, url);
        return checked(
          200,
          { total_count: list.length, artifacts: items.map((a) => this.artifactJson(owner, repo, run, a)) },
          headers,
        );
      }
      default:
        this.violations.push(
          `${method} ${req.url}: valid GitHub operation, but the fake does not implement it`,
        );
        return notFound();
    }
  }
}
