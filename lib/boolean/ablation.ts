/**
 * Neuron ablation: knock-out (h_j := 0 at every step) and keep-only-one (every other
 * neuron held at 0) for every neuron, run natively as 2H + 2 streams of one multi-stream pass
 * from h = 0 over one byte range. Δbpc = variant − model; the gap is H0 − model bpc, H0 the
 * order-0 entropy of the predicted bytes. A knock-out's share is Δbpc / gap (the part of the
 * gain the neuron is needed for); keep-only's share is (H0 − bpc_keep) / gap (the part one
 * neuron recovers alone, negative when it is worse than H0). The same pass also scores the readout
 * of sgn h_t on the unchanged trajectory (`signReadout`): how much of the gain the sign bits of
 * the true states carry, which is not the sign-only dynamics (h_t = sgn z_t fed back).
 */
import { Corpus, checkRange } from '../corpus';
import { checkModelCorpus } from '../evaluate';
import { JobOptions, runJob } from '../jobs';
import { Model } from '../model';
import { native } from '../native';
import { skipgramStats } from '../skipgram';
import { checkIsa, checkOptions, checkThreads } from '../validate';

export interface AblationOptions extends JobOptions {
  /** Bytes [begin, end) (default: the whole corpus); scores t = begin … end − 2. */
  range?: [number, number];
  threads?: number;
  isa?: string;
}

export interface NeuronEffect {
  neuron: number;
  bpc: number;
  delta: number;
  shareOfGap: number;
}

export interface AblationReport {
  range: [number, number];
  positions: number;
  h0: number;
  bpc: number;
  gap: number;
  /** Per neuron, in neuron order. */
  knockout: NeuronEffect[];
  keepOnly: NeuronEffect[];
  /** The readout applied to sgn h_t of the true trajectory: bpc and (H0 − bpc) / gap. */
  signReadout: { bpc: number; shareOfGap: number };
  /** Mean knock-out Δbpc, and the neurons whose knock-out costs most (at most 10). */
  meanKnockoutDelta: number;
  topKnockout: NeuronEffect[];
  topKeepOnly: NeuronEffect[];
  seconds: number;
}

export async function ablateNeurons(model: Model, corpus: Corpus, options?: AblationOptions): Promise<AblationReport> {
  checkModelCorpus(model, corpus);
  const opts = checkOptions('ablateNeurons', options);
  const range = checkRange(corpus, opts.range ?? [0, corpus.size]);
  const threads = checkThreads(opts.threads);
  const isa = checkIsa(opts.isa);
  const t0 = process.hrtime.bigint();
  const r = await runJob(opts, (cancel, onProgress) =>
    native().ablation(model.params, model.hidden, corpus.bytes, new Float64Array(range), { isa, threads }, cancel, onProgress));
  // H0 of the predicted bytes x_{begin+1} … x_{end−1}: the plug-in entropy with no context.
  const h0 = (await skipgramStats(corpus, [], { range: [range[0] + 1, range[1]], signal: opts.signal })).bits;
  const bpc = r.baseBits / r.positions;
  const gap = h0 - bpc;
  const knockout = Array.from(r.knockoutBits, (bits, neuron) => {
    const v = bits / r.positions;
    return { neuron, bpc: v, delta: v - bpc, shareOfGap: (v - bpc) / gap };
  });
  const keepOnly = Array.from(r.keepBits, (bits, neuron) => {
    const v = bits / r.positions;
    return { neuron, bpc: v, delta: v - bpc, shareOfGap: (h0 - v) / gap };
  });
  const byDelta = (a: NeuronEffect, b: NeuronEffect): number => b.delta - a.delta || a.neuron - b.neuron;
  return {
    range, positions: r.positions, h0, bpc, gap, knockout, keepOnly,
    signReadout: { bpc: r.signReadoutBits / r.positions, shareOfGap: (h0 - r.signReadoutBits / r.positions) / gap },
    meanKnockoutDelta: knockout.reduce((s, k) => s + k.delta, 0) / knockout.length,
    topKnockout: [...knockout].sort(byDelta).slice(0, 10),
    topKeepOnly: [...keepOnly].sort((a, b) => a.bpc - b.bpc || a.neuron - b.neuron).slice(0, 10),
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
  };
}
