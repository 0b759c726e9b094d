import { runReportAction } from '@mlops-actions/action';

await runReportAction();
