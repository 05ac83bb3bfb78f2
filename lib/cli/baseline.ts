/**
 * Every bpc the CLI prints stands beside the order-0 entropy of the same bytes (what a model that
 * knows only byte frequencies reaches in-sample), with a warning when the model does not beat it.
 */
import { Corpus } from '../corpus';
import { order0Entropy } from '../lm';

export interface Baseline {
  /** Order-0 entropy of the scored bytes (bits). */
  order0: number;
  /** bpc < order0. */
  beatsOrder0: boolean;
}

/** The order-0 entropy of the bytes a range scores: x_{begin+1} … x_{end−1}. */
export async function baseline(bpc: number, corpus: Corpus, range: [number, number]): Promise<Baseline> {
  const order0 = await order0Entropy(corpus, [range[0] + 1, range[1]]);
  return { order0, beatsOrder0: bpc < order0 };
}

/** " (order-0 entropy of the same bytes 4.81)" and, when not beaten, a warning line on stderr. */
export function besideOrder0(b: Baseline, what: string, json: boolean | undefined): string {
  if (!b.beatsOrder0 && !json) {
    process.stderr.write(`bi-embed: warning: the ${what} does not beat the order-0 entropy of the same bytes (${b.order0.toFixed(4)}): ` +
      'the model has learned less than the byte frequencies\n');
  }
  return ` (order-0 entropy of the same bytes ${b.order0.toFixed(4)})`;
}
