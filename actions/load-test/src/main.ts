import { failNotYetAvailable } from '@mlops-actions/action/not-available';

failNotYetAvailable('load-test', 'load-test');
