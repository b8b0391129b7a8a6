// `npm run bench:safety`: the offline safety classifier against bench/safety/labelled.json.
// and against bench/safety/heldout.json (not used to write the rules).
// Prints precision and recall per category and overall ("is anything flagged"), and every
// miss, so a change to the phrase lists can be judged. Figures go to bench/RESULTS.md;
// tests assert no exact numbers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureServerBuilt } from '../../scripts/build.mjs';

ensureServerBuilt();
const { OfflineSafetyClassifier } = await import('../../dist/safety/offline-classifier.js');
const classifier = new OfflineSafetyClassifier();
const categories = ['self_harm', 'violence', 'sexual', 'harassment', 'profanity', 'personal_data'];
function evaluate(file) {
  const { messages } = JSON.parse(readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8'));
  const counts = Object.fromEntries([...categories, 'any'].map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
  const misses = [];
  for (const { text, categories: expected } of messages) {
    const found = new Set(classifier.findingsOf(text).map((f) => f.category));
    for (const c of categories) {
      const want = expected.includes(c);
      const got = found.has(c);
      if (want && got) counts[c].tp++;
      else if (got) counts[c].fp++;
      else if (want) counts[c].fn++;
    }
    const want = expected.length > 0;
    const got = found.size > 0;
    if (want && got) counts.any.tp++;
    else if (got) counts.any.fp++;
    else if (want) counts.any.fn++;
    if (want !== got || expected.some((c) => !found.has(c)))
      misses.push(`  ${JSON.stringify(text)}: expected [${expected}], found [${[...found]}]`);
  }
  const pct = (n, d) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(0)} %`);
  console.log(
    `\n${file}: offline safety classifier, ${messages.length} labelled messages (${messages.filter((m) => m.categories.length === 0).length} benign)`,
  );
  console.log('| category | precision | recall | tp / fp / fn |');
  console.log('|---|---|---|---|');
  for (const c of [...categories, 'any']) {
    const { tp, fp, fn } = counts[c];
    console.log(
      `| ${c === 'any' ? 'anything flagged' : c} | ${pct(tp, tp + fp)} | ${pct(tp, tp + fn)} | ${tp} / ${fp} / ${fn} |`,
    );
  }
  if (misses.length) console.log(`misses:\n${misses.join('\n')}`);
}
// labelled.json was used to write the rules; heldout.json was not: its figures are the honest ones.
evaluate('labelled.json');
evaluate('heldout.json');
