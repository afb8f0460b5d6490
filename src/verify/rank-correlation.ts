// Spearman's rank correlation: how far one order follows another (1: the same order, -1: reversed,
// about 0: unrelated). The pre-queue checks use it between submit order and drawn sequence.

/** Ranks 1 … n, ties given the mean of the ranks they span. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length);
  for (let k = 0; k < order.length;) {
    let end = k;
    while (end + 1 < order.length && order[end + 1]?.v === order[k]?.v) end++;
    const rank = (k + end) / 2 + 1;
    for (let m = k; m <= end; m++) out[(order[m] as { i: number }).i] = rank;
    k = end + 1;
  }
  return out;
}

/** Spearman's ρ of two equally long series (Pearson's correlation of their ranks); NaN below 2 items. */
export function spearmanRho(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new RangeError('series of different lengths');
  const n = xs.length;
  if (n < 2) return NaN;
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (rx[i] as number) - mean;
    const dy = (ry[i] as number) - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}
