import { runStageAction } from '@mlops-actions/action';
import { drift } from '@mlops-actions/stages';

await runStageAction(drift);
