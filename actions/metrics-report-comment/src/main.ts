import { runReportAction } from '@mlops-actions/action/report';

await runReportAction();
