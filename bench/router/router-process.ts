// The canary router alone in a process, for the benchmark: router-process.ts <stable> <canary> <weight>.
import { startRouter } from '@mlops-actions/deploy';

const [stable, canary, weight] = process.argv.slice(2);
const router = await startRouter({ stable: stable!, canary: canary!, canaryWeight: Number(weight ?? 10) });
console.log(`router ${router.url}`);
process.on('SIGTERM', () => void router.close().then(() => process.exit(0)));
