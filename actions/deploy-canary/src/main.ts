import { runStageAction } from '@mlops-actions/action';
import { deployCanary } from '@mlops-actions/stages';

await runStageAction(deployCanary);
