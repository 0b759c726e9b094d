/**
 * The one bundle every action runs, as github/codeql-action's actions share `lib/`: each
 * `actions/<name>/dist/index.js` is its `src/main.ts` with these imports pointed here, so the
 * shared packages are bundled (and checked) once instead of once per action.
 */
export { runStageAction } from '@mlops-actions/action';
export { runReportAction } from '@mlops-actions/action/report';
export * from '@mlops-actions/stages';
