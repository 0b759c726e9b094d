import { runStageAction } from '@mlops-actions/action';
import { train } from '@mlops-actions/stages';

await runStageAction(train);
