import fc from 'fast-check';
import { loadTargets } from '/work/wt/integ/packages/fuzz/dist/target.js';
const t = (await loadTargets()).get(process.argv[2]);
const ctx = await t.prepare();
const n = Number(process.argv[3] ?? 400);
const samples = fc.sample(t.inputs(ctx), { seed: 20261204, numRuns: n });
const mib = (x) => (x / 1048576).toFixed(0);
let i = 0;
for (const input of samples) {
  try { await t.execute(input, ctx); } catch (e) { console.log('fail', e.message.slice(0, 200)); }
  if (++i % 25 === 0) { const m = process.memoryUsage(); console.log(i, 'rss', mib(m.rss), 'heap', mib(m.heapUsed), 'ext', mib(m.external), 'ab', mib(m.arrayBuffers), 'maxrss', mib(process.resourceUsage().maxRSS*1024)); }
}
await t.dispose?.(ctx);
