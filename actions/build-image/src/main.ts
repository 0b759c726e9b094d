import { failNotYetAvailable } from '@mlops-actions/action/not-available';

failNotYetAvailable('build-image', 'image');
