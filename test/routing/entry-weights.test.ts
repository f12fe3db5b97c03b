/**
 * The weighted lane entry's weights: the lanes' percentages, the rest split over the default
 * route as it splits it, as whole percentages when they come out whole, else exact shares.
 */
import { entryWeights } from '../../src/model/routing/render-http';

const share = (w: { defaults: number[]; lanes: number[] }) => {
  const all = [...w.defaults, ...w.lanes];
  const sum = all.reduce((s, x) => s + x, 0);
  return all.map((x) => (100 * x) / sum);
};

test('one version: 100 - lanes (the seed\'s output)', () => {
  expect(entryWeights([{ subset: 'base', weight: 100 }], [10, 5])).toEqual({ defaults: [85], lanes: [10, 5] });
});

test('a split whose shares come out whole keeps percentages', () => {
  expect(entryWeights([{ subset: 'v1', weight: 50 }, { subset: 'v3', weight: 50 }], [10])).toEqual({ defaults: [45, 45], lanes: [10] });
});

test('a split whose shares do not come out whole is written exactly, in lowest terms', () => {
  const w = entryWeights([{ subset: 'v1', weight: 33 }, { subset: 'v2', weight: 67 }], [5]);
  expect(w.defaults.concat(w.lanes).every(Number.isInteger)).toBe(true);
  expect(share(w)).toEqual([31.35, 63.65, 5]);
});

test('lanes taking everything leave the default route nothing', () => {
  expect(entryWeights([{ subset: 'v1', weight: 50 }, { subset: 'v3', weight: 50 }], [100])).toEqual({ defaults: [0, 0], lanes: [100] });
});
