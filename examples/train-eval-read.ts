/**
 * From a text file to a trained model and what it learned, from TypeScript:
 * train (scale recipe) → evaluate on the held-out split → sample → ψ (read the model) → skip-grams.
 *
 *   npx ts-node examples/train-eval-read.ts CORPUS [SECONDS]
 *
 * With a few seconds of training the model is weak; the point is the calls and their options.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Corpus, evaluate, order0Entropy, readModel, runSkipgram, sample, train } from 'bi-embed';

async function main(): Promise<void> {
  const [file, seconds = '5'] = process.argv.slice(2);
  if (!file) throw new Error('usage: train-eval-read.ts CORPUS [SECONDS]');
  const corpus = Corpus.open(file);
  const { train: trainRange, test } = corpus.split(); // train = first 90%, test = last 10%
  const ctl = new AbortController();
  process.once('SIGINT', () => ctl.abort()); // Ctrl-C: the Promise rejects with E_ABORTED, the model is saved

  // A small model for a quick run; the default is H = 128 (82,304 parameters).
  const out = path.resolve('example-model.safetensors'); // and its checkpoint beside it
  const trained = await train({
    corpus, recipe: 'scale', hidden: 32, batch: 8, seconds: Number(seconds), evalEvery: 50, testBytes: 20_000, out,
    signal: ctl.signal,
    onProgress: (e) => { if (e.done === e.total) console.log(`${e.stage}: ${e.done} of ${e.total} ${e.unit}`); },
  });
  console.log(`trained ${trained.steps} steps in ${trained.seconds.toFixed(1)} s → ${out}`);

  // bpc on the held-out bytes, beside the order-0 entropy of the same bytes.
  const ev = await evaluate(trained.model, corpus, { ranges: [test], threads: os.availableParallelism?.() ?? 1 });
  const h0 = await order0Entropy(corpus, [test[0] + 1, test[1]]);
  console.log(`test bpc ${ev.bpc.toFixed(3)} (order-0 entropy of the same bytes ${h0.toFixed(3)})`);

  const s = await sample(trained.model, 'The ', { bytes: 60, temperature: 0.8, seed: 1 });
  console.log(`sample: ${JSON.stringify(s.text)}`);

  // ψ in scale mode: factor map and read-back fitted on train positions, scored on test positions.
  const psi = await readModel(trained.model, corpus, { mode: 'scale', positions: 20_000, stateFeatures: false });
  console.log(`factor map: mean best-pair R² ${psi.factorMap.meanR2.toFixed(3)}; top input bytes ${psi.wxTop.slice(0, 3).map((b) => b.name).join(' ')}`);

  // Skip-k-grams: a held-out language model over the offsets 1, 2, 3 (context x_{s−d} predicts x_s).
  const sg = await runSkipgram(corpus, { mode: 'scale', offsets: [1, 2, 3] });
  console.log(`skip-gram [1,2,3]: held-out bpc ${sg.orders?.at(-1)?.testBpc.toFixed(3)} on ${trainRange[1]} train bytes`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
