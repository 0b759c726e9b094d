import { failNotYetAvailable } from '@mlops-actions/action/not-available';

failNotYetAvailable('promote', 'promote');
