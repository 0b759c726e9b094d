import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeGitHub } from './fake-github.js';
import { client, startFake } from './helpers.js';

/** Hides a route from Octokit's typings so a deliberately wrong request type-checks. */
const untyped = (route: string): string => route;

// The fake is the oracle for the other tests, so check that it rejects what GitHub would.
describe('fake GitHub validates requests against the OpenAPI description', () => {
  let fake: FakeGitHub;
  beforeEach(async () => {
    fake = await startFake();
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('rejects an unknown route', async () => {
    await expect(
      client(fake, undefined, 0).request('GET /repos/{owner}/{repo}/sticky-comments', {
        owner: 'a',
        repo: 'b',
      }),
    ).rejects.toThrow();
    expect(fake.violations[0]).toMatch(/no such operation/);
  });

  it('rejects a body that does not match the schema', async () => {
    await expect(
      // A route string the typings do not know, so the deliberately wrong body type-checks.
      client(fake, undefined, 0).request(
        untyped('POST /repos/{owner}/{repo}/issues/{issue_number}/comments'),
        {
          owner: 'a',
          repo: 'b',
          issue_number: 1,
          text: 'wrong field',
        },
      ),
    ).rejects.toThrow();
    expect(fake.violations[0]).toMatch(/body: data must have required property 'body'/);
  });

  it('rejects a path parameter of the wrong type and an unknown query parameter', async () => {
    const gh = client(fake, undefined, 0);
    await expect(
      gh.request(untyped('GET /repos/{owner}/{repo}/issues/{issue_number}/comments'), {
        owner: 'a',
        repo: 'b',
        issue_number: 'x',
      }),
    ).rejects.toThrow();
    await expect(
      gh.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: 'a',
        repo: 'b',
        issue_number: 1,
        sort: 'new',
      }),
    ).rejects.toThrow();
    expect(fake.violations).toHaveLength(2);
    expect(fake.violations[0]).toMatch(/path parameter issue_number=x/);
    expect(fake.violations[1]).toMatch(/unknown query parameter sort/);
  });

  it('pages with Link headers like GitHub', async () => {
    fake.seed('a', 'b', 1, 45, 'octocat');
    const res = await client(fake).request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'a',
      repo: 'b',
      issue_number: 1,
    });
    expect(res.data).toHaveLength(30);
    expect(res.headers.link).toMatch(/page=2>; rel="next", <.*page=2>; rel="last"/);
    expect(fake.violations).toEqual([]);
  });
});
