import { runStageAction } from '@mlops-actions/action';
import { loadTest } from '@mlops-actions/stages';

await runStageAction(loadTest);
