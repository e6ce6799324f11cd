/**
 * Exact (binomial) two-sided McNemar test on the discordant pairs: `b` examples only the first
 * model gets right, `c` only the second. Under "the models are equally accurate" each discordant
 * pair goes either way with probability 1/2, so p = min(1, 2 * P[X <= min(b, c)]), X ~ Bin(b + c, 1/2).
 *
 * The terms C(n, k) / 2^n are summed in log space (log-sum-exp), so n in the thousands neither
 * overflows C(n, k) nor underflows 2^-n before the sum; a p-value below ~1e-308 comes out as 0.
 */
export function mcnemarExact(b: number, c: number): number {
  for (const [name, v] of [
    ["b", b],
    ["c", c],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`metrics: McNemar ${name} is ${v}, expected a count`);
  }
  const n = b + c;
  if (n === 0) return 1;
  const m = Math.min(b, c);
  // log C(n, k) / 2^n for k = 0..m, by the ratio C(n, k+1) / C(n, k) = (n - k) / (k + 1).
  const logTerms = [-n * Math.LN2];
  for (let k = 0; k < m; k++) logTerms.push(logTerms[k]! + Math.log((n - k) / (k + 1)));
  const top = logTerms.reduce((a, t) => Math.max(a, t));
  const logTail = top + Math.log(logTerms.reduce((sum, t) => sum + Math.exp(t - top), 0));
  return Math.min(1, Math.exp(Math.LN2 + logTail));
}
