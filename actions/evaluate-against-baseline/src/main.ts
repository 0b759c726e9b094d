import { runStageAction } from '@mlops-actions/action';
import { evaluate } from '@mlops-actions/stages';

await runStageAction(evaluate);
