export const id = 735;
export const ids = [735];
export const modules = {

/***/ 93116:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createClient: () => (/* reexport */ createClient)
});

// UNUSED EXPORTS: ACTIONS_BOT, BUNDLE_FILE, COMMENT_MODES, DEFAULT_BUNDLE_DIR, REGISTRY_NOT_AVAILABLE, appendJobSummary, createArtifactBaselineResolver, isReadOnlyTokenError, publishFromRun, publishReport, readReportBundle, readRunEvent, resolveIdentity, saveReportBundle, statusOf, upsertStickyComment, withMarker, workflowFileFromRef

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(61351);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/utils.js + 19 modules
var utils = __webpack_require__(85555);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-retry/dist-bundle/index.js
var dist_bundle = __webpack_require__(49735);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var plugin_throttling_dist_bundle = __webpack_require__(86856);
// EXTERNAL MODULE: ./node_modules/bottleneck/lib/index.js
var lib = __webpack_require__(62203);
;// CONCATENATED MODULE: ./.build/tree/packages/github/src/client.js





function toolkitFetch() {
  return utils/* defaults */.NT.request?.fetch;
}
const quiet = { debug: () => {
}, info: () => {
}, warn: () => {
}, error: () => {
} };
function withTimeout(inner, timeoutMs) {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await (inner ?? globalThis.fetch)(input, { ...init, signal });
    } catch (err) {
      if (timeout.aborted && !init?.signal?.aborted) {
        throw new Error(`no response within ${timeoutMs} ms`);
      }
      throw err;
    }
  };
}
function createClient(opts) {
  const log = opts.log ?? quiet;
  const retries = opts.retries ?? 3;
  const base = opts.retryAfterBaseMs ?? 1e3;
  const retryWithin = (what) => (retryAfter, options, _o, retryCount) => {
    log.warn(`${what} for ${options.method} ${options.url}; retry ${retryCount + 1} in ${retryAfter} s`);
    return retryCount < retries;
  };
  const throttle = {
    retryAfterBaseValue: base,
    fallbackSecondaryRateRetryAfter: 60,
    onRateLimit: retryWithin("rate limit hit"),
    onSecondaryRateLimit: retryWithin("secondary rate limit")
  };
  if (opts.writeSpacingMs !== void 0) {
    throttle.write = new lib.Group({ maxConcurrent: 1, minTime: opts.writeSpacingMs });
  }
  if (opts.notificationSpacingMs !== void 0) {
    throttle.notifications = new lib.Group({ maxConcurrent: 1, minTime: opts.notificationSpacingMs });
  }
  const baseUrl = (opts.baseUrl ?? process.env.GITHUB_API_URL ?? "https://api.github.com").replace(
    /\/+$/,
    ""
  );
  return (0,github/* getOctokit */.Q)(
    opts.token,
    {
      baseUrl,
      log,
      // Our own request options replace the toolkit's, so keep its proxy-aware fetch underneath.
      request: { fetch: withTimeout(opts.fetch ?? toolkitFetch(), opts.timeoutMs ?? 3e4) },
      retry: { retries, retryAfterBaseValue: base },
      throttle
    },
    dist_bundle/* retry */.L,
    plugin_throttling_dist_bundle/* throttling */.A
  );
}
function client_statusOf(err) {
  const s = err?.status;
  return typeof s === "number" ? s : void 0;
}
function client_messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}


;// CONCATENATED MODULE: ./.build/tree/packages/github/src/identity.js

const ACTIONS_BOT = "github-actions[bot]";
async function identity_resolveIdentity(octokit, explicit) {
  if (explicit) return explicit;
  const auth = await octokit.auth();
  if (auth.tokenType === "installation") return ACTIONS_BOT;
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return data.login;
  } catch (err) {
    const status = statusOf(err);
    if (status === 401 || status === 403) return ACTIONS_BOT;
    throw err;
  }
}
function identity_sameLogin(a, b) {
  return !!a && a.toLowerCase() === b.toLowerCase();
}


// EXTERNAL MODULE: ./.build/tree/packages/core/src/index.js + 48 modules
var src = __webpack_require__(63659);
;// CONCATENATED MODULE: ./.build/tree/packages/github/src/sticky-comment.js



const COMMENT_MODES = (/* unused pure expression or super */ null && (["update", "recreate", "off"]));
function normalize(body) {
  return (body ?? "").replace(/\r\n/g, "\n").trimEnd();
}
function withMarker(body, key) {
  const marker = reportMarker(key);
  const marked = body.includes(marker) ? body : `${marker}
${body}`;
  if (marked.length <= COMMENT_LIMIT) return marked;
  const note = "\n\n> [!NOTE]\n> This comment was cut to fit GitHub's size limit; see the job summary for the full report.\n";
  const cut = marked.slice(0, COMMENT_LIMIT - note.length);
  let head = cut.slice(0, Math.max(cut.lastIndexOf("\n"), 0));
  if ((head.match(/^```/gm)?.length ?? 0) % 2 === 1) head += "\n```";
  return head + note;
}
async function listOurs(o, identity, marker) {
  const all = await o.octokit.paginate(o.octokit.rest.issues.listComments, {
    owner: o.owner,
    repo: o.repo,
    issue_number: o.issueNumber,
    per_page: 100
  });
  return all.filter((c) => sameLogin(c.user?.login, identity) && (c.body ?? "").includes(marker)).sort((a, b) => a.id - b.id);
}
async function deleteQuietly(o, id) {
  try {
    await o.octokit.rest.issues.deleteComment({ owner: o.owner, repo: o.repo, comment_id: id });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}
async function update(o, c, body) {
  const { data } = await o.octokit.rest.issues.updateComment({
    owner: o.owner,
    repo: o.repo,
    comment_id: c.id,
    body
  });
  return data;
}
async function converge(o, identity, marker, body, created) {
  const listed = await listOurs(o, identity, marker);
  const ours = listed.some((c) => c.id === created.id) ? listed : [...listed, created].sort((a, b) => a.id - b.id);
  const [survivor, ...duplicates] = ours;
  for (const d of duplicates) await deleteQuietly(o, d.id);
  if (survivor.id === created.id) return { action: "created", commentId: created.id, url: created.html_url };
  const final = normalize(survivor.body) === normalize(body) ? survivor : await update(o, survivor, body);
  return { action: "updated", commentId: final.id, url: final.html_url };
}
async function sticky_comment_upsertStickyComment(o) {
  if (o.mode === "off") return { action: "skipped" };
  const identity = await resolveIdentity(o.octokit, o.identity);
  const marker = reportMarker(o.key);
  const body = withMarker(o.body, o.key);
  const existing = await listOurs(o, identity, marker);
  if (o.mode === "update" && existing.length) {
    const [keep, ...duplicates] = existing;
    for (const d of duplicates) await deleteQuietly(o, d.id);
    if (normalize(keep.body) === normalize(body)) {
      return { action: "unchanged", commentId: keep.id, url: keep.html_url };
    }
    const updated = await update(o, keep, body);
    return { action: "updated", commentId: updated.id, url: updated.html_url };
  }
  for (const c of existing) await deleteQuietly(o, c.id);
  const { data } = await o.octokit.rest.issues.createComment({
    owner: o.owner,
    repo: o.repo,
    issue_number: o.issueNumber,
    body
  });
  const result = await converge(o, identity, marker, body, data);
  if (existing.length && result.action === "created") return { ...result, action: "recreated" };
  return result;
}


// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
;// CONCATENATED MODULE: ./.build/tree/packages/github/src/runner.js


const obj = (x) => typeof x === "object" && x !== null ? x : void 0;
const str = (x) => typeof x === "string" ? x : void 0;
async function readRunEvent(env = process.env) {
  const name = env.GITHUB_EVENT_NAME;
  const repository = env.GITHUB_REPOSITORY;
  if (!name || !repository) {
    throw new InputError(
      "GITHUB_EVENT_NAME and GITHUB_REPOSITORY must be set (is this running on GitHub Actions?)"
    );
  }
  const [owner, repo] = repository.split("/");
  if (!owner || !repo) throw new InputError(`GITHUB_REPOSITORY must be owner/repo, got '${repository}'`);
  let payload = {};
  const path = env.GITHUB_EVENT_PATH;
  if (path) {
    let text;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      throw new InputError(
        `${path}: cannot read the event payload (GITHUB_EVENT_PATH): ${err.message}`,
        { file: path }
      );
    }
    try {
      payload = obj(JSON.parse(text)) ?? {};
    } catch (err) {
      throw new InputError(`${path}: the event payload is not valid JSON: ${err.message}`, {
        file: path
      });
    }
  }
  const server = env.GITHUB_SERVER_URL ?? "https://github.com";
  const event = {
    name,
    owner,
    repo,
    sha: env.GITHUB_SHA ?? "",
    runUrl: runFromEnv({ ...env, GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository })?.url
  };
  const pr = obj(payload.pull_request);
  if (pr && typeof pr.number === "number") {
    const head = obj(pr.head);
    const base = obj(pr.base);
    event.pullRequest = {
      number: pr.number,
      headRepo: str(obj(head?.repo)?.full_name),
      baseRepo: str(obj(base?.repo)?.full_name),
      headSha: str(head?.sha)
    };
  }
  const run = obj(payload.workflow_run);
  if (run && typeof run.id === "number" && typeof run.head_sha === "string") {
    event.workflowRun = {
      id: run.id,
      headSha: run.head_sha,
      headRepo: str(obj(run.head_repository)?.full_name),
      event: str(run.event),
      conclusion: str(run.conclusion) ?? null
    };
  }
  return event;
}
async function runner_appendJobSummary(markdown, path = process.env.GITHUB_STEP_SUMMARY) {
  if (!path) return false;
  await appendFile(path, markdown.endsWith("\n") ? markdown : `${markdown}
`, "utf8");
  return true;
}


// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
;// CONCATENATED MODULE: ./.build/tree/packages/github/src/bundle.js



const BUNDLE_FILE = "mlops-report.json";
async function bundle_saveReportBundle(dir, bundle) {
  await mkdir(dir, { recursive: true });
  const file = join(dir, BUNDLE_FILE);
  const full = { schemaVersion: 1, kind: "mlops-report-bundle", ...bundle };
  await writeFile(file, JSON.stringify(full, null, 2) + "\n", "utf8");
  return file;
}
const isObj = (x) => typeof x === "object" && x !== null && !Array.isArray(x);
async function bundle_readReportBundle(dir) {
  const file = join(dir, BUNDLE_FILE);
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new InputError(`${file}: not found; download the PR run's report artifact into ${dir} first`, {
      file
    });
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${err.message}`, { file });
  }
  const fail = (field, why) => {
    throw new InputError(`${file}: ${field}: ${why}`, { file });
  };
  if (!isObj(data)) return fail("(root)", "must be an object");
  if (data.kind !== "mlops-report-bundle") fail("kind", "must be 'mlops-report-bundle'");
  if (data.schemaVersion !== 1)
    fail("schemaVersion", `unsupported version ${JSON.stringify(data.schemaVersion)} (expected 1)`);
  if (typeof data.repository !== "string" || !/^[\w.-]+\/[\w.-]+$/.test(data.repository))
    fail("repository", "must be owner/repo");
  if (!Number.isSafeInteger(data.pullRequest) || data.pullRequest <= 0)
    fail("pullRequest", "must be a positive integer");
  if (data.headSha !== void 0 && (typeof data.headSha !== "string" || !/^[0-9a-f]{40,64}$/i.test(data.headSha)))
    fail("headSha", "must be a commit SHA");
  if (typeof data.key !== "string" || !data.key) fail("key", "must be a non-empty string");
  if (!Array.isArray(data.results)) return fail("results", "must be an array of stage results");
  data.results.forEach((r, i) => {
    const check = validateStageResult(r);
    if (!check.ok) fail(`results[${i}]`, check.problems.join("; "));
  });
  return data;
}


;// CONCATENATED MODULE: ./.build/tree/packages/github/src/publish.js






const PR_EVENTS = /* @__PURE__ */ new Set(["pull_request", "pull_request_target"]);
const DEFAULT_BUNDLE_DIR = ".mlops/report";
function isReadOnlyTokenError(err) {
  return statusOf(err) === 403 && /Resource not accessible by integration|must have (push|write) access/i.test(messageOf(err));
}
async function publishReport(o) {
  const ev = o.event;
  const runUrl = ev.runUrl;
  const report = o.report;
  const writeSummary = o.writeSummary ?? ((md) => appendJobSummary(md));
  const summaryWritten = await writeSummary(
    truncateReport(report.sections, SUMMARY_LIMIT_BYTES, { unit: "utf8-bytes" })
  );
  const notes = [
    summaryWritten ? "report written to the job summary" : "no job summary file (not on GitHub Actions)"
  ];
  const key = o.key ?? "default";
  const saveForLater = async (why) => {
    const pr = ev.pullRequest;
    const bundle = await saveReportBundle(o.bundleDir ?? DEFAULT_BUNDLE_DIR, {
      repository: `${ev.owner}/${ev.repo}`,
      pullRequest: pr?.number ?? 0,
      headSha: pr?.headSha,
      key,
      title: o.title,
      runUrl,
      results: o.results
    });
    notes.push(
      `${why}; results saved to ${bundle}: upload that directory as an artifact and post the comment from a workflow_run workflow (report mode 'from-run'). Gates are unaffected.`
    );
    return { channel: "job-summary", summaryWritten, bundle, notes };
  };
  if (PR_EVENTS.has(ev.name) && ev.pullRequest) {
    const pr = ev.pullRequest;
    if ((o.mode ?? "update") === "off") {
      notes.push("PR comment disabled (mode off)");
      return { channel: "job-summary", summaryWritten, comment: { action: "skipped" }, notes };
    }
    if (ev.name === "pull_request" && pr.headRepo && pr.baseRepo && pr.headRepo !== pr.baseRepo) {
      return saveForLater(
        `pull request #${pr.number} comes from the fork ${pr.headRepo}, whose token is read-only`
      );
    }
    if (!o.octokit) return saveForLater("no GitHub token was given");
    try {
      const comment = await upsertStickyComment({
        octokit: o.octokit,
        owner: ev.owner,
        repo: ev.repo,
        issueNumber: pr.number,
        key,
        body: truncateReport(report.sections, COMMENT_LIMIT, { fullReportUrl: runUrl }),
        mode: o.mode ?? "update",
        identity: o.identity
      });
      notes.push(`PR #${pr.number} comment ${comment.action}${comment.url ? `: ${comment.url}` : ""}`);
      return { channel: "pr-comment", comment, summaryWritten, notes };
    } catch (err) {
      if (isReadOnlyTokenError(err))
        return saveForLater(`the token may not comment on PR #${pr.number} (${messageOf(err)})`);
      throw err;
    }
  }
  if (o.commitComment && o.octokit && ev.sha) {
    try {
      const { data } = await o.octokit.rest.repos.createCommitComment({
        owner: ev.owner,
        repo: ev.repo,
        commit_sha: ev.sha,
        body: truncateReport(report.sections, COMMENT_LIMIT, { fullReportUrl: runUrl })
      });
      notes.push(`commit comment posted: ${data.html_url}`);
      return { channel: "commit-comment", commitCommentUrl: data.html_url, summaryWritten, notes };
    } catch (err) {
      if (!isReadOnlyTokenError(err)) throw err;
      notes.push(`commit comment not allowed for this token (${messageOf(err)})`);
    }
  }
  return { channel: "job-summary", summaryWritten, notes };
}
async function publishFromRun(o) {
  const bundle = await readReportBundle(o.dir);
  const file = join(o.dir, "mlops-report.json");
  const repository = `${o.event.owner}/${o.event.repo}`;
  if (bundle.repository.toLowerCase() !== repository.toLowerCase()) {
    throw new InputError(
      `${file}: repository: the artifact is for ${bundle.repository}, this workflow runs in ${repository}`,
      { file }
    );
  }
  const expectedSha = o.event.workflowRun?.headSha;
  const { data: pull } = await o.octokit.rest.pulls.get({
    owner: o.event.owner,
    repo: o.event.repo,
    pull_number: bundle.pullRequest
  });
  if (expectedSha && pull.head.sha !== expectedSha) {
    throw new InputError(
      `${file}: pullRequest: PR #${bundle.pullRequest} is at ${pull.head.sha.slice(0, 7)}, but the run that produced this artifact built ${expectedSha.slice(0, 7)}; refusing to comment`,
      { file }
    );
  }
  const report = o.render(bundle.results, {
    key: bundle.key,
    title: bundle.title,
    maxSlices: o.maxSlices,
    runUrl: bundle.runUrl,
    fullReportUrl: bundle.runUrl
  });
  const comment = await upsertStickyComment({
    octokit: o.octokit,
    owner: o.event.owner,
    repo: o.event.repo,
    issueNumber: bundle.pullRequest,
    key: bundle.key,
    body: truncateReport(report.sections, COMMENT_LIMIT, { fullReportUrl: bundle.runUrl }),
    mode: o.mode ?? "update",
    identity: o.identity
  });
  return {
    channel: "pr-comment",
    comment,
    summaryWritten: false,
    notes: [
      `PR #${bundle.pullRequest} comment ${comment.action} from the artifact of run ${o.event.workflowRun?.id ?? "?"}`
    ]
  };
}


;// CONCATENATED MODULE: ./.build/tree/packages/github/src/baseline-artifact.js




const PER_PAGE = 10;
const MAX_PAGES = 3;
const REGISTRY_NOT_AVAILABLE = "evaluate.baseline.registry: the model registry is not yet available; use baseline.path, baseline.store or baseline.artifact";
function workflowFileFromRef(ref) {
  if (!ref) return void 0;
  const at = ref.indexOf("@");
  const path = at < 0 ? ref : ref.slice(0, at);
  return /^[^/]+\/[^/]+\/\.github\/workflows\/([^/]+\.ya?ml)$/.exec(path)?.[1];
}
function defaultDownload(token, owner, repo) {
  return async (artifactId, runId, dir) => {
    const { DefaultArtifactClient } = await __webpack_require__.e(/* import() */ 116).then(__webpack_require__.bind(__webpack_require__, 5116));
    await new DefaultArtifactClient().downloadArtifact(artifactId, {
      path: dir,
      findBy: { token, workflowRunId: runId, repositoryOwner: owner, repositoryName: repo }
    });
  };
}
async function onnxFiles(dir) {
  const found = [];
  for (const rel of await readdir(dir, { recursive: true })) {
    if (!rel.toLowerCase().endsWith(".onnx")) continue;
    if ((await stat(join(dir, rel))).isFile()) found.push(rel.split(sep).join("/"));
  }
  return found.sort();
}
function pickModel(files, modelPath) {
  if (files.length === 1) return files[0];
  if (!modelPath) return void 0;
  const want = modelPath.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
  const exact = files.find((f) => f === want);
  if (exact) return exact;
  const tails = files.filter((f) => want.endsWith(`/${f}`)).sort((a, b) => b.length - a.length);
  return tails[0];
}
function createArtifactBaselineResolver(opts) {
  const { octokit, owner, repo } = opts;
  const log = opts.log ?? (() => {
  });
  const download = opts.download ?? defaultDownload(opts.token, owner, repo);
  async function findCandidate(workflow, branch, name) {
    let seen = 0;
    let expired = 0;
    for (let page = 1; page <= MAX_PAGES; page++) {
      let runs;
      try {
        runs = await octokit.rest.actions.listWorkflowRuns({
          owner,
          repo,
          workflow_id: workflow,
          branch,
          status: "success",
          exclude_pull_requests: true,
          per_page: PER_PAGE,
          page
        });
      } catch (err) {
        if (statusOf(err) === 404) return { missing: `workflow ${workflow} not found in ${owner}/${repo}` };
        throw err;
      }
      for (const run of runs.data.workflow_runs) {
        seen++;
        let artifacts;
        try {
          artifacts = await octokit.rest.actions.listWorkflowRunArtifacts({
            owner,
            repo,
            run_id: run.id,
            name,
            per_page: 100
          });
        } catch (err) {
          if (statusOf(err) === 404) continue;
          throw err;
        }
        const named = artifacts.data.artifacts.filter((a) => a.name === name);
        const live = named.find((a) => !a.expired);
        if (live) return { runId: run.id, createdAt: run.created_at, artifactId: live.id };
        if (named.length) expired++;
      }
      if (runs.data.workflow_runs.length < PER_PAGE || seen >= runs.data.total_count) break;
    }
    const where = `${workflow} on ${branch}`;
    if (!seen) return { missing: `no successful run of ${where}` };
    const why = expired ? ` (${expired} had it expired)` : "";
    return {
      missing: `none of the latest ${seen} successful runs of ${where} has a live artifact "${name}"${why}`
    };
  }
  return {
    async resolve(spec) {
      if (spec.kind === "registry") throw new InputError(REGISTRY_NOT_AVAILABLE);
      const workflow = spec.workflow ?? opts.currentWorkflow;
      if (!workflow) {
        throw new InputError(
          "evaluate.baseline.artifact.workflow: not set, and the running workflow is unknown (GITHUB_WORKFLOW_REF is not set); name the workflow file, e.g. workflow: pr.yml"
        );
      }
      const found = await findCandidate(workflow, spec.branch, spec.name);
      if ("missing" in found) {
        log(`no baseline model: ${found.missing}`);
        return void 0;
      }
      const label = `artifact "${spec.name}" of run ${found.runId} (${workflow} on ${spec.branch})`;
      const dir = join(opts.downloadDir, `artifact-${found.artifactId}`);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await download(found.artifactId, found.runId, dir);
      const files = await onnxFiles(dir);
      if (!files.length) throw new InputError(`${label}: holds no .onnx file`);
      const model = pickModel(files, opts.modelPath);
      if (!model) {
        const hint = opts.modelPath ? `, none of them at ${opts.modelPath}` : "";
        throw new InputError(`${label}: holds several .onnx files (${files.join(", ")})${hint}`);
      }
      const day = found.createdAt.slice(0, 10);
      return {
        path: join(dir, model),
        source: `artifact ${spec.name} from run ${found.runId} (${workflow} on ${spec.branch}, ${day})`
      };
    }
  };
}


;// CONCATENATED MODULE: ./.build/tree/packages/github/src/index.js










/***/ })

};
