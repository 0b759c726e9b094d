import { runStageAction } from '@mlops-actions/action';
import { promote } from '@mlops-actions/stages';

await runStageAction(promote);
