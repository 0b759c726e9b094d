/** Our side of the benchmark: read both files and compute every statistic for every feature. */
import { computeDrift, readDataset } from '@mlops-actions/drift';

const [ref, cur] = process.argv.slice(2);
const c0 = process.cpuUsage();
const t0 = performance.now();
const r = readDataset(ref!);
const c = readDataset(cur!);
const t1 = performance.now();
const c1 = process.cpuUsage(c0);
const report = computeDrift(r, c, { allStatistics: true });
const t2 = performance.now();
const c2 = process.cpuUsage(c0);
const cpu = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1e6;
const mem = process.memoryUsage();
console.log(
  JSON.stringify({
    tool: 'mlops-actions drift',
    readSeconds: (t1 - t0) / 1000,
    statsSeconds: (t2 - t1) / 1000,
    totalSeconds: (t2 - t0) / 1000,
    readCpuSeconds: cpu(c1),
    totalCpuSeconds: cpu(c2),
    rssMiB: Math.round(mem.rss / 2 ** 20),
    drifted: report.drifted,
    driftedFeatures: report.features.filter((f) => f.drifted).map((f) => f.name),
    f0: report.features[0]!.all,
  }),
);
