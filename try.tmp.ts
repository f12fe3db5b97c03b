import { loadManifests, lint, laneReport, formatLaneReport, renderRoutesMarkdown } from './src/analysis';
for (const d of ['full-link-gray','static-lanes','asm']) {
 const m = loadManifests([`test/fixtures/${d}`]);
 console.log(d, JSON.stringify(lint(m)));
}
const s = loadManifests(['test/fixtures/static-lanes']);
console.log(formatLaneReport(laneReport(s)));
console.log(formatLaneReport(laneReport(loadManifests(['test/fixtures/full-link-gray']))));
console.log(renderRoutesMarkdown(loadManifests(['test/fixtures/full-link-gray'])));
