/**
 * The GitHub routes promote's approval flows use, in front of the OpenAPI-checked FakeGitHub:
 * - GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals
 * - GET /repos/{owner}/{repo}/collaborators/{username}/permission
 * - GET /orgs/{org}/teams/{team_slug}/memberships/{username}
 * FakeGitHub's router is private, so this is a second server: it answers those three itself
 * (route, method, query and token checked; bodies validated with FakeGitHub's public
 * `responseProblems` against GitHub's response schemas) and forwards every other request to
 * the FakeGitHub, which checks and answers it (comments, etc.).
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeGitHub } from './fake-github.js';

export type FakePermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface FakeApproval {
  environment: string;
  state: 'approved' | 'rejected' | 'pending';
  login: string;
  comment?: string;
}

export interface PromoteRoutesOptions {
  /** Repository permission per login; absent = not a collaborator (permission none / 404). */
  permissions?: Record<string, FakePermission>;
  /** Members per `org/team-slug`. */
  teams?: Record<string, string[]>;
  /** Review history per run id. */
  approvals?: Record<number, FakeApproval[]>;
}

const ROUTES: { method: string; template: string; regex: RegExp }[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/actions/runs/{run_id}/approvals',
    regex: /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/approvals$/,
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    regex: /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/,
  },
  {
    method: 'GET',
    template: '/orgs/{org}/teams/{team_slug}/memberships/{username}',
    regex: /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/,
  },
];

export class FakeGitHubPromote {
  readonly violations: string[] = [];
  readonly requests: { method: string; path: string; status: number }[] = [];
  private server: Server | undefined;
  url = '';

  constructor(
    readonly inner: FakeGitHub,
    readonly opts: PromoteRoutesOptions = {},
  ) {}

  /** Every problem seen by either server. */
  allViolations(): string[] {
    return [...this.violations, ...this.inner.violations];
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private user(login: string): Record<string, unknown> {
    const api = `${this.url}/users/${login}`;
    return {
      login,
      id: 5000 + [...login].reduce((a, c) => a + c.charCodeAt(0), 0),
      node_id: `MDQ6VXNlcj${Buffer.from(login).toString('base64').replace(/=/g, '')}`,
      avatar_url: `https://avatars.githubusercontent.com/u/1?v=4`,
      gravatar_id: '',
      url: api,
      html_url: `https://github.com/${login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: 'User',
      site_admin: false,
    };
  }

  private send(
    res: ServerResponse,
    method: string,
    path: string,
    template: string,
    status: number,
    body: unknown,
  ): void {
    if (status < 400) {
      for (const p of this.inner.responseProblems(method, template, status, body)) {
        this.violations.push(`${method} ${template}: response ${status}: ${p}`);
      }
    }
    this.requests.push({ method, path, status });
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
    });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const route = ROUTES.find((r) => r.regex.test(url.pathname));
    if (!route) return this.forward(req, res);
    const m = route.regex.exec(url.pathname)!;
    if (method !== route.method) {
      this.violations.push(`${method} ${url.pathname}: not an operation of ${route.template}`);
      return this.send(res, method, url.pathname, route.template, 404, { message: 'Not Found' });
    }
    for (const name of url.searchParams.keys()) {
      this.violations.push(`${method} ${route.template}: unknown query parameter ${name}`);
    }
    const token = (req.headers.authorization ?? '').replace(/^(token|bearer) /i, '');
    if (!this.inner.opts.tokens?.[token]) {
      return this.send(res, method, url.pathname, route.template, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };
    if (route.template.endsWith('/approvals')) {
      const [, owner, repo, runId] = m;
      const list = (this.opts.approvals?.[Number(runId)] ?? []).map((a, i) => ({
        environments: [
          {
            id: 161088068 + i,
            node_id: `MDExOkVudmlyb25tZW50MTYxMDg4MDY4${i}`,
            name: a.environment,
            url: `${this.url}/repos/${owner}/${repo}/environments/${a.environment}`,
            html_url: `https://github.com/${owner}/${repo}/deployments/activity_log?environments_filter=${a.environment}`,
            created_at: '2025-10-01T10:00:00Z',
            updated_at: '2025-10-01T10:00:00Z',
          },
        ],
        state: a.state,
        user: this.user(a.login),
        comment: a.comment ?? '',
      }));
      return this.send(res, method, url.pathname, route.template, 200, list);
    }
    if (route.template.endsWith('/permission')) {
      const username = decodeURIComponent(m[3] ?? '');
      const perm = this.opts.permissions?.[username];
      if (perm === undefined) return this.send(res, method, url.pathname, route.template, 404, notFound);
      // `permission` carries the legacy four; `role_name` the precise role.
      const legacy = perm === 'maintain' ? 'write' : perm === 'triage' ? 'read' : perm;
      return this.send(res, method, url.pathname, route.template, 200, {
        permission: legacy,
        role_name: perm,
        user: { ...this.user(username), role_name: perm },
      });
    }
    const org = decodeURIComponent(m[1] ?? '');
    const team = decodeURIComponent(m[2] ?? '');
    const username = decodeURIComponent(m[3] ?? '');
    if (!(this.opts.teams?.[`${org}/${team}`] ?? []).includes(username)) {
      return this.send(res, method, url.pathname, route.template, 404, notFound);
    }
    return this.send(res, method, url.pathname, route.template, 200, {
      url: `${this.url}/organizations/1/team/2/memberships/${username}`,
      role: 'member',
      state: 'active',
    });
  }

  /** Everything else goes to the FakeGitHub, which checks it against the OpenAPI description. */
  private forward(req: IncomingMessage, res: ServerResponse): void {
    const target = new URL(this.inner.url);
    const up = httpRequest(
      {
        host: target.hostname,
        port: Number(target.port),
        method: req.method,
        path: `${target.pathname.replace(/\/$/, '')}${req.url ?? '/'}`,
        headers: { ...req.headers, host: target.host },
      },
      (ur) => {
        // Link headers point at the inner server; rewrite them so pagination stays on this one.
        const headers = { ...ur.headers };
        if (typeof headers.link === 'string')
          headers.link = headers.link.split(this.inner.url).join(this.url);
        res.writeHead(ur.statusCode ?? 502, headers);
        ur.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  }
}
