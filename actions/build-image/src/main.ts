import { runStageAction } from '@mlops-actions/action';
import { image } from '@mlops-actions/stages';

await runStageAction(image);
