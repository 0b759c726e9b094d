import { failNotYetAvailable } from '@mlops-actions/action/not-available';

failNotYetAvailable('deploy-canary', 'deploy');
